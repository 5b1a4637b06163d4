"""Continuous equivalence: an approved permit whose facility stops meeting a standard it was
decided on goes on hold in the same transaction as the change (audited, with since, reasons and
checks), is refused shipments, and returns to approved by itself when the facility meets again."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from facility_registry import services as registry
from facility_registry.models import Evidence
from permits.audit.models import AuditEntry
from permits.permitting import holds
from permits.permitting.models import Permit
from permits.scheduler.process import JOBS, run_once
from tests.helpers import bearer
from tests.openapi_check import assert_matches_openapi
from tests.permits.conftest import PEL, SYSTEM_INSPECTOR, TODAY

FACILITY_USER = {"actor_id": None, "actor_role": "facility"}


def _pel(session, facility_id, value, *, actor=SYSTEM_INSPECTOR, observed_on=TODAY, **extra):
    return registry.record_evidence(session, facility_id=facility_id, standard=PEL,
                                    kind="measurement", value=value, unit="µg/m³",
                                    basis="8h_twa", observed_on=observed_on, source="lab",
                                    **actor, **extra)


def _permit(db, permit_id) -> Permit:
    with Session(db) as session:
        return session.get(Permit, permit_id)


def _actions(db, permit_id) -> list[str]:
    with Session(db) as session:
        return list(session.exec(select(AuditEntry.action).where(
            AuditEntry.entity == "permit", AuditEntry.entity_id == str(permit_id))
            .order_by(AuditEntry.seq)))


def test_a_failing_inspection_finding_puts_the_permit_on_hold_in_the_same_transaction(
        db, approved, compliant_facility):
    with Session(db) as session:
        registry.record_inspection(
            session, facility_id=compliant_facility.id, inspected_on=TODAY, outcome="compliant",
            findings=[{"standard": PEL, "value": 150, "unit": "µg/m³", "basis": "8h_twa"}],
            **SYSTEM_INSPECTOR)
        held = session.get(Permit, approved.id)
        assert held.status == "on_hold"  # before any commit: the same transaction
        session.commit()
    held = _permit(db, approved.id)
    assert held.hold_since == TODAY
    assert [c["standard"] for c in held.hold_checks] == [PEL]
    assert held.hold_checks[0]["verdict"] == "fails"
    assert "150 µg/m³" in held.hold_reasons[0]
    assert _actions(db, approved.id)[-1] == "permit.hold"


def test_a_self_reported_exceedance_holds_at_once_and_a_rejection_releases(db, approved,
                                                                            compliant_facility):
    with Session(db, expire_on_commit=False) as session:
        own = _pel(session, compliant_facility.id, 180, actor=FACILITY_USER)
        session.commit()
    assert _permit(db, approved.id).status == "on_hold"
    with Session(db) as session:
        registry.reject_evidence(session, evidence_id=own.id, reason="sampler contaminated",
                                 **SYSTEM_INSPECTOR)
        session.commit()
    released = _permit(db, approved.id)
    assert released.status == "approved"
    assert released.hold_since is None and released.hold_checks == []
    assert _actions(db, approved.id)[-2:] == ["permit.hold", "permit.release"]


def test_a_correction_and_a_newer_passing_measurement_lift_the_hold(db, approved,
                                                                    compliant_facility):
    with Session(db, expire_on_commit=False) as session:
        high = _pel(session, compliant_facility.id, 150, observed_on=TODAY - timedelta(days=3))
        session.commit()
    assert _permit(db, approved.id).status == "on_hold"
    with Session(db, expire_on_commit=False) as session:
        again = _pel(session, compliant_facility.id, 20)
        session.commit()
    assert _permit(db, approved.id).status == "on_hold"  # the worst reading still decides
    with Session(db) as session:
        registry.correct_evidence(session, evidence_id=high.id,
                                  corrective_action="baghouse bags replaced",
                                  remeasurement_evidence_id=again.id, **SYSTEM_INSPECTOR)
        session.commit()
    assert _permit(db, approved.id).status == "approved"


def test_the_daily_job_holds_a_permit_whose_evidence_went_stale(db, approved):
    job = next(j for j in JOBS if j.id == "equivalence-recheck")
    # Blood lead's window is six months; the evidence is a month old.
    assert "0 permits put on hold" in run_once(db, job, TODAY + timedelta(days=30))
    assert _permit(db, approved.id).status == "approved"
    summary = run_once(db, job, TODAY + timedelta(days=160))
    assert summary.startswith("1 permits put on hold")
    held = _permit(db, approved.id)
    assert held.status == "on_hold"
    assert {c["verdict"] for c in held.hold_checks} == {"stale"}
    assert "osha-lead-blood-removal" in {c["standard"] for c in held.hold_checks}
    assert held.valid_to == TODAY + timedelta(days=300)  # holding never extends validity


def test_a_held_permit_follows_its_checks_and_is_suspended_with_its_facility(db, approved,
                                                                          compliant_facility):
    with Session(db) as session:
        _pel(session, compliant_facility.id, 150)
        registry.record_evidence(session, facility_id=compliant_facility.id,
                                 standard="osha-cadmium-pel", kind="measurement", value=50,
                                 unit="µg/m³", basis="8h_twa", observed_on=TODAY, source="lab",
                                 **SYSTEM_INSPECTOR)
        session.commit()
    held = _permit(db, approved.id)
    assert {c["standard"] for c in held.hold_checks} == {PEL, "osha-cadmium-pel"}
    assert _actions(db, approved.id)[-2:] == ["permit.hold", "permit.update_hold"]
    with Session(db) as session:
        registry.suspend_facility(session, facility_id=compliant_facility.id, reason="audit",
                                  **SYSTEM_INSPECTOR)
        session.commit()
    assert _permit(db, approved.id).status == "suspended"


def test_the_api_shows_the_hold_and_refuses_shipments(db, client, approved, shipper,
                                                      compliant_facility):
    with Session(db) as session:
        _pel(session, compliant_facility.id, 150)
        session.commit()
    headers = bearer(db, shipper)
    response = client.get(f"/api/v1/permits/{approved.id}", headers=headers)
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "on_hold"
    assert body["hold"]["since"] == TODAY.isoformat()
    assert body["hold"]["checks"][0]["standard"] == PEL
    assert_matches_openapi(client, "get", "/api/v1/permits/{permit_id}", response)
    response = client.post(f"/api/v1/permits/{approved.id}/shipments", headers=headers, json={
        "quantity_tonnes": 10, "departed_on": TODAY.isoformat(), "movement_document": "MD-1",
        "carrier": "Border Haulage LLC"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "permit_not_active"
    assert "on hold" in response.json["error"]["message"]


def test_a_shipment_is_checked_on_its_departure_date_and_refused_with_the_checks(
        db, client, approved, shipper, compliant_facility):
    # The evidence changes behind the re-check's back (as staleness does between daily runs):
    # the shipment-time check still sees it.
    with Session(db) as session:
        session.execute(update(Evidence).where(Evidence.facility_id == compliant_facility.id,
                                               Evidence.standard_code == PEL,
                                               Evidence.kind == "measurement").values(value=99.0))
        session.commit()
    headers = bearer(db, shipper)
    response = client.post(f"/api/v1/permits/{approved.id}/shipments", headers=headers, json={
        "quantity_tonnes": 10, "departed_on": TODAY.isoformat(), "movement_document": "MD-2",
        "carrier": "Border Haulage LLC"})
    assert response.status_code == 409, response.json
    error = response.json["error"]
    assert error["code"] == "facility_not_equivalent"
    assert [c["standard"] for c in error["checks"]] == [PEL]
    assert error["checks"][0]["verdict"] == "fails"
    assert_matches_openapi(client, "post", "/api/v1/permits/{permit_id}/shipments", response)
    permit = _permit(db, approved.id)
    assert (permit.used_kg, permit.shipments_used) == (0, 0)  # nothing written
    assert "shipment.logged" not in _actions(db, approved.id)


def test_unmet_checks_cover_only_the_standards_decided_on(db, approved, compliant_facility):
    with Session(db) as session:
        permit = session.get(Permit, approved.id)
        assert PEL in holds.decided_standards(session, permit)
        assert holds.unmet_checks(session, permit, TODAY) == []
