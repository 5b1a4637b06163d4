"""Demo permits for `seed-demo`: a third shipper, and applications decided every way.

Runs after the registry's demo step and uses the facilities it finds. Every route crosses a
real border for its countries (Laredo / Nuevo Laredo into Mexico and back, the Ambassador
Bridge into Ontario, Champlain / Lacolle into Quebec). Each eligible facility gets an approved
permit; the first of them is also amended, and has siblings withdrawn, revoked and expired;
every other facility gets an application decided on its evidence, a route through Guatemala a
denial, and there is a draft. One more facility, with no evidence yet and its own user, has an
application waiting in the review queue with an evidence request the facility sees.
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
LOGINS = [(SHIPPER_CA, "shipper"), (FACILITY_USER, "facility")]
PEL = "osha-lead-pel"
APPLIED_DAYS_AGO = 35


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


# Where each demo shipper's loads start, and by whom they travel.
ORIGINS = {
    "US": {"name": "Acme Metals — Canton works, Canton, OH", "country": "US", "epa_id": "OHD004161423"},
    "MX": {"name": "Reciclaje del Norte — planta Saltillo, Coah.", "country": "MX"},
    "CA": {"name": "Northern Alloys — Hamilton melt shop, ON", "country": "CA"},
}
CARRIERS = {"US": {"name": "Rio Bravo Freight", "country": "US"},
            "MX": {"name": "Transportes del Golfo", "country": "MX"},
            "CA": {"name": "Lakeshore Haulage", "country": "CA"}}
# The border crossing a truck takes between two countries (exit port, entry port), on the road
# a carrier would drive: Canton, OH reaches Hamilton by the Peace Bridge (Niagara) and Quebec by
# Champlain-Lacolle; Saltillo reaches Pennsylvania by Laredo but the landfill near El Paso by
# Ciudad Juárez; Hamilton reaches Pennsylvania by the Peace Bridge too.
CROSSINGS = {
    ("US", "MX"): ("Laredo, TX (World Trade Bridge)", "Nuevo Laredo, Tamaulipas"),
    ("MX", "US"): ("Nuevo Laredo, Tamaulipas", "Laredo, TX (World Trade Bridge)"),
    ("MX", "US-west-TX"): ("Ciudad Juárez, Chihuahua", "El Paso, TX (Ysleta–Zaragoza Bridge)"),
    ("US", "ON"): ("Buffalo, NY (Peace Bridge)", "Fort Erie, ON (Peace Bridge)"),
    ("US", "QC"): ("Champlain, NY", "Lacolle, QC"),
    ("CA", "US"): ("Fort Erie, ON (Peace Bridge)", "Buffalo, NY (Peace Bridge)"),
}
# West Texas ZIP codes (El Paso to the Big Bend): nearer Ciudad Juárez than Laredo.
WEST_TEXAS_ZIPS = ("798", "799")


def _crossing(origin: str, facility: Facility) -> tuple[str, str]:
    destination, address = facility.country, facility.address or ""
    if destination == "CA":
        destination = "QC" if ", QC" in address else "ON"
    elif destination == "US" and any(f", TX {z}" in address for z in WEST_TEXAS_ZIPS):
        destination = "US-west-TX"
    return CROSSINGS.get((origin, destination)) or CROSSINGS.get((origin, facility.country)) \
        or CROSSINGS[("US", "MX")]


def _body(session, facility: Facility, byproduct: str, *, origin: str = "US", today=None,
          **overrides) -> dict:
    today = today or utcnow().date()
    # The listing code when the byproduct has one (EAF dust is K061 by listing), else the first
    # code that describes it.
    code = next(iter(codes.listing_codes(byproduct)), None) or next(
        (w.code for w in codes.waste_codes(session) if byproduct in (w.byproducts or [])), None)
    exit_port, entry_port = _crossing(origin, facility)
    carriers = [CARRIERS[origin]] + ([CARRIERS[facility.country]] if facility.country != origin else [])
    body = {
        "byproduct": byproduct, "waste_codes": [code] if code else [], "quantity_tonnes": 400,
        "shipments_planned": 16, "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=300)).isoformat(),
        "receiving_facility_id": facility.id, "operation_code": _operation(facility),
        "origin": ORIGINS[origin],
        "route": {"exit_port": exit_port, "entry_port": entry_port, "transit_countries": []},
        "transporters": carriers,
    }
    body.update(overrides)
    return body


def _operation(facility: Facility) -> str:
    final = [op for op in facility.operations or [] if not codes.is_interim(op)]
    return (final or facility.operations or ["R4"])[0]


def _shipper_for(people: dict, facility: Facility) -> tuple[object, str]:
    """A cross-border shipper for the facility: from Mexico into the U.S., from the U.S. into
    Mexico and Canada (a load that stays in one country needs no permit)."""
    if facility.country == "US":
        return people["shipper_mx"], "MX"
    return people["shipper"], "US"


def _applications(session: Session, people: dict, facilities: list[Facility]) -> None:
    today = utcnow().date()
    # The granted permits were applied for five weeks ago, so that their loads have a history.
    since = today - timedelta(days=APPLIED_DAYS_AGO)
    inspector = people["inspector"]
    granted = []
    eligible = _eligible(session, facilities, since)
    if not eligible:  # evidence newer than five weeks: the permits start today instead
        since = today
        eligible = _eligible(session, facilities, today)
    for facility, byproduct in eligible:
        shipper, origin = _shipper_for(people, facility)
        permit, decision = service.apply(session, actor=shipper, today=since, body=_body(
            session, facility, byproduct, origin=origin, today=since))
        if decision.outcome == "approved":
            granted.append((permit, shipper, facility, byproduct, origin))
    if granted:
        permit, shipper, facility, byproduct, origin = granted[0]
        more = {"quantity_tonnes": 520,
                "transporters": [*permit.transporters, {"name": "Autotransportes Sierra Madre",
                                                        "country": "MX"}]}
        _try(amendments.propose, session, actor=shipper, permit_id=permit.id, today=today,
             changes=more, reason="A second carrier for the spring campaign")
        withdrawn, _ = service.apply(session, actor=shipper, today=since, body=_body(
            session, facility, byproduct, origin=origin, quantity_tonnes=80, today=since))
        _try(service.withdraw, session, actor=shipper, permit_id=withdrawn.id,
             reason="The buyer cancelled the contract")
        revoked, _ = service.apply(session, actor=shipper, today=since, body=_body(
            session, facility, byproduct, origin=origin, quantity_tonnes=60, today=since))
        _try(service.revoke, session, actor=inspector, permit_id=revoked.id,
             reason="The movement documents named a carrier not on the permit")
        # A three-week permit that has ended: the daily expiry job finds it.
        service.apply(session, actor=shipper, today=since, body=_body(
            session, facility, byproduct, origin=origin, quantity_tonnes=20, today=since,
            valid_to=(since + timedelta(days=20)).isoformat()))
        service.expire_due(session, today=today)
    for facility in facilities:  # an application on each, decided however its evidence says
        if any(g[2].id == facility.id for g in granted):
            continue
        shipper, origin = _shipper_for(people, facility)
        service.apply(session, actor=shipper, today=today, body=_body(
            session, facility, (facility.accepts or ["eaf_dust"])[0], origin=origin,
            quantity_tonnes=150))
    newcomer = _awaiting_evidence(session, people)
    permit, decision = service.apply(session, actor=people["shipper"], today=today,
                                     body=_body(session, newcomer, "eaf_dust", quantity_tonnes=90))
    service.request_evidence(session, actor=inspector, permit_id=permit.id, standard=PEL,
                             message="Please send a current 8-hour TWA lead measurement and the "
                             "binding limit from your operating permit.")
    _denied_and_draft(session, people, facilities, today)


def _denied_and_draft(session: Session, people: dict, facilities: list[Facility], today) -> None:
    us = next((f for f in facilities if f.country == "US"), facilities[0])
    byproduct = (us.accepts or ["slag"])[-1]
    # Shipped by sea from Chiapas through Puerto Quetzal, Guatemala: a transshipment outside
    # the three countries, denied whatever the facility's evidence.
    service.apply(session, actor=people["shipper_mx"], today=today, body=_body(
        session, us, byproduct, origin="MX",
        route={"exit_port": "Ciudad Hidalgo, Chiapas", "entry_port": "Brownsville, TX",
               "transit_countries": ["GT"]}) | {"origin": {"name": "Reciclaje del Norte — "
                                                         "centro Tapachula, Chis.",
                                                         "country": "MX"}})
    if people.get("shipper_ca") is not None:
        body = _body(session, us, (us.accepts or ["eaf_dust"])[0], origin="CA")
        body.pop("transporters")
        service.save_draft(session, actor=people["shipper_ca"], body=body, today=today)


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


def _eligible(session: Session, facilities: list[Facility], today) -> list[tuple[Facility, str]]:
    """Each facility eligible today, with the first byproduct it is eligible for."""
    found = []
    for facility in facilities:
        for byproduct in facility.accepts or []:
            if check_facility(session, facility, byproduct, today).eligible:
                found.append((facility, byproduct))
                break
    return found


def _try(action, session, **kwargs) -> None:
    """A demo step that the registry's data may not allow is skipped, not fatal."""
    try:
        with session.begin_nested():
            action(session, **kwargs)
    except DomainError as exc:
        print(f"seed-demo: skipped {action.__module__}.{action.__name__}: {exc.message}")
