"""The permit's state machine: every allowed transition happens (with its audit entry), and
every other one is refused with a named 409."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from facility_registry import services as registry
from permits.api.errors import http_status
from permits.audit.models import AuditEntry
from permits.permitting import amendments, state
from permits.permitting import services as service
from permits.permitting.decision_models import Decision
from permits.permitting.errors import (
    ChecksNotMet,
    InvalidApplication,
    PermitNotActive,
    PermitNotFound,
)
from permits.permitting.models import PERMIT_STATUSES, Permit
from standards.errors import InvalidTransition
from tests.helpers import SYSTEM_INSPECTOR, make_facility
from tests.permits.conftest import (
    PEL,
    TODAY,
    application,
    apply,
    as_user,
    record_evidence,
    set_verified,
)

# The specification, written out independently of permits.permitting.state: which statuses each
# action may start from.
ALLOWED_FROM = {
    "submit": {"draft"},
    "re_evaluate": {"under_review"},
    "approve": {"under_review"},
    "deny": {"under_review"},
    "withdraw": {"draft", "under_review", "approved", "on_hold", "suspended"},
    "revoke": {"approved", "on_hold", "suspended"},
    "suspend": {"approved", "on_hold"},
    "redecide": {"suspended"},
    "expire": {"approved", "on_hold", "suspended"},
    "amend": {"approved"},
    "hold": {"approved"},
    "update_hold": {"on_hold"},
    "release": {"on_hold"},
    # A rapid-response case under investigation holds a permit; its closure releases it.
    "case_hold": {"approved", "on_hold"},
    "case_release": {"on_hold"},
}


def test_the_table_has_exactly_the_specified_actions():
    assert set(state.TRANSITIONS) == set(ALLOWED_FROM)


@pytest.mark.parametrize("action", sorted(ALLOWED_FROM))
@pytest.mark.parametrize("status", PERMIT_STATUSES)
def test_each_action_from_each_status(action, status):
    if status in ALLOWED_FROM[action]:
        assert state.require(action, status).action == action
    else:
        with pytest.raises(InvalidTransition) as refused:
            state.require(action, status)
        assert http_status(refused.value) == 409
        assert refused.value.code in ("invalid_transition", "permit_not_active")
        assert status.replace("_", " ") in refused.value.message


def test_an_action_cannot_lead_to_a_status_outside_its_targets():
    with pytest.raises(InvalidTransition):
        state.require("approve", "under_review", "denied")


# --- permits in each status, made through the services -------------------------------------------

@pytest.fixture
def make_permit(session, shipper, inspector):
    """permit in `status`, each on a facility of its own (a suspension touches only its own)."""
    def make(status: str) -> Permit:
        actor = as_user(session, shipper)
        facility = make_facility(session, "MX", name=f"Facility for {status}")
        if status == "draft":
            return service.save_draft(session, actor=actor, body=application(facility.id),
                                      today=TODAY)
        if status == "withdrawn":
            draft = make("draft")
            return service.withdraw(session, actor=actor, permit_id=draft.id)
        if status == "under_review":
            return apply(session, shipper, facility.id)[0]
        if status == "denied":
            route = {"exit_port": "A", "entry_port": "B", "transit_countries": ["GT"]}
            return apply(session, shipper, facility.id, route=route)[0]
        record_evidence(session, facility)
        permit = apply(session, shipper, facility.id)[0]
        assert permit.status == "approved"
        if status == "suspended":
            registry.suspend_facility(session, facility_id=facility.id, reason="violation",
                                      **SYSTEM_INSPECTOR)
        elif status == "revoked":
            service.revoke(session, actor=as_user(session, inspector), permit_id=permit.id,
                           reason="false statement in the application")
        elif status == "expired":
            session.execute(update(Permit).where(Permit.id == permit.id)
                            .values(valid_to=TODAY - timedelta(days=1)))
            service.expire_due(session, today=TODAY)
        session.refresh(permit)
        assert permit.status == status
        return permit
    return make


def last_audit(session, permit_id):
    return session.exec(select(AuditEntry).where(AuditEntry.entity == "permit",
                                                 AuditEntry.entity_id == str(permit_id))
                        .order_by(AuditEntry.seq.desc())).first()


@pytest.mark.parametrize("start", ["draft", "under_review", "approved", "suspended"])
def test_the_shipper_withdraws_from(session, shipper, make_permit, start):
    permit = make_permit(start)
    service.withdraw(session, actor=as_user(session, shipper), permit_id=permit.id,
                     reason="contract cancelled")
    assert permit.status == "withdrawn"
    entry = last_audit(session, permit.id)
    assert (entry.action, entry.actor_id) == ("permit.withdraw", shipper.id)
    assert (entry.before["status"], entry.after["status"]) == (start, "withdrawn")
    assert entry.reason == "contract cancelled"


@pytest.mark.parametrize("start", ["denied", "revoked", "expired", "withdrawn"])
def test_withdrawing_a_closed_permit_is_refused(session, shipper, make_permit, start):
    permit = make_permit(start)
    with pytest.raises(InvalidTransition) as refused:
        service.withdraw(session, actor=as_user(session, shipper), permit_id=permit.id)
    assert refused.value.code == "invalid_transition"


@pytest.mark.parametrize("start", ["approved", "suspended"])
def test_an_inspector_revokes_from(session, inspector, make_permit, start):
    permit = make_permit(start)
    service.revoke(session, actor=as_user(session, inspector), permit_id=permit.id,
                   reason="forged movement documents")
    assert permit.status == "revoked"
    entry = last_audit(session, permit.id)
    assert (entry.action, entry.actor_id, entry.reason) == (
        "permit.revoke", inspector.id, "forged movement documents")


@pytest.mark.parametrize("start", ["draft", "under_review", "denied", "revoked", "expired",
                                   "withdrawn"])
def test_revoking_a_permit_not_in_force_is_permit_not_active(session, inspector, make_permit,
                                                             start):
    permit = make_permit(start)
    with pytest.raises(PermitNotActive) as refused:
        service.revoke(session, actor=as_user(session, inspector), permit_id=permit.id,
                       reason="x")
    assert (http_status(refused.value), refused.value.code) == (409, "permit_not_active")


def test_revoking_needs_a_reason(session, inspector, make_permit):
    permit = make_permit("approved")
    with pytest.raises(InvalidApplication) as refused:
        service.revoke(session, actor=as_user(session, inspector), permit_id=permit.id,
                       reason="  ")
    assert "reason" in refused.value.fields


def test_submitting_twice_is_refused(session, shipper, make_permit):
    permit = make_permit("approved")
    with pytest.raises(InvalidTransition):
        service.submit(session, actor=as_user(session, shipper), permit_id=permit.id, today=TODAY)


def test_a_draft_is_submitted_and_decided(session, shipper, make_permit):
    draft = make_permit("draft")
    assert draft.number is None
    permit, decision = service.submit(session, actor=as_user(session, shipper),
                                      permit_id=draft.id, today=TODAY)
    assert permit.status == decision.outcome == "under_review"
    assert permit.number and permit.submitted_at is not None


def test_the_inspector_may_not_approve_while_a_check_is_not_met(session, inspector, make_permit):
    permit = make_permit("under_review")
    with pytest.raises(ChecksNotMet) as refused:
        service.approve(session, actor=as_user(session, inspector), permit_id=permit.id,
                        today=TODAY)
    assert refused.value.code == "checks_not_met"
    assert any(PEL in line for line in refused.value.fields["checks"])
    assert permit.status == "under_review"


def test_the_inspector_approves_once_every_check_meets(session, shipper, inspector):
    facility = make_facility(session, "MX")
    record_evidence(session, facility, actor={"actor_id": None, "actor_role": "facility"})
    permit, first = apply(session, shipper, facility.id)
    assert first.outcome == "under_review"  # everything self-reported
    set_verified(session, facility.id)
    permit, decision = service.approve(session, actor=as_user(session, inspector),
                                       permit_id=permit.id, today=TODAY)
    assert permit.status == "approved"
    assert (decision.kind, decision.decided_by_id) == ("inspector_approval", inspector.id)
    with pytest.raises(InvalidTransition):
        service.approve(session, actor=as_user(session, inspector), permit_id=permit.id,
                        today=TODAY)


def test_the_inspector_denies_with_a_reason(session, inspector, make_permit):
    permit = make_permit("under_review")
    permit, decision = service.deny(session, actor=as_user(session, inspector),
                                    permit_id=permit.id, reason="No evidence after 60 days",
                                    today=TODAY)
    assert (permit.status, decision.outcome, decision.note) == (
        "denied", "denied", "No evidence after 60 days")
    assert decision.reasons[0] == "denied by an inspector: No evidence after 60 days"
    with pytest.raises(InvalidTransition):
        service.deny(session, actor=as_user(session, inspector), permit_id=permit.id,
                     reason="again", today=TODAY)


def test_re_evaluation_keeps_an_application_under_review_until_the_evidence_is_there(
        session, inspector, make_permit):
    permit = make_permit("under_review")
    _, decision = service.re_evaluate(session, actor=as_user(session, inspector),
                                      permit_id=permit.id, today=TODAY)
    assert (permit.status, decision.kind, decision.decided_by_id) == (
        "under_review", "re_evaluation", inspector.id)
    with pytest.raises(InvalidTransition):
        service.re_evaluate(session, actor=as_user(session, inspector),
                            permit_id=make_permit("denied").id, today=TODAY)


def test_expiry_moves_only_permits_past_their_validity(session, make_permit):
    current, past = make_permit("approved"), make_permit("approved")
    pending = make_permit("under_review")
    session.execute(update(Permit).where(Permit.id == past.id)
                    .values(valid_to=TODAY - timedelta(days=1)))
    assert service.expire_due(session, today=TODAY) == [past.id]
    assert service.expire_due(session, today=TODAY) == []  # idempotent
    for permit in (current, past, pending):
        session.refresh(permit)
    assert (current.status, past.status, pending.status) == ("approved", "expired", "under_review")


def test_a_shipper_cannot_touch_another_organizations_permit(session, other_shipper, make_permit):
    permit = make_permit("approved")
    with pytest.raises(PermitNotFound):
        service.withdraw(session, actor=as_user(session, other_shipper), permit_id=permit.id)


# --- amendments ----------------------------------------------------------------------------------

def test_an_approved_amendment_takes_effect(session, shipper, make_permit):
    permit = make_permit("approved")
    carriers = [{"name": "Border Haulage LLC", "country": "US"},
                {"name": "Transportes del Golfo", "country": "MX"}]
    amendment, decision = amendments.propose(
        session, actor=as_user(session, shipper), permit_id=permit.id, today=TODAY,
        changes={"quantity_tonnes": 650.5, "transporters": carriers})
    session.refresh(permit)
    assert (amendment.status, decision.outcome, decision.kind) == ("approved", "approved",
                                                                   "amendment")
    assert (permit.status, permit.quantity_kg, permit.transporters) == ("approved", 650_500,
                                                                       carriers)
    assert amendment.before["quantity_tonnes"] == 500
    assert last_audit(session, permit.id).action == "permit.amend"


def test_an_amendment_to_a_facility_that_fails_is_denied_and_changes_nothing(
        session, shipper, make_permit):
    permit = make_permit("approved")
    other = make_facility(session, "US", operations=["R5"])  # does not perform R4
    amendment, decision = amendments.propose(
        session, actor=as_user(session, shipper), permit_id=permit.id, today=TODAY,
        changes={"receiving_facility_id": other.id})
    session.refresh(permit)
    assert (amendment.status, decision.outcome) == ("denied", "denied")
    assert permit.receiving_facility_id != other.id


def test_an_amendment_under_review_is_decided_by_an_inspector(session, shipper, inspector,
                                                              make_permit):
    permit = make_permit("approved")
    bare = make_facility(session, "CA")
    amendment, decision = amendments.propose(
        session, actor=as_user(session, shipper), permit_id=permit.id, today=TODAY,
        changes={"receiving_facility_id": bare.id})
    assert (amendment.status, decision.outcome) == ("under_review", "under_review")
    with pytest.raises(ChecksNotMet):
        amendments.approve(session, actor=as_user(session, inspector),
                           amendment_id=amendment.id, today=TODAY)
    amendments.deny(session, actor=as_user(session, inspector), amendment_id=amendment.id,
                    reason="no evidence for the new facility", today=TODAY)
    session.refresh(amendment)
    session.refresh(permit)
    assert (amendment.status, permit.receiving_facility_id) == ("denied",
                                                                permit.receiving_facility_id)
    assert permit.receiving_facility_id != bare.id


@pytest.mark.parametrize("start", ["under_review", "denied", "suspended", "revoked"])
def test_only_a_permit_in_force_is_amended(session, shipper, make_permit, start):
    permit = make_permit(start)
    with pytest.raises(PermitNotActive):
        amendments.propose(session, actor=as_user(session, shipper), permit_id=permit.id,
                           today=TODAY, changes={"quantity_tonnes": 900})


def test_an_amendment_may_not_go_below_what_was_already_shipped(session, shipper, make_permit):
    permit = make_permit("approved")
    session.execute(update(Permit).where(Permit.id == permit.id).values(used_kg=300_000))
    with pytest.raises(InvalidApplication) as refused:
        amendments.propose(session, actor=as_user(session, shipper), permit_id=permit.id,
                           today=TODAY, changes={"quantity_tonnes": 250})
    assert "quantity_tonnes" in refused.value.fields


def test_what_an_application_may_not_change_is_named(session, shipper, make_permit):
    permit = make_permit("approved")
    with pytest.raises(InvalidApplication) as refused:
        amendments.propose(session, actor=as_user(session, shipper), permit_id=permit.id,
                           today=TODAY, changes={"byproduct": "slag", "quantity_tonnes": 600})
    assert list(refused.value.fields) == ["byproduct"]


def test_every_decision_of_a_permit_is_kept(session, shipper, make_permit):
    permit = make_permit("approved")
    amendments.propose(session, actor=as_user(session, shipper), permit_id=permit.id,
                       today=TODAY, changes={"shipments_planned": 25})
    kinds = session.exec(select(Decision.kind).where(Decision.permit_id == permit.id)
                         .order_by(Decision.id)).all()
    assert kinds == ["submission", "amendment"]
