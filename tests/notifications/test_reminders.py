"""Reminders before a deadline: the people who must act are told at each lead time, once, even
when the job runs again or two schedulers run it at the same moment; the actor of nothing (the
job) is nobody; permits that expire and holds that change are told too."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from facility_registry import services as registry
from permits.audit.models import AuditEntry
from permits.cases.models import CaseStage
from permits.consents.models import Consent
from permits.notifications import reminders
from permits.notifications.models import Notification, Reminder
from permits.permitting.services import expire_due
from permits.shipments.deadlines import receipt_due
from standards.clock import utcnow
from tests.cases.conftest import file
from tests.helpers import make_user
from tests.notifications.conftest import codes
from tests.permits.conftest import PEL, TODAY, apply
from tests.shipments.factories import make_shipment

EXPIRY = "notice.reminder_permit_expiry"


def _run(db, day) -> list[reminders.Deadline]:
    with Session(db) as session:
        sent = reminders.send_due(session, day)
        session.commit()
    return sent


def test_the_nearest_lead_covering_a_deadline_is_chosen():
    due = TODAY + timedelta(days=10)
    assert reminders.lead_for("permit_expiry", due, TODAY) == 30
    assert reminders.lead_for("permit_expiry", due, due - timedelta(days=7)) == 7
    assert reminders.lead_for("permit_expiry", due, due) == 7  # the last day itself
    assert reminders.lead_for("permit_expiry", due, due + timedelta(days=1)) is None  # past
    assert reminders.lead_for("receipt", due, due - timedelta(days=2)) is None  # not yet
    assert reminders.lead_for("receipt", due, due - timedelta(days=1)) == 1


def test_a_permit_ending_is_announced_30_and_7_days_ahead_once_each_then_its_expiry(
        db, approved, shipper, other_shipper, compliant_facility):
    facility_user = make_user(db, "facility", facility_id=compliant_facility.id)
    inspector = make_user(db, "inspector")
    end = approved.valid_to
    assert [d.kind for d in _run(db, end - timedelta(days=31))] == []
    assert [d.kind for d in _run(db, end - timedelta(days=30))] == ["permit_expiry"]
    assert _run(db, end - timedelta(days=30)) == []  # the same day again
    assert _run(db, end - timedelta(days=20)) == []  # still within 30: already told
    assert [d.due_on for d in _run(db, end - timedelta(days=7))] == [end]
    assert _run(db, end - timedelta(days=1)) == []
    assert codes(db, facility_user) == [EXPIRY, EXPIRY]
    assert codes(db, shipper).count(EXPIRY) == 2
    assert codes(db, other_shipper) == codes(db, inspector) == []
    with Session(db) as session:
        assert expire_due(session, today=end + timedelta(days=1)) == [approved.id]
        session.commit()
    assert codes(db, facility_user)[-1] == codes(db, shipper)[-1] == "notice.permit_expired"


def test_a_load_on_the_road_reminds_the_receiving_facility_the_day_before_receipt_is_due(
        db, approved, shipper, compliant_facility):
    facility_user = make_user(db, "facility", facility_id=compliant_facility.id)
    with Session(db, expire_on_commit=False) as session:
        load = make_shipment(session, permit=approved, departed_on=TODAY)
        session.commit()
    due = receipt_due(load)
    before = codes(db, shipper)
    assert _run(db, due - timedelta(days=2)) == []
    assert [(d.kind, d.subject_id) for d in _run(db, due - timedelta(days=1))] == [("receipt", load.id)]
    assert _run(db, due) == []
    assert codes(db, facility_user) == ["notice.reminder_receipt"]
    assert codes(db, shipper) == before
    with Session(db) as session:
        told = session.exec(select(Notification).where(Notification.user_id == facility_user.id)).scalar_one()
    assert told.params["document"] == load.movement_document and told.link == f"/shipments/{load.id}"


def test_a_confirmed_receipt_is_not_reminded(db, approved, compliant_facility):
    facility_user = make_user(db, "facility", facility_id=compliant_facility.id)
    with Session(db, expire_on_commit=False) as session:
        load = make_shipment(session, permit=approved, departed_on=TODAY, status="received",
                             received_on=TODAY + timedelta(days=1), receipt_confirmed_at=utcnow())
        session.commit()
    _run(db, receipt_due(load) - timedelta(days=1))
    assert codes(db, facility_user) == []


def test_a_tacit_consent_coming_reminds_the_authority_a_week_and_a_day_ahead(db, shipper,
                                                                            canadian_facility):
    facility = canadian_facility
    ca, mx = make_user(db, "authority", country="CA"), make_user(db, "authority", country="MX")
    with Session(db, expire_on_commit=False) as session:
        permit, decision = apply(session, shipper, facility.id)
        session.commit()
    assert decision.outcome == "approved", decision.reasons
    with Session(db) as session:
        tacit_on = session.exec(select(Consent.tacit_on).where(Consent.permit_id == permit.id)).scalar_one()
    for days in (8, 7, 6, 1, 0):
        _run(db, tacit_on - timedelta(days=days))
    assert codes(db, ca) == ["notice.consent_requested_tacit", "notice.reminder_tacit_consent",
                             "notice.reminder_tacit_consent"]
    assert codes(db, mx) == []


def test_a_case_stage_coming_reminds_every_inspector(db, shipper, compliant_facility):
    inspectors = [make_user(db, "inspector"), make_user(db, "inspector")]
    with Session(db, expire_on_commit=False) as session:
        case = file(session, compliant_facility, today=TODAY)
        session.commit()
        due = session.exec(select(CaseStage.due_on).where(CaseStage.case_id == case.id)).scalar_one()
    _run(db, due - timedelta(days=7))
    _run(db, due - timedelta(days=7))
    for inspector in inspectors:
        assert codes(db, inspector) == ["notice.case_opened", "notice.reminder_case_stage"]
    assert "notice.reminder_case_stage" not in codes(db, shipper)


def test_the_unique_key_refuses_a_second_row_for_the_same_reminder(db):
    row = {"kind": "permit_expiry", "subject_id": 1, "due_on": TODAY, "lead_days": 7,
           "sent_on": TODAY, "recipients": 1, "created_at": utcnow()}
    with Session(db) as session:
        session.execute(insert(Reminder).values(**row))
        session.commit()
    with Session(db) as session, pytest.raises(IntegrityError):
        session.execute(insert(Reminder).values(**{**row, "sent_on": TODAY + timedelta(days=1)}))
        session.flush()


@pytest.mark.timeout(120)
def test_two_schedulers_at_the_same_moment_remind_once(db, approved, shipper, compliant_facility):
    facility_user = make_user(db, "facility", facility_id=compliant_facility.id)
    day = approved.valid_to - timedelta(days=7)
    start = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            with Session(db) as session:
                start.wait()
                done = reminders.send_due(session, day)
                session.commit()
                sent.append(len(done))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=100)
    assert errors == []
    assert sorted(sent) == [0, 1]
    assert codes(db, facility_user) == [EXPIRY]
    assert codes(db, shipper).count(EXPIRY) == 1


def test_a_hold_that_changes_reasons_tells_the_shipper_and_the_facility(
        db, approved, shipper, compliant_facility):
    facility_user = make_user(db, "facility", facility_id=compliant_facility.id)
    # Lead above the limit (a hold), further above (the same reason, new numbers: nobody is
    # told again), then cadmium above too (a new reason: told).
    for standard, value in ((PEL, 180), (PEL, 240), ("osha-cadmium-pel", 12)):
        with Session(db) as session:
            registry.record_evidence(
                session, facility_id=compliant_facility.id, standard=standard, kind="measurement",
                value=value, unit="µg/m³", basis="8h_twa", observed_on=TODAY, source="lab",
                actor_id=None, actor_role="facility")
            session.commit()
    assert codes(db, facility_user) == ["notice.permit_on_hold", "notice.permit_hold_updated"]
    assert codes(db, shipper)[-1] == "notice.permit_hold_updated"
    with Session(db) as session:
        told = session.exec(select(Notification).where(
            Notification.code == "notice.permit_hold_updated")).scalars().first()
    assert sorted(m["params"]["standard"] for m in told.params["unmet"]) == sorted(
        [PEL, "osha-cadmium-pel"])
    with Session(db) as session:
        updates = session.exec(select(AuditEntry.id).where(
            AuditEntry.action == "permit.update_hold")).all()
    assert len(updates) == 2  # two updates of the hold, one of them worth a notice


def test_the_daily_job_is_listed_and_says_what_it_did(db, approved, app):
    from permits.scheduler.process import JOBS, run_once

    job = next(j for j in JOBS if j.id == "deadline-reminders")
    with app.app_context():
        summary = run_once(db, job, approved.valid_to - timedelta(days=30))
    assert summary == "1 deadline reminders sent"
