"""A violation confirmed by a case takes the inspection's path: the facility is suspended by the
registry's service and every approved permit naming it is suspended in the same transaction;
the case closes `remedied` only once a compliant inspection has reinstated the facility."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from facility_registry import services as registry
from facility_registry.models import EnforcementCase, FacilityStatusChange
from permits.audit.models import AuditEntry
from permits.cases import services
from permits.cases.errors import InvalidStage
from standards import clock
from tests.cases.conftest import INSPECTOR
from tests.permits.conftest import TODAY, apply, make_facility, record_evidence


def _to_findings(session, facility, *, start):
    case = services.file_petition(session, facility_id=facility.id, category="occupational",
                                  allegation="Workers' blood lead is never tested", today=start)
    services.screen(session, case_id=case.id, decision="accept", reasons="ok", today=start,
                    **INSPECTOR)
    services.investigate(session, case_id=case.id, method="inspection", country_agreed=True,
                         today=start, **INSPECTOR)
    return case


def test_a_confirmed_violation_suspends_the_facility_and_its_approved_permits(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    permit, _ = apply(session, shipper, facility.id)
    assert permit.status == "approved"
    case = _to_findings(session, facility, start=TODAY - timedelta(days=3))

    services.record_findings(session, case_id=case.id, violation=True,
                             summary="No blood-lead programme", today=TODAY, **INSPECTOR)
    session.refresh(facility)
    session.refresh(permit)
    assert facility.status == "suspended"
    assert case.reference in facility.status_reason
    assert permit.status == "suspended"
    change = session.exec(select(FacilityStatusChange)
                          .where(FacilityStatusChange.facility_id == facility.id)).one()
    assert change.to_status == "suspended"
    actions = [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.seq))]
    assert actions.index("case.findings") < actions.index("facility.suspended") < actions.index("permit.suspend")
    # The petition's case is the case: no second one is opened for the same violation.
    assert session.exec(select(EnforcementCase).where(EnforcementCase.facility_id == facility.id)).all() == [case]


def test_the_case_is_remedied_only_after_a_compliant_inspection_reinstates_the_facility(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    case = _to_findings(session, facility, start=TODAY - timedelta(days=10))
    services.record_findings(session, case_id=case.id, violation=True, summary="x",
                             today=TODAY - timedelta(days=9), **INSPECTOR)
    services.plan_remediation(session, case_id=case.id, today=TODAY - timedelta(days=8), actions=[
        {"action": "Start blood-lead sampling", "due_on": (TODAY + timedelta(days=30)).isoformat()}],
        **INSPECTOR)
    with pytest.raises(InvalidStage) as caught:
        services.close_case(session, case_id=case.id, outcome="remedied", summary="done", **INSPECTOR)
    assert "outcome" in caught.value.fields and case.stage == "remediation"

    # The suspension was recorded now; as the findings were 9 days ago, so was it.
    session.execute(update(FacilityStatusChange).where(FacilityStatusChange.facility_id == facility.id)
                    .values(at=clock.utcnow() - timedelta(days=9)))
    registry.record_inspection(session, facility_id=facility.id, inspected_on=TODAY,
                               outcome="compliant", summary="Programme in place", **INSPECTOR)
    session.refresh(facility)
    assert facility.status == "active"
    session.refresh(case)
    assert case.stage == "remediation"  # a compliant inspection does not close a petition's case
    services.close_case(session, case_id=case.id, outcome="remedied", summary="Programme running",
                        today=TODAY, **INSPECTOR)
    assert (case.stage, case.outcome, case.resolved_on) == ("closed", "remedied", TODAY)


def test_findings_naming_an_inspection_must_agree_with_its_outcome(session):
    facility = make_facility(session, "MX")
    case = _to_findings(session, facility, start=TODAY - timedelta(days=3))
    inspection = registry.record_inspection(session, facility_id=facility.id, inspected_on=TODAY,
                                            outcome="compliant", summary="fine", **INSPECTOR)
    with pytest.raises(services.InvalidPetition) as caught:
        services.record_findings(session, case_id=case.id, violation=True, summary="x",
                                 inspection_id=inspection.id, **INSPECTOR)
    assert "inspection_id" in caught.value.fields
    services.record_findings(session, case_id=case.id, violation=False, summary="fine",
                             inspection_id=inspection.id, **INSPECTOR)
    assert (case.outcome, case.inspection_id) == ("unfounded", inspection.id)


def test_an_inspection_violation_opens_a_case_in_remediation_that_a_compliant_one_remedies(session):
    facility = make_facility(session, "MX")
    registry.record_inspection(session, facility_id=facility.id, inspected_on=TODAY - timedelta(days=2),
                               outcome="violation", summary="Dust piles", **INSPECTOR)
    case = session.exec(select(EnforcementCase).where(EnforcementCase.facility_id == facility.id)).one()
    assert (case.origin, case.stage, case.reference) == (
        "inspection", "remediation", f"RRC-{case.opened_on.year}-{case.id:06d}")
    registry.record_inspection(session, facility_id=facility.id, inspected_on=TODAY,
                               outcome="compliant", summary="Cleared", **INSPECTOR)
    session.refresh(case)
    assert (case.stage, case.outcome) == ("closed", "remedied")
