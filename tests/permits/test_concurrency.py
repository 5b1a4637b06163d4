"""Two inspectors approve the same application at the same moment: exactly one wins, on SQLite
and on PostgreSQL, and only one approval is recorded."""
from __future__ import annotations

import threading

from sqlmodel import Session, select

from permits.audit.models import AuditEntry
from permits.permitting import decisions as decision_module
from permits.permitting import services as service
from permits.permitting.decision_models import Decision
from permits.permitting.models import Permit
from standards.errors import InvalidTransition
from tests.helpers import make_facility
from tests.permits.conftest import TODAY, apply, as_user, record_evidence, set_verified

SELF_REPORTED = {"actor_id": None, "actor_role": "facility"}


def _ready_for_approval(db, shipper) -> int:
    """An application under review whose evidence has since been verified."""
    with Session(db, expire_on_commit=False) as session:
        facility = make_facility(session, "MX")
        record_evidence(session, facility, actor=SELF_REPORTED)
        permit, decision = apply(session, shipper, facility.id)
        assert decision.outcome == "under_review"
        set_verified(session, facility.id)
        session.commit()
        return permit.id


def test_two_concurrent_approvals_exactly_one_wins(db, shipper, inspector, monkeypatch):
    permit_id = _ready_for_approval(db, shipper)
    both_read = threading.Barrier(2, timeout=5)
    real_evaluate = decision_module.evaluate

    def evaluate_in_step(session, terms, *, on):
        # On PostgreSQL both transactions get here having read "under_review", so the race is
        # decided by the conditional UPDATE. SQLite writers are serialized from their first
        # statement (BEGIN IMMEDIATE), so the second one only starts once the first committed.
        if db.dialect.name == "postgresql":
            both_read.wait()
        return real_evaluate(session, terms, on=on)

    monkeypatch.setattr(decision_module, "evaluate", evaluate_in_step)
    start = threading.Barrier(2, timeout=5)
    outcomes: list[str] = []

    def approve():
        with Session(db, expire_on_commit=False) as session:
            start.wait()
            try:
                service.approve(session, actor=as_user(session, inspector), permit_id=permit_id,
                                today=TODAY)
                session.commit()
                outcomes.append("approved")
            except InvalidTransition as exc:
                session.rollback()
                outcomes.append(exc.code)

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["approved", "invalid_transition"]
    with Session(db) as session:
        assert session.get(Permit, permit_id).status == "approved"
        approvals = session.exec(select(Decision).where(Decision.permit_id == permit_id,
                                                        Decision.kind == "inspector_approval")).all()
        assert len(approvals) == 1
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "permit.approve")).all()
        assert len(entries) == 1


def test_concurrent_applications_get_distinct_numbers(db, shipper):
    with Session(db, expire_on_commit=False) as session:
        facility_id = make_facility(session, "MX").id
        session.commit()
    numbers: list[str] = []
    start = threading.Barrier(4, timeout=5)

    def submit():
        with Session(db, expire_on_commit=False) as session:
            start.wait()
            permit, _ = apply(session, shipper, facility_id)
            session.commit()
            numbers.append(permit.number)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(numbers) == 4 and len(set(numbers)) == 4
