"""A small, realistic world for walking the whole API: facilities with evidence (and one
suspended after a violation), permits in every state, shipments in several, an amendment and
an evidence request waiting, stored reports, a bearer token for every role.

Everything goes through the services, as the app would have made it, so each row has its
audit entry; the evidence is loaded in one bulk import to keep it quick.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session, SQLModel

from facility_registry import services as registry
from facility_registry.inspections import cases_of
from facility_registry.models import Facility
from permits.accounts.models import User
from permits.consents import services as consents
from permits.permitting import amendments
from permits.permitting import services as permit_service
from permits.reports.store import run_report
from permits.shipments import deadlines
from permits.shipments import services as shipment_service
from standards import clock
from tests.helpers import bearer, make_facility, make_user
from tests.permits.conftest import application, record_evidence

TODAY = clock.today()
PEL = "osha-lead-pel"

# Names and addresses of the people in the world: none may appear in a public answer.
PEOPLE = {
    "admin": ("Adaeze Okonkwo-Admin", "adaeze.admin@parity.example"),
    "inspector": ("Ingrid Vasquez-Inspector", "ingrid.inspector@parity.example"),
    "shipper": ("Sebastian Hollowell", "sebastian@acme-metals.example"),
    "other_shipper": ("Oona Rivalsdottir", "oona@rival-recycling.example"),
    "facility": ("Florencia Planta-User", "florencia@reciclados.example"),
    "authority": ("Marisol Autoridad-Semarnat", "marisol@semarnat.example"),
}


@dataclass
class World:
    users: dict[str, User]
    headers: dict[str, dict[str, str]]  # role -> Authorization header ("none": no header)
    ids: dict[str, list] = field(default_factory=dict)  # path parameter -> values that exist


def people(engine) -> World:
    """Just the cast: a receiving facility (id 1, no evidence yet) and a user of every role,
    each with a bearer token; enough for a request that is refused before any record matters."""
    with Session(engine, expire_on_commit=False) as session:
        facility_id = make_facility(session, "MX").id
        session.commit()
    users = {role: make_user(engine, "shipper" if role == "other_shipper" else role, email=email,
                             organization="Rival Recycling" if role == "other_shipper"
                             else "Acme Metals", facility_id=facility_id if role == "facility" else None)
             for role, (_name, email) in PEOPLE.items()}
    with Session(engine) as session:
        for role, (name, _email) in PEOPLE.items():
            session.get(User, users[role].id).name = name
        session.commit()
    headers = {role: bearer(engine, user) for role, user in users.items()}
    headers["none"] = {}
    return World(users=users, headers=headers, ids=_existing_ids(engine))


def build(engine) -> World:
    """The cast, then their history: facility 1 meets every standard for eaf_dust, facility 2
    has no evidence, facility 3 is suspended after a violation."""
    world = people(engine)
    with Session(engine, expire_on_commit=False) as session:
        compliant = session.get(Facility, 1)
        record_evidence(session, compliant)
        ids = (compliant.id, make_facility(session, "CA").id, make_facility(session, "US").id)
        _permits_and_shipments(session, world.users, *ids)
        _registry_history(session, doomed_id=ids[2], compliant_id=ids[0],
                          inspector_id=world.users["inspector"].id)
        run_report(session, kind="monthly_compliance", period=TODAY.strftime("%Y-%m"),
                   today=TODAY, trigger="cli")
        run_report(session, kind="enforcement_public", period=str(TODAY.year), today=TODAY,
                   trigger="cli")
        session.commit()
    world.ids = _existing_ids(engine)
    return world


def _permits_and_shipments(session: Session, users, compliant_id, bare_id, doomed_id) -> None:
    shipper = session.get(User, users["shipper"].id)
    inspector = session.get(User, users["inspector"].id)
    receiver = session.get(User, users["facility"].id)
    today = {"today": TODAY}
    valid_today = {"valid_from": TODAY.isoformat()}
    approved, _ = permit_service.apply(session, actor=shipper, **today,
                                       body=application(compliant_id, **valid_today))
    to_amend, _ = permit_service.apply(session, actor=shipper, **today,
                                       body=application(compliant_id, **valid_today))
    amendments.propose(session, actor=shipper, permit_id=to_amend.id, **today,
                       changes={"receiving_facility_id": bare_id}, reason="A second plant")
    waiting, _ = permit_service.apply(session, actor=shipper, body=application(bare_id), **today)
    permit_service.request_evidence(session, actor=inspector, permit_id=waiting.id,
                                    standard=PEL, message="Send the lead PEL measurements.")
    permit_service.apply(session, actor=shipper, **today,
                         body=application(compliant_id, operation_code="D10"))  # denied
    withdrawn, _ = permit_service.apply(session, actor=shipper, body=application(compliant_id),
                                        **today)
    permit_service.withdraw(session, actor=shipper, permit_id=withdrawn.id, reason="Cancelled")
    draft = application(compliant_id)
    del draft["transporters"]
    permit_service.save_draft(session, actor=shipper, body=draft, **today)
    permit_service.apply(session, actor=session.get(User, users["other_shipper"].id), **today,
                         body=application(doomed_id, **valid_today))

    consents.record(session, actor=session.get(User, users["authority"].id), permit_id=approved.id,
                    today=TODAY, body={"country": "MX", "decision": "consent",
                                       "reference": "AOC-MX-WORLD", "decided_on": TODAY.isoformat()})
    carrier = approved.transporters[0]["name"]
    loads = [shipment_service.log_shipment(
        session, actor=shipper, permit_id=approved.id, quantity_kg=10_000, departed_on=TODAY,
        expected_arrival_on=TODAY, movement_document=f"MD-WORLD-{n}", carrier=carrier, **today)
        for n in range(4)]
    confirm = {"actor": receiver, **today}
    for load in loads[1:3]:
        shipment_service.receive_shipment(session, shipment_id=load.id, received_on=TODAY,
                                          received_kg=10_000, tolerance_percent=2.0, **confirm)
    shipment_service.recover_shipment(session, shipment_id=loads[2].id, completed_on=TODAY,
                                      operation_code=approved.operation_code, **confirm)
    shipment_service.refuse_shipment(session, shipment_id=loads[3].id, refused_on=TODAY,
                                     reason="Leaking drums", **confirm)
    deadlines.sweep_deadlines(session, TODAY + timedelta(days=30))  # loads[0] is overdue then


def _registry_history(session: Session, *, doomed_id: int, compliant_id: int,
                      inspector_id: int) -> None:
    inspector = {"actor_id": inspector_id, "actor_role": "inspector"}
    registry.record_inspection(session, facility_id=doomed_id, inspected_on=TODAY,
                               outcome="violation", summary="Baghouse bypass open.",
                               findings=[{"standard": PEL, "value": 80, "unit": "µg/m³",
                                          "basis": "8h_twa"}], **inspector)
    case = cases_of(session, doomed_id)[0]
    registry.notify_case(session, case_id=case.id, notified_on=TODAY, **inspector)
    registry.record_carbon(session, facility_id=compliant_id, year=TODAY.year - 1,
                           method="ghg_protocol", tonnes_received=1000, tonnes_processed=1000,
                           activity={"sources": [{"source": "kiln fuel", "scope": 1, "amount": 400,
                                                  "factor_tco2e_per_unit": 1}]}, **inspector)
    registry.record_evidence(session, facility_id=compliant_id, standard=PEL, kind="measurement",
                             value=20, unit="µg/m³", basis="8h_twa", source="self-reported",
                             observed_on=TODAY, actor_id=None, actor_role="facility")


_ID_SOURCES = {
    "permit_id": "SELECT id FROM permit", "shipment_id": "SELECT id FROM shipment",
    "facility_id": "SELECT id FROM facility", "amendment_id": "SELECT id FROM amendment",
    "exception_id": "SELECT id FROM shipment_exception", "case_id": "SELECT id FROM enforcement_case",
    "token_id": "SELECT id FROM api_token", "consent_id": "SELECT id FROM consent",
    "evidence_id": "SELECT id FROM evidence WHERE id % 25 = 1 OR NOT verified",
    "code": "SELECT DISTINCT code FROM standard WHERE code LIKE 'osha-%'",
    "number": "SELECT number FROM permit WHERE number IS NOT NULL",
    "kind": "SELECT DISTINCT kind FROM compliance_report",
    "period": "SELECT DISTINCT period FROM compliance_report",
    "year": "SELECT DISTINCT period FROM compliance_report WHERE kind = 'enforcement_public'",
}


def _existing_ids(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {name: sorted(row[0] for row in conn.execute(text(sql)))
                for name, sql in _ID_SOURCES.items()}


def fingerprint(engine) -> tuple:
    """What a failed request must leave as it was: every table's row count, the audit chain's
    head, and the status of every record that has one."""
    tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name != "api_token"]
    counts = " UNION ALL ".join(f"SELECT '{t}', (SELECT count(*) FROM \"{t}\")" for t in tables)
    with engine.connect() as conn:
        return (
            tuple(sorted(conn.execute(text(counts)).all())),
            conn.execute(text("SELECT hash FROM audit_entry ORDER BY seq DESC LIMIT 1")).scalar(),
            tuple(tuple(conn.execute(text(f"SELECT id, {column} FROM {table} ORDER BY id")).all())
                  for table, column in (("permit", "status"), ("facility", "status"),
                                        ("shipment", "status"), ("amendment", "status"),
                                        ("evidence", "verified"), ("consent", "status"))),
        )
