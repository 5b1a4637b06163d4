"""The decision rule, path by path: every verdict and every permit rule leads to its outcome,
and the stored record is what was decided (its hash detects any later change)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from facility_registry import services as registry
from permits.permitting import decisions
from permits.permitting.decision_models import Decision
from permits.permitting.rules import Terms
from tests.helpers import SYSTEM_INSPECTOR, make_facility
from tests.permits.conftest import LAST_MONTH, PEL, TODAY, apply, failing_value, record_evidence

FACILITY_USER = {"actor_id": None, "actor_role": "facility"}


def pel(session, facility, *, kind="measurement", value=30, basis="8h_twa",
        observed_on=LAST_MONTH, actor=SYSTEM_INSPECTOR):
    registry.record_evidence(session, facility_id=facility.id, standard=PEL, kind=kind,
                             value=value, unit="µg/m³", basis=basis, observed_on=observed_on,
                             source="lab report", **actor)


def facility_with_pel(session, measurement: dict | None = None, **given):
    """Every standard met, except the lead PEL measurement: recorded as given, or missing."""
    facility = make_facility(session, "MX")
    record_evidence(session, facility, skip={PEL})
    pel(session, facility, kind="limit", value=50)
    if measurement is not None or given:
        pel(session, facility, **{**(measurement or {}), **given})
    return facility


def pel_check(decision):
    return next(c for c in decision.checks if c["standard"] == PEL)


def test_every_standard_meets_and_every_rule_holds_is_approved(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    permit, decision = apply(session, shipper, facility.id)
    assert (permit.status, decision.outcome) == ("approved", "approved")
    assert decision.reasons == []
    assert all(c["verdict"] == "meets" for c in decision.checks)
    assert all(r["met"] for r in decision.rules)
    assert permit.number == f"PAR-{TODAY.year}-{permit.id:06d}"


def test_equality_with_the_us_value_meets(session, shipper):
    facility = facility_with_pel(session, value=50)
    _, decision = apply(session, shipper, facility.id)
    assert pel_check(decision)["verdict"] == "meets"
    assert decision.outcome == "approved"


def test_a_measurement_worse_than_the_us_value_fails_and_denies(session, shipper):
    facility = facility_with_pel(session, value=51)
    permit, decision = apply(session, shipper, facility.id)
    assert pel_check(decision)["verdict"] == "fails"
    assert (permit.status, decision.outcome) == ("denied", "denied")
    assert any(r.startswith(f"{PEL}: fails") for r in decision.reasons)


def test_a_binding_limit_worse_than_the_us_value_denies(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility, skip={PEL})
    pel(session, facility, kind="limit", value=150)  # Mexico's pre-2014 style limit
    pel(session, facility, value=20)
    _, decision = apply(session, shipper, facility.id)
    assert (pel_check(decision)["verdict"], decision.outcome) == ("fails", "denied")


@pytest.mark.parametrize("verdict, measurement", [
    ("no_evidence", None),
    ("stale", {"value": 20, "observed_on": TODAY - timedelta(days=400)}),
    ("incomparable", {"value": 20, "basis": "24h"}),
    ("unverified", {"value": 20, "actor": FACILITY_USER}),
])
def test_missing_stale_incomparable_or_unverified_evidence_is_under_review(
        session, shipper, verdict, measurement):
    facility = facility_with_pel(session, measurement)
    permit, decision = apply(session, shipper, facility.id)
    assert pel_check(decision)["verdict"] == verdict
    assert (permit.status, decision.outcome) == ("under_review", "under_review")
    assert [r for r in decision.reasons if r.startswith(PEL)]


def test_one_fails_among_missing_evidence_still_denies(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility, only={PEL}, overrides={PEL: failing_value})
    _, decision = apply(session, shipper, facility.id)
    assert decision.outcome == "denied"


def rule(decision, name):
    return next(r for r in decision.rules if r["rule"] == name)


def test_a_suspended_facility_is_denied_even_with_every_check_met(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    registry.suspend_facility(session, facility_id=facility.id, reason="audit", **SYSTEM_INSPECTOR)
    _, decision = apply(session, shipper, facility.id)
    assert decision.outcome == "denied"
    assert not rule(decision, "facility_active")["met"]
    assert "is suspended" in decision.reasons[0]


def test_a_facility_that_does_not_accept_the_byproduct_is_denied(session, shipper):
    facility = make_facility(session, "MX", accepts=["slag"])
    record_evidence(session, facility)
    _, decision = apply(session, shipper, facility.id)
    assert decision.outcome == "denied"
    assert not rule(decision, "accepts_byproduct")["met"]
    assert "does not accept eaf_dust" in rule(decision, "accepts_byproduct")["detail"]


def test_a_facility_that_does_not_perform_the_operation_is_denied(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    _, decision = apply(session, shipper, facility.id, operation_code="R5")
    assert decision.outcome == "denied"
    assert "does not perform operation R5" in rule(decision, "performs_operation")["detail"]


def test_transit_outside_the_three_countries_is_a_transshipment_denial(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    route = {"exit_port": "Miami, FL", "entry_port": "Veracruz", "transit_countries": ["CA", "BS"]}
    _, decision = apply(session, shipper, facility.id, route=route)
    assert decision.outcome == "denied"
    assert decision.reasons == ["transshipment: the route transits BS, outside the United States, "
                                "Mexico and Canada"]


def test_transit_through_the_three_countries_is_allowed(session, shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    route = {"exit_port": "Detroit, MI", "entry_port": "Nuevo Laredo", "transit_countries": ["US"]}
    _, decision = apply(session, shipper, facility.id, route=route)
    assert decision.outcome == "approved"


def test_a_period_over_twelve_months_is_denied_by_the_decision_rule(session, shipper):
    """The application form refuses it first (422); the rule still holds for any terms."""
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    permit, _ = apply(session, shipper, facility.id)
    terms = Terms.of(permit)
    long = Terms(**{**terms.columns(), "valid_to": terms.valid_from + timedelta(days=400)})
    evaluation = decisions.evaluate(session, long, on=TODAY)
    assert evaluation.outcome == "denied"
    assert not rule(evaluation, "period_within_12_months")["met"]


def test_an_interim_operation_is_decided_on_the_final_facility_too(session, shipper):
    interim = make_facility(session, "MX")  # performs R4 and R13
    record_evidence(session, interim)
    final = make_facility(session, "US", operations=["R4"])  # no evidence at all
    permit, decision = apply(session, shipper, interim.id, operation_code="R13",
                             final_facility_id=final.id, final_operation_code="R4")
    assert decision.outcome == "under_review"
    final_checks = [c for c in decision.checks if c["facility_id"] == final.id]
    assert final_checks and {c["verdict"] for c in final_checks} == {"no_evidence"}
    assert rule(decision, "final_performs_operation")["met"]


# --- the record ---------------------------------------------------------------------------------

def test_the_record_keeps_the_evidence_values_and_the_standards_version(session, shipper):
    facility = facility_with_pel(session, value=42)
    _, decision = apply(session, shipper, facility.id)
    used = [e for e in decision.evidence if e["standard"] == PEL]
    assert {(e["kind"], e["value"]) for e in used} == {("limit", 50.0), ("measurement", 42.0)}
    assert decision.standards_version.startswith("std-")
    assert decision.terms["quantity_tonnes"] == 500
    assert decision.terms["receiving_facility_id"] == facility.id


def test_the_stored_record_verifies_after_reading_it_back(session, db, shipper):
    facility = facility_with_pel(session, value=42)
    _, decision = apply(session, shipper, facility.id)
    session.commit()
    session.expire_all()
    stored = decisions.current_decision(session, decision.permit_id)
    assert stored.record_hash == decision.record_hash
    assert decisions.verify(stored)


@pytest.mark.parametrize("column, value", [
    ("outcome", "'approved'"),
    ("standards_version", "'std-0000000000000000'"),
    ("note", "'edited afterwards'"),
])
def test_changing_a_stored_decision_is_detected(session, db, shipper, column, value):
    facility = facility_with_pel(session, value=55)
    _, decision = apply(session, shipper, facility.id)
    session.commit()
    with db.begin() as conn:
        conn.execute(text(f"UPDATE decision SET {column} = {value} WHERE id = :id"),
                     {"id": decision.id})
    session.expire_all()
    assert not decisions.verify(decisions.current_decision(session, decision.permit_id))


def test_changing_a_stored_check_value_is_detected(session, db, shipper):
    facility = facility_with_pel(session, value=55)
    _, decision = apply(session, shipper, facility.id)
    session.commit()
    checks = [dict(c) for c in decision.checks]
    for check in checks:
        if check["standard"] == PEL:
            check["facility_measured"] = {**check["facility_measured"], "value": 45.0}
            check["verdict"] = "meets"
    with db.begin() as conn:
        conn.execute(Decision.__table__.update().where(Decision.__table__.c.id == decision.id)
                     .values(checks=checks))
    session.expire_all()
    assert not decisions.verify(decisions.current_decision(session, decision.permit_id))
