"""Demo cases for `seed-demo`: a petition just received, a case under investigation and a case
closed unfounded, each carried through the cases' own services on dates that meet their
deadlines, so that the public case list shows every kind. Idempotent: once only."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from facility_registry.models import EnforcementCase, Facility
from permits.cases import services
from standards import clock

PETITIONS = {
    "received": ("Reciclados del Norte", "environmental",
                 "Grey dust settles on the houses east of the plant after the night shift."),
    "investigation": ("Keystone Lead Recovery", "occupational",
                      "Furnace workers say their blood lead has not been tested this year."),
    "closed": ("Great Lakes Metals", "environmental",
               "Trucks leave the yard uncovered and dust blows onto Harbour Street."),
}


def seed_cases(session: Session, people: dict) -> list:
    if session.exec(select(EnforcementCase.id).where(EnforcementCase.origin == "petition")
                    .limit(1)).first() is not None:
        return []
    today = clock.today()
    inspector = {"actor_id": people["inspector"].id, "actor_role": "inspector"}
    # The demo's facilities by name; in a registry that had its own, its first one stands in.
    fallback = session.exec(select(Facility.id).order_by(Facility.id)).first()
    if fallback is None:
        return []
    ids = {name: session.exec(select(Facility.id).where(Facility.name == name)).first() or fallback
           for name, _, _ in PETITIONS.values()}

    def petition(kind: str, days_ago: int) -> EnforcementCase:
        name, category, allegation = PETITIONS[kind]
        return services.file_petition(session, facility_id=ids[name], category=category,
                                      allegation=allegation, today=today - timedelta(days=days_ago))

    petition("received", 5)
    open_case = petition("investigation", 40)
    services.screen(session, case_id=open_case.id, decision="accept", today=today - timedelta(days=20),
                    reasons="Specific and credible; blood-lead testing is required by 29 CFR 1910.1025(j).",
                    **inspector)
    services.investigate(session, case_id=open_case.id, method="evidence_request", country_agreed=True,
                         request="The blood-lead results of every furnace worker for this year.",
                         today=today - timedelta(days=15), **inspector)
    closed = petition("closed", 120)
    services.screen(session, case_id=closed.id, decision="accept", reasons="Specific enough to check.",
                    today=today - timedelta(days=100), **inspector)
    services.investigate(session, case_id=closed.id, method="inspection", country_agreed=True,
                         today=today - timedelta(days=95), **inspector)
    services.record_findings(session, case_id=closed.id, violation=False,
                             summary="Every truck was tarped on three unannounced visits.",
                             today=today - timedelta(days=60), **inspector)
    return []
