"""Inspections: a violation suspends and opens a case; a later compliant one reinstates."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from facility_registry import services
from facility_registry.facilities import status_history
from facility_registry.inspections import MAX_ATTACHMENT_BYTES, cases_of
from facility_registry.models import Evidence
from standards.errors import InvalidTransition, NotAllowed, ValidationFailed
from tests.registry.conftest import FACILITY_USER, INSPECTOR, TODAY, sent

PDF = services.Upload("report.pdf", "application/pdf", b"%PDF-1.7\n...")
FINDING = {"standard": "osha-lead-pel", "value": 72, "unit": "µg/m³", "basis": "8h_twa"}


def inspect(session, facility, outcome, days_ago, **extra):
    body = {"summary": "airborne lead above the PEL"} if outcome == "violation" else {}
    return services.record_inspection(session, facility_id=facility.id, outcome=outcome,
                                      inspected_on=TODAY - timedelta(days=days_ago),
                                      **INSPECTOR, **{**body, **extra})


def test_a_violation_suspends_at_once_and_opens_a_case(session, make_facility, signals):
    facility = make_facility()
    inspection = inspect(session, facility, "violation", 10, findings=[FINDING])
    assert facility.status == "suspended"
    assert "violation" in facility.status_reason
    (case,) = cases_of(session, facility.id)
    assert case.opened_on == inspection.inspected_on and case.resolved_on is None
    (change,) = status_history(session, facility.id)
    assert (change.from_status, change.to_status, change.inspection_id) == (
        "active", "suspended", inspection.id)
    (sender, kwargs), = sent(signals, "facility_suspended")
    assert sender.id == facility.id and "violation" in kwargs["reason"]


def test_findings_become_verified_measurements(session, make_facility):
    facility = make_facility()
    inspection = inspect(session, facility, "violation", 10, findings=[FINDING])
    (entry,) = session.exec(select(Evidence).where(Evidence.facility_id == facility.id)).all()
    assert (entry.kind, entry.verified, entry.value, entry.inspection_id) == (
        "measurement", True, 72.0, inspection.id)
    assert entry.observed_on == inspection.inspected_on


def test_a_bad_finding_names_its_index(session, make_facility):
    with pytest.raises(ValidationFailed) as caught:
        inspect(session, make_facility(), "compliant", 1,
                findings=[FINDING, {**FINDING, "unit": "parsecs"}])
    assert "findings[1].unit" in caught.value.fields


def test_a_later_compliant_inspection_reinstates_and_resolves_the_case(session, make_facility,
                                                                        signals):
    facility = make_facility()
    inspect(session, facility, "violation", 20)
    compliant = inspect(session, facility, "compliant", 5)
    assert facility.status == "active"
    (case,) = cases_of(session, facility.id)
    assert case.resolved_on == compliant.inspected_on
    assert case.days_to_resolution == 15
    assert len(sent(signals, "facility_reinstated")) == 1
    assert [c.to_status for c in status_history(session, facility.id)] == ["suspended", "active"]


def test_a_compliant_inspection_dated_before_the_violation_does_not_reinstate(session,
                                                                              make_facility):
    facility = make_facility()
    inspect(session, facility, "violation", 5)
    inspect(session, facility, "compliant", 20)  # entered late, but it happened earlier
    assert facility.status == "suspended"
    assert cases_of(session, facility.id)[0].resolved_on is None


def test_reinstatement_by_hand_needs_a_later_compliant_inspection(session, make_facility):
    facility = make_facility()
    services.suspend_facility(session, facility_id=facility.id, reason="permit lapsed", **INSPECTOR)
    with pytest.raises(InvalidTransition):
        services.reinstate_facility(session, facility_id=facility.id, reason="renewed", **INSPECTOR)
    assert facility.status == "suspended"


def test_suspending_a_suspended_facility_is_an_invalid_transition(session, make_facility):
    facility = make_facility()
    services.suspend_facility(session, facility_id=facility.id, reason="first", **INSPECTOR)
    with pytest.raises(InvalidTransition) as caught:
        services.suspend_facility(session, facility_id=facility.id, reason="again", **INSPECTOR)
    assert caught.value.code == "invalid_transition"
    assert len(status_history(session, facility.id)) == 1


def test_revocation_is_final(session, make_facility):
    facility = make_facility()
    services.revoke_facility(session, facility_id=facility.id, reason="fraud", **INSPECTOR)
    with pytest.raises(InvalidTransition):
        services.reinstate_facility(session, facility_id=facility.id, reason="x", **INSPECTOR)
    with pytest.raises(InvalidTransition):
        inspect(session, facility, "compliant", 1)
    assert facility.status == "revoked"


def test_a_violation_needs_a_summary(session, make_facility):
    with pytest.raises(ValidationFailed) as caught:
        inspect(session, make_facility(), "violation", 1, summary="")
    assert "summary" in caught.value.fields


def test_only_an_inspector_records_an_inspection(session, make_facility):
    facility = make_facility()
    with pytest.raises(NotAllowed):
        services.record_inspection(session, facility_id=facility.id, outcome="compliant",
                                   inspected_on=TODAY, **FACILITY_USER)


def test_attachments_are_kept_with_their_checksum(session, make_facility):
    from facility_registry.inspections import attachments_of

    inspection = inspect(session, make_facility(), "compliant", 1, attachments=[PDF])
    ((_id, filename, content_type, size),) = attachments_of(session, [inspection.id])[inspection.id]
    assert (filename, content_type, size) == ("report.pdf", "application/pdf", len(PDF.content))


@pytest.mark.parametrize("upload, message", [
    (services.Upload("x.exe", "application/x-msdownload", b"MZ..."), "PDF, PNG or JPEG"),
    (services.Upload("fake.pdf", "application/pdf", b"<html>"), "not really"),
    (services.Upload("big.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * MAX_ATTACHMENT_BYTES),
     "larger than"),
])
def test_attachments_are_checked_for_type_and_size(session, make_facility, upload, message):
    with pytest.raises(ValidationFailed) as caught:
        inspect(session, make_facility(), "compliant", 1, attachments=[upload])
    assert message in caught.value.fields["attachments[0]"][0]


def test_a_case_records_when_the_facility_was_notified(session, make_facility):
    facility = make_facility()
    inspect(session, facility, "violation", 10)
    (case,) = cases_of(session, facility.id)
    services.notify_case(session, case_id=case.id, notified_on=TODAY - timedelta(days=8), **INSPECTOR)
    assert case.notified_on == TODAY - timedelta(days=8)
    with pytest.raises(InvalidTransition):
        services.notify_case(session, case_id=case.id, notified_on=TODAY, **INSPECTOR)
