"""Demo permits for `seed-demo`: a third shipper, and applications decided every way.

Runs after the registry's demo step and uses the facilities it finds: an eligible one gives
approved permits (one later amended, one withdrawn), each facility an application decided on
its evidence, a route through a third country a denial; plus a draft. It registers one more
facility, with no evidence yet and its own user, whose application waits in the review queue
with an evidence request the facility sees.
"""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from facility_registry import services as registry
from facility_registry.eligibility import check_facility
from facility_registry.models import Facility
from permits.accounts import services as accounts
from permits.accounts.demo import demo_user
from permits.permitting import amendments
from permits.permitting import services as service
from permits.permitting.models import Permit
from standards import codes
from standards.clock import utcnow
from standards.errors import DomainError

SHIPPER_CA = "shipper@northern-alloys.example"
FACILITY_USER = "facility@metales-bajio.example"
PEL = "osha-lead-pel"


def seed_permits(session: Session, people: dict) -> list[tuple[str, str]]:
    """Idempotent: does nothing once any demo permit exists."""
    if session.exec(select(Permit.id).limit(1)).first() is not None:
        return []
    created = []
    if accounts.find_user(session, SHIPPER_CA) is None:
        org = accounts.get_or_create_organization(session, "Northern Alloys", "CA")
        people["shipper_ca"] = demo_user(session, SHIPPER_CA, "shipper", "Chris Shipper",
                                     organization=org)
        created.append((SHIPPER_CA, "shipper"))
    facilities = session.exec(select(Facility).where(Facility.status == "active")
                              .order_by(Facility.id)).all()
    if not facilities:
        print("seed-demo: no facilities yet, so no demo permits (the registry's step adds them)")
        return created
    _applications(session, people, facilities)
    return created + people.pop("created", [])


def _body(session, facility: Facility, byproduct: str, **overrides) -> dict:
    today = utcnow().date()
    code = next((w.code for w in codes.waste_codes(session) if byproduct in (w.byproducts or [])),
                None)
    body = {
        "byproduct": byproduct, "waste_codes": [code] if code else [], "quantity_tonnes": 400,
        "shipments_planned": 16, "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=300)).isoformat(),
        "receiving_facility_id": facility.id, "operation_code": _operation(facility),
        "origin": {"name": "Acme Metals — Canton works", "country": "US", "epa_id": "OHD004161423"},
        "route": {"exit_port": "Laredo, TX", "entry_port": "Nuevo Laredo, Tamaulipas",
                  "transit_countries": []},
        "transporters": [{"name": "Rio Bravo Freight", "country": "US"}],
    }
    body.update(overrides)
    return body


def _operation(facility: Facility) -> str:
    final = [op for op in facility.operations or [] if not codes.is_interim(op)]
    return (final or facility.operations or ["R4"])[0]


def _applications(session: Session, people: dict, facilities: list[Facility]) -> None:
    today = utcnow().date()
    shipper, shipper_mx = people["shipper"], people["shipper_mx"]
    shipper_ca, inspector = people.get("shipper_ca"), people["inspector"]
    eligible = _eligible(session, facilities, today)
    if eligible is not None:
        facility, byproduct = eligible
        permit, _ = service.apply(session, actor=shipper, body=_body(session, facility, byproduct),
                                  today=today)
        _try(amendments.propose, session, actor=shipper, permit_id=permit.id, today=today,
             changes={"quantity_tonnes": 520,
                      "transporters": [{"name": "Rio Bravo Freight", "country": "US"},
                                       {"name": "Transportes del Golfo", "country": "MX"}]},
             reason="A second carrier for the spring campaign")
        withdrawn, _ = service.apply(session, actor=shipper, today=today,
                                     body=_body(session, facility, byproduct, quantity_tonnes=80))
        _try(service.withdraw, session, actor=shipper, permit_id=withdrawn.id,
             reason="The buyer cancelled the contract")
    for facility in facilities:  # an application on each, decided however its evidence says
        byproduct = (facility.accepts or ["eaf_dust"])[0]
        service.apply(session, actor=shipper, today=today,
                      body=_body(session, facility, byproduct, quantity_tonnes=150))
    newcomer = _awaiting_evidence(session, people)
    permit, decision = service.apply(session, actor=shipper, today=today,
                                     body=_body(session, newcomer, "eaf_dust", quantity_tonnes=90))
    service.request_evidence(session, actor=inspector, permit_id=permit.id, standard=PEL,
                             message="Please send a current 8-hour TWA lead measurement and the "
                             "binding limit from your operating permit.")
    first = facilities[0]
    mx_origin = {"name": "Planta Monterrey", "country": "MX"}
    # Routed through Guatemala: a transshipment outside the three countries is denied.
    service.apply(session, actor=shipper_mx, today=today, body=_body(
        session, first, (first.accepts or ["slag"])[0], origin=mx_origin,
        route={"exit_port": "Ciudad Hidalgo, Chiapas", "entry_port": "Brownsville, TX",
               "transit_countries": ["GT"]}))
    if shipper_ca is not None:
        body = _body(session, first, (first.accepts or ["eaf_dust"])[0],
                     origin={"name": "Hamilton melt shop", "country": "CA"})
        body.pop("transporters")
        service.save_draft(session, actor=shipper_ca, body=body, today=today)


def _awaiting_evidence(session: Session, people: dict) -> Facility:
    """A newly registered facility with no evidence yet, and its user: every check is
    no_evidence, so its applications wait in the review queue."""
    facility = registry.create_facility(
        session, actor_id=people["inspector"].id, actor_role="inspector",
        name="Metales del Bajío", country="MX", semarnat_nra="MDB1100200033",
        address="Carretera 45 km 12, Celaya, Gto.", operations=["R4"], accepts=["eaf_dust"],
        annual_capacity_tonnes=25000)
    if accounts.find_user(session, FACILITY_USER) is None:
        people["facility_bajio"] = demo_user(session, FACILITY_USER, "facility", "Beatriz Planta",
                                         facility_id=facility.id)
        people.setdefault("created", []).append((FACILITY_USER, "facility"))
    return facility


def _eligible(session: Session, facilities: list[Facility], today) -> tuple[Facility, str] | None:
    for facility in facilities:
        for byproduct in facility.accepts or []:
            if check_facility(session, facility, byproduct, today).eligible:
                return facility, byproduct
    return None


def _try(action, session, **kwargs) -> None:
    """A demo step that the registry's data may not allow is skipped, not fatal."""
    try:
        with session.begin_nested():
            action(session, **kwargs)
    except DomainError as exc:
        print(f"seed-demo: skipped {action.__module__}.{action.__name__}: {exc.message}")
