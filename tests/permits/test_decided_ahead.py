"""An application checked and decided in the request's read session, before the writer lock
(`services.apply(reader=...)`): the decision stands only if every facility it read is still as
it read it once the lock is held; a facility suspended, or whose evidence or catalogue changed
(its equivalence stamp), in between makes it decide again, under the lock."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session

from permits.core.db import READ_ONLY_OPTION
from permits.permitting import decisions
from permits.permitting import services as service
from standards import clock
from tests.permits.conftest import application


@pytest.fixture
def between(monkeypatch, db):
    """`between(sql)`: run `sql` (given the facility's id) in a transaction of its own, committed
    after the application was decided ahead and before the request's session writes."""
    def arrange(sql: str, facility_id: int):
        write = service.insert_row

        def changed_meanwhile(session, instance):
            with db.begin() as conn:
                conn.execute(text(sql), {"id": facility_id})
            monkeypatch.setattr(service, "insert_row", write)
            return write(session, instance)

        monkeypatch.setattr(service, "insert_row", changed_meanwhile)
    return arrange


@pytest.fixture
def evaluations(monkeypatch):
    """How many times the application was evaluated."""
    made = []
    evaluate = decisions.evaluate

    def counted(session, terms, *, on):
        made.append(on)
        return evaluate(session, terms, on=on)

    monkeypatch.setattr(decisions, "evaluate", counted)
    return made


def _apply(db, shipper, facility):
    reads = db.execution_options(**{READ_ONLY_OPTION: True})  # as the request's read session
    with Session(db, expire_on_commit=False) as session, Session(reads) as reader:
        permit, decision = service.apply(session, actor=shipper, body=application(facility.id),
                                         today=clock.today(), reader=reader)
        session.commit()
    return permit, decision


def test_nothing_changed_the_decision_made_ahead_stands(db, shipper, compliant_facility, evaluations):
    permit, decision = _apply(db, shipper, compliant_facility)
    assert permit.status == decision.outcome == "approved"
    assert len(evaluations) == 1
    assert decisions.verify(decision)


def test_a_facility_suspended_in_between_is_decided_again_and_denied(db, shipper, compliant_facility,
                                                                     between, evaluations):
    between("UPDATE facility SET status = 'suspended' WHERE id = :id", compliant_facility.id)
    permit, decision = _apply(db, shipper, compliant_facility)
    assert len(evaluations) == 2
    assert permit.status == decision.outcome == "denied"
    assert any(rule["rule"] == "facility_active" and not rule["met"] for rule in decision.rules)


def test_evidence_changed_in_between_is_decided_again(db, shipper, compliant_facility, between,
                                                      evaluations):
    # Every measurement struck out (the triggers give the facility a new stamp): nothing is met.
    between("DELETE FROM evidence WHERE facility_id = :id AND kind = 'measurement'",
            compliant_facility.id)
    permit, decision = _apply(db, shipper, compliant_facility)
    assert len(evaluations) == 2
    assert permit.status == decision.outcome == "under_review"
    assert all(check["verdict"] != "meets" for check in decision.checks
               if check["standard"] == "osha-lead-pel")


def test_a_facility_without_a_stamp_is_always_decided_again(db, shipper, compliant_facility, evaluations):
    with db.begin() as conn:
        conn.execute(text("UPDATE facility SET equivalence_stamp = NULL WHERE id = :id"),
                     {"id": compliant_facility.id})
    permit, _decision = _apply(db, shipper, compliant_facility)
    assert len(evaluations) == 2 and permit.status == "approved"


def test_the_records_parts_written_ahead_hash_as_the_whole_and_only_for_their_own_values(
        db, shipper, compliant_facility):
    permit, decision = _apply(db, shipper, compliant_facility)
    whole = decisions.canonical(decision)
    assert decisions.record_hash(decision) == decision.record_hash  # written from parts, read whole
    own = {name: (getattr(decision, name), decisions.canonical_json(getattr(decision, name)))
           for name in ("rules", "checks", "evidence")}
    assert decisions.canonical(decision, own) == whole
    # A text written from another value (an equal copy, or a stale one) is not used.
    stale = {"checks": (list(decision.checks), b"[]"), "rules": ([], b"[]")}
    assert decisions.canonical(decision, stale) == whole
