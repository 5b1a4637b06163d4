"""An inspector's rulings on entries (reject a self-reported one, record a corrected exceedance),
and the evidence fields of the second version (comparator, shift length, stack-gas conditions,
subject, loads), through the services and the API: each rule, each bad input a 422 naming its
field with nothing changed, every change audited and announced."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest

from facility_registry import services
from facility_registry.eligibility import check_facility
from facility_registry.importer import import_csv
from standards.errors import InvalidTransition, NotAllowed, ValidationFailed
from tests.helpers import bearer, make_user
from tests.openapi_check import assert_matches_openapi
from tests.registry.conftest import (
    FACILITY_USER,
    INSPECTOR,
    LAST_MONTH,
    TODAY,
    record_passing,
    sent,
)

PEL = "osha-lead-pel"


def pel(session, facility, value, *, actor=INSPECTOR, observed_on=LAST_MONTH, **extra):
    return services.record_evidence(session, facility_id=facility.id, standard=PEL,
                                    kind="measurement", value=value, unit="µg/m³", basis="8h_twa",
                                    observed_on=observed_on, source="lab", **actor, **extra)


def verdict(session, facility, code=PEL, on=TODAY):
    return next(c for c in check_facility(session, facility, "eaf_dust", on).checks
                if c.standard == code)


# ---- rejection ---------------------------------------------------------------------------------

def test_a_rejected_self_reported_entry_no_longer_counts(session, make_facility, signals):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust")
    own = pel(session, facility, 180, actor=FACILITY_USER, observed_on=TODAY)
    assert verdict(session, facility).verdict == "fails"
    services.reject_evidence(session, evidence_id=own.id, reason="wrong sampler, lab says void",
                             **INSPECTOR)
    assert own.rejected_at is not None
    assert verdict(session, facility).verdict == "meets"
    audits = [kw for _s, kw in sent(signals, "audited") if kw["action"] == "evidence.reject"]
    assert audits and audits[0]["reason"] == "wrong sampler, lab says void"
    assert sent(signals, "evidence_changed")[-1][1]["facility_ids"] == [facility.id]


def test_verified_evidence_cannot_be_rejected(session, make_facility):
    facility = make_facility("US")
    entry = pel(session, facility, 30)
    with pytest.raises(ValidationFailed) as caught:
        services.reject_evidence(session, evidence_id=entry.id, reason="no", **INSPECTOR)
    assert "evidence_id" in caught.value.fields
    assert entry.rejected_at is None


def test_a_rejection_needs_a_reason_and_happens_once(session, make_facility):
    facility = make_facility("US")
    own = pel(session, facility, 30, actor=FACILITY_USER)
    with pytest.raises(ValidationFailed) as caught:
        services.reject_evidence(session, evidence_id=own.id, reason="  ", **INSPECTOR)
    assert "reason" in caught.value.fields
    services.reject_evidence(session, evidence_id=own.id, reason="void", **INSPECTOR)
    with pytest.raises(InvalidTransition):
        services.reject_evidence(session, evidence_id=own.id, reason="again", **INSPECTOR)
    with pytest.raises(InvalidTransition):
        services.verify_evidence(session, evidence_id=own.id, **INSPECTOR)


# ---- correction --------------------------------------------------------------------------------

def test_a_corrected_exceedance_stops_counting(session, make_facility, signals):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust", skip={PEL})
    services.record_evidence(session, facility_id=facility.id, standard=PEL, kind="limit",
                             value=50, unit="µg/m³", basis="8h_twa", observed_on=LAST_MONTH,
                             source="permit", **INSPECTOR)
    high = pel(session, facility, 150, observed_on=LAST_MONTH)
    again = pel(session, facility, 20, observed_on=TODAY - timedelta(days=2))
    assert verdict(session, facility).verdict == "fails"
    services.correct_evidence(session, evidence_id=high.id, corrective_action="new baghouse filters",
                              remeasurement_evidence_id=again.id, **INSPECTOR)
    check = verdict(session, facility)
    assert check.verdict == "meets"
    assert check.facility_measured["evidence_id"] == again.id
    audit = [kw for _s, kw in sent(signals, "audited") if kw["action"] == "evidence.correct"][0]
    assert audit["after"]["remeasurement_id"] == again.id
    assert audit["reason"] == "new baghouse filters"


@pytest.mark.parametrize("which", ["older", "other_standard", "limit", "missing"])
def test_a_correction_must_name_a_newer_measurement_of_the_same_standard(session, make_facility,
                                                                        which):
    facility = make_facility("US")
    high = pel(session, facility, 150, observed_on=LAST_MONTH)
    older = pel(session, facility, 20, observed_on=LAST_MONTH - timedelta(days=5))
    other = services.record_evidence(session, facility_id=facility.id, standard="osha-cadmium-pel",
                                     kind="measurement", value=1, unit="µg/m³", basis="8h_twa",
                                     observed_on=TODAY, source="lab", **INSPECTOR)
    limit = services.record_evidence(session, facility_id=facility.id, standard=PEL, kind="limit",
                                     value=50, unit="µg/m³", basis="8h_twa", observed_on=TODAY,
                                     source="permit", **INSPECTOR)
    named = {"older": older.id, "other_standard": other.id, "limit": limit.id, "missing": None}[which]
    with pytest.raises(ValidationFailed) as caught:
        services.correct_evidence(session, evidence_id=high.id, corrective_action="fixed",
                                  remeasurement_evidence_id=named, **INSPECTOR)
    assert "remeasurement_evidence_id" in caught.value.fields
    assert high.corrected_at is None


def test_only_an_inspector_rules_on_entries(session, make_facility):
    facility = make_facility("US")
    own = pel(session, facility, 30, actor=FACILITY_USER)
    with pytest.raises(NotAllowed):
        services.reject_evidence(session, evidence_id=own.id, reason="mine", **FACILITY_USER)
    assert own.rejected_at is None


# ---- the second version's evidence fields ---------------------------------------------------------

@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "limit", "comparator": "=<"}, "comparator"),
    ({"kind": "limit", "comparator": ">"}, "comparator"),  # a max standard takes < or <=
    ({"kind": "measurement", "comparator": "<"}, "comparator"),
    ({"kind": "limit", "shift_hours": 12}, "shift_hours"),
    ({"kind": "measurement", "shift_hours": 0}, "shift_hours"),
    ({"kind": "measurement", "shift_hours": 25}, "shift_hours"),
    ({"kind": "measurement", "conditions": {"temperature_c": 20}}, "conditions"),
])
def test_bad_new_fields_are_refused_naming_them(session, make_facility, body, field):
    facility = make_facility("US")
    with pytest.raises(ValidationFailed) as caught:
        services.record_evidence(session, facility_id=facility.id, standard=PEL, value=40,
                                 unit="µg/m³", basis="8h_twa", observed_on=LAST_MONTH,
                                 source="lab", **INSPECTOR, **body)
    assert field in caught.value.fields


def test_a_twelve_hour_shift_is_judged_by_400_over_12(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust", skip={PEL})
    services.record_evidence(session, facility_id=facility.id, standard=PEL, kind="limit",
                             value=50, unit="µg/m³", basis="8h_twa", observed_on=LAST_MONTH,
                             source="permit", **INSPECTOR)
    pel(session, facility, 40, shift_hours=12)
    check = verdict(session, facility)
    assert check.verdict == "fails"
    assert "400 ÷ 12 h" in check.reason


def test_a_concentration_is_never_a_production_normalised_load(session, make_facility):
    facility = make_facility("US")
    for unit in ("ppm", "mg/kg", "mg/L"):
        with pytest.raises(ValidationFailed) as caught:
            services.record_evidence(session, facility_id=facility.id,
                                     standard="epa-secondary-lead-effluent-daily-max",
                                     kind="measurement", value=0.1, unit=unit, basis="daily_max",
                                     observed_on=LAST_MONTH, source="lab", **INSPECTOR)
        assert caught.value.code == "unknown_unit" and "unit" in caught.value.fields
    entry = services.record_evidence(session, facility_id=facility.id,
                                     standard="epa-secondary-lead-effluent-daily-max",
                                     kind="measurement", value=0.1, unit="lb/million lb of product",
                                     basis="daily_max", observed_on=LAST_MONTH, source="lab",
                                     **INSPECTOR)
    assert entry.unit == "mg/kg of product" and entry.value == pytest.approx(0.1)


def test_stack_gas_converts_with_its_conditions_and_is_incomparable_without(session, make_facility):
    # The EAF stack rules govern the steel mill's furnace (60.272a): a plant that runs one.
    facility = make_facility("US", processes=["eaf_steelmaking", "metals_recovery_kiln"])
    record_passing(session, facility, "eaf_dust", skip={"epa-eaf-particulate"})
    stack = {"standard": "epa-eaf-particulate", "basis": "per_test", "source": "stack test"}
    services.record_evidence(session, facility_id=facility.id, kind="limit", value=12,
                             unit="mg/dscm", observed_on=LAST_MONTH, **stack, **INSPECTOR)
    bare = services.record_evidence(session, facility_id=facility.id, kind="measurement", value=10,
                                    unit="mg/m3", observed_on=LAST_MONTH, **stack, **INSPECTOR)
    assert bare.unit == "mg/m³"
    check = verdict(session, facility, "epa-eaf-particulate")
    assert check.verdict == "incomparable"
    assert "reference conditions" in check.reason
    # Measured hot and wet: 10 mg/m³ at 150 °C, 98 kPa, 12 % moisture is 16.5 mg/dscm.
    hot = services.record_evidence(
        session, facility_id=facility.id, kind="measurement", value=10, unit="mg/m3",
        observed_on=TODAY, conditions={"temperature_c": 150, "pressure_kpa": 98,
                                       "moisture_percent": 12}, **stack, **INSPECTOR)
    assert hot.unit == "mg/dscm"
    assert hot.value == pytest.approx(10 * 423.15 / 293.15 * 101.325 / 98 / 0.88)
    assert verdict(session, facility, "epa-eaf-particulate").verdict == "fails"


def test_average_of_the_last_three_is_computed_from_each_workers_tests(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust", skip={"osha-lead-blood-removal-average"})
    blood = {"standard": "osha-lead-blood-removal", "unit": "µg/100 g", "basis": "per_test",
             "source": "lab", "kind": "measurement"}
    for days, value in ((60, 52), (40, 55), (20, 50)):
        services.record_evidence(session, facility_id=facility.id, value=value, subject="W-17",
                                 observed_on=TODAY - timedelta(days=days), **blood, **INSPECTOR)
    services.record_evidence(session, facility_id=facility.id, standard="osha-lead-blood-removal-average",
                             kind="limit", value=50, comparator="<", unit="µg/100 g",
                             basis="average_of_last_three", observed_on=LAST_MONTH, source="rule",
                             **INSPECTOR)
    check = verdict(session, facility, "osha-lead-blood-removal-average")
    assert check.verdict == "fails"
    assert check.facility_measured["value"] == pytest.approx(52.3333333333)
    assert "W-17" in check.facility_measured["source"]


def test_the_csv_import_takes_the_comparator(session, make_facility):
    # The EAF opacity rules govern the steel mill's furnace (60.272a): a plant that runs one.
    facility = make_facility("US", processes=["eaf_steelmaking", "metals_recovery_kiln"])
    handle = io.StringIO(
        "record,name,country,epa_id,standard,kind,value,unit,basis,observed_on,source,comparator\n"
        f"evidence,{facility.name},US,{facility.epa_id},epa-eaf-control-device-opacity,limit,3,%,"
        f"method_9,{LAST_MONTH.isoformat()},permit,<\n"
        f"evidence,{facility.name},US,{facility.epa_id},epa-eaf-shop-opacity,limit,6,%,"
        f"method_9,{LAST_MONTH.isoformat()},permit,>=\n")
    result = import_csv(session, handle, **INSPECTOR, verified=True, today=TODAY)
    assert result.added_evidence == 1
    assert len(result.errors) == 1 and "comparator" in result.errors[0][1]
    check = verdict(session, facility, "epa-eaf-control-device-opacity")
    assert check.facility_limit["comparator"] == "<"


# ---- the API ------------------------------------------------------------------------------------

@pytest.fixture
def api(client, db):
    inspector = bearer(db, make_user(db, "inspector"))
    created = client.post("/api/v1/facilities", headers=inspector, json={
        "name": "Keystone Lead Recovery", "country": "US", "identifiers": {"epa_id": "PAD987654321"},
        "address": "Reading, PA", "operations": ["R4"], "accepts": ["eaf_dust"],
        "annual_capacity_tonnes": 1200})
    facility_id = created.json["id"]
    own = bearer(db, make_user(db, "facility", facility_id=facility_id))
    return client, inspector, own, facility_id


def _entry(client, headers, facility_id, **overrides):
    body = {"standard": PEL, "kind": "measurement", "value": 40, "unit": "µg/m³",
            "basis": "8h_twa", "observed_on": LAST_MONTH.isoformat(), "source": "lab", **overrides}
    return client.post(f"/api/v1/facilities/{facility_id}/evidence", json=body, headers=headers)


def test_reject_and_correct_over_the_api(api):
    client, inspector, own, facility_id = api
    claimed = _entry(client, own, facility_id, value=180)
    assert claimed.status_code == 201
    response = client.post(f"/api/v1/evidence/{claimed.json['id']}/reject",
                           json={"reason": "sampler left running overnight"}, headers=inspector)
    assert response.status_code == 200, response.json
    assert response.json["counts"] is False
    assert_matches_openapi(client, "post", "/api/v1/evidence/{evidence_id}/reject", response)

    high = _entry(client, inspector, facility_id, value=150).json["id"]
    later = _entry(client, inspector, facility_id, value=20,
                   observed_on=(TODAY - timedelta(days=1)).isoformat()).json["id"]
    response = client.post(f"/api/v1/evidence/{high}/correct", headers=inspector,
                           json={"corrective_action": "enclosure repaired",
                                 "remeasurement_evidence_id": later})
    assert response.status_code == 200, response.json
    assert response.json["remeasurement_evidence_id"] == later
    assert_matches_openapi(client, "post", "/api/v1/evidence/{evidence_id}/correct", response)


def test_api_bad_rulings_are_422s_naming_the_field(api):
    client, inspector, own, facility_id = api
    verified = _entry(client, inspector, facility_id).json["id"]
    response = client.post(f"/api/v1/evidence/{verified}/reject", json={"reason": "x"},
                           headers=inspector)
    assert response.status_code == 422 and "evidence_id" in response.json["error"]["fields"]
    response = client.post(f"/api/v1/evidence/{verified}/correct", headers=inspector,
                           json={"corrective_action": "x", "remeasurement_evidence_id": verified})
    assert response.status_code == 422
    assert "remeasurement_evidence_id" in response.json["error"]["fields"]
    response = client.post(f"/api/v1/evidence/{verified}/reject", json={"reason": "x"}, headers=own)
    assert response.status_code == 403


def test_api_takes_and_shows_the_comparator(api):
    client, inspector, own, facility_id = api
    response = _entry(client, inspector, facility_id, standard="epa-eaf-control-device-opacity",
                      kind="limit", value=3, unit="%", basis="method_9", comparator="<")
    assert response.status_code == 201, response.json
    assert response.json["comparator"] == "<"
    response = _entry(client, inspector, facility_id, comparator="<")
    assert response.status_code == 422 and "comparator" in response.json["error"]["fields"]
