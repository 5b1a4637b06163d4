"""Each event tells the people it concerns, and nobody else: decisions, holds, suspensions,
evidence and consent requests, missed deadlines and escalated cases."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session, select

from facility_registry import services as registry
from permits.cases.sweep import flag_overdue
from permits.notifications.models import Notification
from permits.permitting import services as permit_services
from permits.shipments.deadlines import sweep_deadlines
from tests.cases.conftest import file
from tests.helpers import SYSTEM_INSPECTOR, make_user
from tests.notifications.conftest import codes, notices
from tests.permits.conftest import PEL, TODAY, apply, as_user
from tests.shipments.factories import make_shipment


def test_an_approval_tells_the_shippers_of_the_organization_and_asks_the_importing_authority(
        db, shipper, colleague, other_shipper, mx_authority, ca_authority, compliant_facility):
    with Session(db, expire_on_commit=False) as session:
        permit, decision = apply(session, shipper, compliant_facility.id)
        session.commit()
    assert decision.outcome == "approved"
    assert codes(db, shipper) == codes(db, colleague) == ["notice.permit_approved"]
    assert codes(db, mx_authority) == ["notice.consent_requested"]
    assert codes(db, other_shipper) == codes(db, ca_authority) == []
    with Session(db) as session:
        link = session.exec(select(Notification.link).where(
            Notification.user_id == shipper.id)).one()
    assert link == f"/permits/{permit.id}"


def test_a_consent_tells_the_shipper(db, approved, shipper, mx_authority, other_shipper):
    # `approved` recorded Mexico's consent: the shipper was told of the approval, then of it.
    assert codes(db, shipper) == ["notice.permit_approved", "notice.consent_granted"]
    assert codes(db, other_shipper) == []


def test_an_inspectors_denial_and_evidence_request_reach_the_shipper_and_the_facility(
        db, shipper, inspector, bare_facility, compliant_facility):
    facility_user = make_user(db, "facility", facility_id=bare_facility.id)
    elsewhere = make_user(db, "facility", facility_id=compliant_facility.id)
    with Session(db, expire_on_commit=False) as session:
        permit, decision = apply(session, shipper, bare_facility.id)
        assert decision.outcome == "under_review"
        permit_services.request_evidence(session, actor=as_user(session, inspector),
                                         permit_id=permit.id, message="Send the stack test.")
        permit_services.deny(session, actor=as_user(session, inspector), permit_id=permit.id,
                             reason="No evidence after 60 days.", today=TODAY)
        session.commit()
    assert codes(db, facility_user) == ["notice.evidence_requested"]
    assert codes(db, shipper) == ["notice.permit_denied_by_inspector"]
    assert codes(db, inspector) == codes(db, elsewhere) == []  # who acted is not told


def test_a_hold_and_its_release_tell_the_shipper_and_the_facility(db, approved, shipper,
                                                                 compliant_facility):
    facility_user = make_user(db, "facility", facility_id=compliant_facility.id)
    with Session(db, expire_on_commit=False) as session:
        own = registry.record_evidence(
            session, facility_id=compliant_facility.id, standard=PEL, kind="measurement",
            value=180, unit="µg/m³", basis="8h_twa", observed_on=TODAY, source="lab",
            actor_id=None, actor_role="facility")
        session.commit()
    with Session(db) as session:
        registry.reject_evidence(session, evidence_id=own.id, reason="sampler contaminated",
                                 **SYSTEM_INSPECTOR)
        session.commit()
    assert codes(db, facility_user) == ["notice.permit_on_hold", "notice.permit_released"]
    assert codes(db, shipper)[-2:] == ["notice.permit_on_hold", "notice.permit_released"]
    with Session(db) as session:
        held = session.exec(select(Notification).where(
            Notification.code == "notice.permit_on_hold")).first()
    assert [m["params"]["standard"] for m in held.params["unmet"]] == [PEL]


def test_a_suspension_tells_the_facility_and_the_shipper_of_loads_in_transit(
        db, approved, shipper, other_shipper, compliant_facility):
    facility_user = make_user(db, "facility", facility_id=compliant_facility.id)
    with Session(db) as session:
        make_shipment(session, permit=approved, departed_on=TODAY)
        registry.suspend_facility(session, facility_id=compliant_facility.id,
                                  reason="Lead in the school yard.", **SYSTEM_INSPECTOR)
        session.commit()
    assert codes(db, facility_user) == ["notice.facility_suspended", "notice.permit_suspended_one_in_transit"]
    assert codes(db, shipper)[-1] == "notice.permit_suspended_one_in_transit"
    assert codes(db, other_shipper) == []
    with Session(db) as session:
        told = session.exec(select(Notification).where(Notification.user_id == shipper.id)
                            .order_by(Notification.id.desc())).first()
    assert told.params["num"] == 1


def test_a_missed_receipt_tells_the_receiving_facility_only(db, approved, shipper,
                                                           compliant_facility):
    facility_user = make_user(db, "facility", facility_id=compliant_facility.id)
    before = codes(db, shipper)
    with Session(db) as session:
        make_shipment(session, permit=approved, departed_on=TODAY - timedelta(days=20))
        assert len(sweep_deadlines(session, TODAY)) == 1
        session.commit()
    assert codes(db, facility_user) == ["notice.deadline_missed"]
    assert codes(db, shipper) == before


def test_a_petition_and_an_overdue_case_stage_reach_the_inspectors(db, shipper, compliant_facility):
    inspectors = [make_user(db, "inspector"), make_user(db, "inspector")]
    admin = make_user(db, "admin")
    with Session(db, expire_on_commit=False) as session:
        case = file(session, compliant_facility, today=TODAY)
        session.commit()
    with Session(db) as session:
        assert flag_overdue(session, TODAY + timedelta(days=400))
        session.commit()
    for inspector in inspectors:
        assert codes(db, inspector) == ["notice.case_opened", "notice.case_overdue"]
    assert codes(db, admin) == codes(db, shipper) == []
    assert set(_links(db)) == {f"/cases/desk/{case.id}"}


def test_a_plain_accepted_shipment_tells_nobody(db, approved):
    before = notices(db)
    with Session(db) as session:
        make_shipment(session, permit=approved, departed_on=TODAY)
        session.commit()
    assert notices(db) == before


def test_a_rolled_back_event_leaves_no_notice(db, shipper, compliant_facility):
    with Session(db) as session:
        apply(session, shipper, compliant_facility.id)
        assert session.exec(select(Notification)).all()  # written in the event's transaction
        session.rollback()
    assert notices(db) == []


def test_a_consent_tacit_after_its_wait_tells_the_authority_that_let_it_run(db, shipper,
                                                                          canadian_facility):
    facility = canadian_facility
    ca = make_user(db, "authority", country="CA")
    with Session(db, expire_on_commit=False) as session:
        permit, decision = apply(session, shipper, facility.id)
        session.commit()
    assert decision.outcome == "approved", decision.reasons
    from permits.consents.gate import grant_tacit_due
    with Session(db) as session:
        assert grant_tacit_due(session, today=TODAY + timedelta(days=31))
        session.commit()
    assert codes(db, ca) == ["notice.consent_requested_tacit", "notice.consent_tacit"]
    assert codes(db, shipper)[-1] == "notice.consent_granted"


def _links(db):
    with Session(db) as session:
        return session.exec(select(Notification.link).where(
            Notification.code.like("notice.case%"))).all()



def test_a_revocation_tells_the_shipper_and_the_facility_with_the_loads_in_transit(
        db, approved, shipper, inspector, compliant_facility):
    facility_user = make_user(db, "facility", facility_id=compliant_facility.id)
    with Session(db) as session:
        make_shipment(session, permit=approved, departed_on=TODAY)
        make_shipment(session, permit=approved, departed_on=TODAY)
        permit_services.revoke(session, actor=as_user(session, inspector), permit_id=approved.id,
                               reason="False origin declared.")
        session.commit()
    assert codes(db, facility_user) == ["notice.permit_revoked"]
    with Session(db) as session:
        told = session.exec(select(Notification).where(Notification.user_id == shipper.id)
                            .order_by(Notification.id.desc())).first()
    assert told.code == "notice.permit_revoked"
    assert told.params == {"number": approved.number, "num": 2, "reason": "False origin declared."}
    assert codes(db, inspector) == []


def test_a_notice_that_fails_does_not_undo_the_event(db, monkeypatch, shipper, mx_authority,
                                                     compliant_facility):
    from permits.notifications import notices as handlers

    def broken(session, entry):  # a failing statement: on PostgreSQL it aborts its transaction
        session.execute(text("SELECT no_such_column FROM notification"))

    monkeypatch.setitem(handlers.HANDLERS, "decision.recorded", broken)
    with Session(db, expire_on_commit=False) as session:
        permit, decision = apply(session, shipper, compliant_facility.id)
        session.commit()
    assert decision.outcome == "approved"
    assert codes(db, shipper) == []  # its notice failed...
    assert codes(db, mx_authority) == ["notice.consent_requested"]  # ...the others were written
