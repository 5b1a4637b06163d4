"""The registry's events reach the permits in the same transaction: a violation suspends every
approved permit naming the facility, a reinstatement decides them again, and new verified
evidence decides the applications under review again by itself."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from facility_registry import services as registry
from facility_registry.models import Evidence
from permits.audit.models import AuditEntry
from permits.permitting import amendments
from permits.permitting import services as service
from permits.permitting.decision_models import Decision, EvidenceRequest
from tests.helpers import SYSTEM_INSPECTOR, make_facility
from tests.permits.conftest import PEL, TODAY, apply, as_user, failing_value, record_evidence

SELF_REPORTED = {"actor_id": None, "actor_role": "facility"}


def violation(session, facility, *, days_ago=2, findings=None):
    return registry.record_inspection(
        session, facility_id=facility.id, inspected_on=TODAY - timedelta(days=days_ago),
        outcome="violation", findings=findings or [], summary="Baghouse bypassed",
        **SYSTEM_INSPECTOR)


def compliant(session, facility, *, days_ago=1):
    return registry.record_inspection(
        session, facility_id=facility.id, inspected_on=TODAY - timedelta(days=days_ago),
        outcome="compliant", summary="Repaired", **SYSTEM_INSPECTOR)


def test_a_violation_suspends_every_approved_permit_naming_the_facility_at_once(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    other = make_facility(session, "US")
    record_evidence(session, other)
    first, _ = apply(session, shipper, facility.id)
    second, _ = apply(session, shipper, facility.id, quantity_tonnes=20)
    elsewhere, _ = apply(session, shipper, other.id)
    pending, _ = apply(session, shipper, facility.id, operation_code="R5")  # denied
    violation(session, facility)
    for permit in (first, second, elsewhere, pending):
        session.refresh(permit)
    assert (first.status, second.status) == ("suspended", "suspended")
    assert (elsewhere.status, pending.status) == ("approved", "denied")
    assert "is suspended: violation found at inspection" in first.status_reason
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "permit.suspend")).all()
    assert sorted(int(e.entity_id) for e in entries) == sorted([first.id, second.id])


def test_a_permit_naming_the_facility_as_final_facility_is_suspended_too(session, shipper):
    interim = make_facility(session, "MX")
    record_evidence(session, interim)
    final = make_facility(session, "US")
    record_evidence(session, final)
    permit, decision = apply(session, shipper, interim.id, operation_code="R13",
                             final_facility_id=final.id, final_operation_code="R4")
    assert decision.outcome == "approved"
    violation(session, final)
    session.refresh(permit)
    assert permit.status == "suspended"


def test_a_reinstated_facility_has_its_suspended_permits_decided_again(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    permit, _ = apply(session, shipper, facility.id)
    violation(session, facility)
    compliant(session, facility)
    session.refresh(permit)
    assert permit.status == "approved"
    latest = session.exec(select(Decision).where(Decision.permit_id == permit.id)
                          .order_by(Decision.id.desc())).first()
    assert (latest.kind, latest.outcome, latest.decided_by_id) == ("reinstatement", "approved", None)


def test_a_reinstated_facility_whose_violation_was_measured_denies_on_redecision(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    permit, _ = apply(session, shipper, facility.id)
    standard_value = 50
    violation(session, facility, findings=[{"standard": PEL, "value": standard_value * 3,
                                           "unit": "µg/m³", "basis": "8h_twa"}])
    compliant(session, facility)
    session.refresh(permit)
    assert permit.status == "denied"
    assert any(r.startswith(f"{PEL}: fails") for r in permit.status_reason.split("; "))


def test_verified_evidence_decides_an_application_under_review_by_itself(session, shipper,
                                                                         inspector):
    facility = make_facility(session, "MX")
    record_evidence(session, facility, skip={PEL})
    record_evidence(session, facility, only={PEL}, actor=SELF_REPORTED)
    permit, decision = apply(session, shipper, facility.id)
    assert decision.outcome == "under_review"
    request = service.request_evidence(session, actor=as_user(session, inspector),
                                       permit_id=permit.id, standard=PEL,
                                       message="Send the verified lab report")
    assert request.facility_id == facility.id
    for entry in session.exec(select(Evidence).where(Evidence.facility_id == facility.id,
                                                     Evidence.verified.is_(False))).all():
        registry.verify_evidence(session, evidence_id=entry.id, **SYSTEM_INSPECTOR)
    session.refresh(permit)
    session.refresh(request)
    assert permit.status == "approved"
    latest = session.exec(select(Decision).where(Decision.permit_id == permit.id)
                          .order_by(Decision.id.desc())).first()
    assert (latest.kind, latest.decided_by_id) == ("re_evaluation", None)
    assert request.status in ("answered", "closed")


def test_new_evidence_that_changes_nothing_records_no_new_decision(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility, skip={PEL})
    permit, _ = apply(session, shipper, facility.id)
    # Verified evidence for a standard that does not apply to EAF dust: nothing changes.
    record_evidence(session, facility, "lead_acid_battery_dust",
                    only={"epa-secondary-lead-effluent-daily-max"})
    count = len(session.exec(select(Decision).where(Decision.permit_id == permit.id)).all())
    assert count == 1


def test_failing_verified_evidence_denies_an_application_under_review(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility, skip={PEL})
    permit, _ = apply(session, shipper, facility.id)
    record_evidence(session, facility, only={PEL}, overrides={PEL: failing_value})
    session.refresh(permit)
    assert permit.status == "denied"
    requests = session.exec(select(EvidenceRequest)).all()
    assert requests == []


def test_verified_evidence_decides_an_amendment_under_review(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    permit, _ = apply(session, shipper, facility.id)
    new_facility = make_facility(session, "CA")
    amendment, decision = amendments.propose(session, actor=as_user(session, shipper),
                                             permit_id=permit.id, today=TODAY,
                                             changes={"receiving_facility_id": new_facility.id})
    assert decision.outcome == "under_review"
    record_evidence(session, new_facility)
    session.refresh(amendment)
    session.refresh(permit)
    assert amendment.status == "approved"
    assert permit.receiving_facility_id == new_facility.id
