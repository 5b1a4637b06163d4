"""DOMAIN.md's sharper rules, on the pure verdict: phrased limits against exclusive rules, the
worst reading in the window, bad news before verification, shift length, averages computed from
tests, production-normalised loads and stack-gas reference conditions."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from standards.averaging import averages_of_tests
from standards.equivalence import FAILS, INCOMPARABLE, MEETS, STALE, UNVERIFIED, evaluate
from standards.units import (
    IncompleteConditions,
    UnknownUnit,
    normalize_unit,
    to_canonical,
    to_reference_conditions,
)
from tests.standards.test_equivalence import ON, RECENT, reading, standard

OPACITY = standard(code="epa-eaf-control-device-opacity", value=3.0, unit="%", basis="method_9",
                   exclusive=True)
BLOOD = standard(code="osha-lead-blood-removal", value=60.0, unit="µg/100 g", basis="per_test",
                 freshness_months=6, exclusive=True)


def opacity(value, **extra):
    return reading(value, unit="%", basis="method_9", **extra)


def blood(value, **extra):
    return reading(value, unit="µg/100 g", basis="per_test", **extra)


# ---- exclusive rules, phrased limits ----------------------------------------------------------

def test_a_limit_phrased_like_the_exclusive_us_rule_meets():
    check = evaluate(OPACITY, opacity(3.0, comparator="<"), opacity(1.0), ON)
    assert check.verdict == MEETS
    assert "< 3%" in check.reason


def test_a_limit_that_permits_the_forbidden_value_fails_and_says_so():
    check = evaluate(OPACITY, opacity(3.0, comparator="<="), opacity(1.0), ON)
    assert check.verdict == FAILS
    assert check.reason.startswith("The binding limit ≤ 3% (Method 9 opacity) permits 3% itself")


def test_an_unphrased_limit_reads_as_inclusive():
    assert evaluate(OPACITY, opacity(3.0), opacity(1.0), ON).verdict == FAILS


def test_a_limit_strictly_better_meets_whatever_its_comparator():
    assert evaluate(OPACITY, opacity(2.5), opacity(1.0), ON).verdict == MEETS


def test_an_inclusive_us_rule_is_met_by_either_phrasing_at_the_value():
    pel = standard()
    for comparator in ("<", "<=", None):
        assert evaluate(pel, reading(50.0, comparator=comparator), reading(10.0), ON).verdict == MEETS


def test_min_standard_comparators_mirror_max():
    floor = standard(direction="min", value=90.0, unit="%", basis="per_test", exclusive=True)
    per = lambda v, **e: reading(v, unit="%", basis="per_test", **e)  # noqa: E731
    assert evaluate(floor, per(90.0, comparator=">"), per(95.0), ON).verdict == MEETS
    assert evaluate(floor, per(90.0, comparator=">="), per(95.0), ON).verdict == FAILS
    assert evaluate(floor, per(92.0), per(90.0), ON).verdict == FAILS  # measured at the value


def test_blood_lead_measured_at_the_removal_level_fails():
    limit = blood(60.0, comparator="<")
    assert evaluate(BLOOD, limit, blood(60.0), ON).verdict == FAILS
    assert evaluate(BLOOD, limit, blood(59.9), ON).verdict == MEETS


# ---- the worst reading in the window ----------------------------------------------------------

def test_the_worst_reading_in_the_window_decides_and_is_named():
    limit = blood(60.0, comparator="<")
    readings = [blood(72.0, observed_on=date(2026, 9, 10), evidence_id=1),
                blood(20.0, observed_on=date(2026, 10, 20), evidence_id=2)]
    check = evaluate(BLOOD, limit, readings, ON)
    assert check.verdict == FAILS
    assert check.facility_measured["evidence_id"] == 1
    assert check.reason == (
        "Measured 72 µg/100 g (per test, 2026-09-10, entry #1) is not below the U.S. limit of "
        "60 µg/100 g; the worst of 2 measurements since 2026-05-01.")


def test_a_reading_that_left_the_window_no_longer_counts():
    limit = blood(60.0, comparator="<")
    readings = [blood(72.0, observed_on=date(2026, 4, 10)), blood(20.0, observed_on=RECENT)]
    assert evaluate(BLOOD, limit, readings, ON).verdict == MEETS


def test_only_readings_outside_the_window_is_stale():
    limit = blood(60.0, comparator="<")
    readings = [blood(20.0, observed_on=date(2026, 3, 1)), blood(30.0, observed_on=date(2026, 4, 1))]
    check = evaluate(BLOOD, limit, readings, ON)
    assert check.verdict == STALE
    assert check.facility_measured["observed_on"] == "2026-04-01"


def test_a_meeting_check_names_the_highest_verified_reading():
    readings = [reading(30.0, evidence_id=1), reading(45.0, evidence_id=2, observed_on=date(2026, 6, 1)),
                reading(10.0, evidence_id=3, observed_on=date(2026, 10, 30))]
    check = evaluate(standard(), reading(50.0), readings, ON)
    assert check.verdict == MEETS
    assert check.facility_measured["evidence_id"] == 2


# ---- bad news before verification --------------------------------------------------------------

def test_a_self_reported_exceedance_counts_at_once():
    readings = [reading(30.0), reading(180.0, verified=False, observed_on=date(2026, 10, 30))]
    check = evaluate(standard(), reading(50.0), readings, ON)
    assert check.verdict == FAILS
    assert "self-reported" in check.reason


def test_a_self_reported_good_reading_does_not_rescue_a_stale_record():
    readings = [reading(30.0, observed_on=date(2025, 1, 1)),
                reading(10.0, verified=False, observed_on=RECENT)]
    assert evaluate(standard(), reading(50.0), readings, ON).verdict == UNVERIFIED


def test_a_newer_self_reported_relaxed_limit_counts_but_a_tighter_one_waits():
    verified = reading(50.0, observed_on=date(2026, 1, 1))
    relaxed = reading(150.0, verified=False, observed_on=RECENT)
    tighter = reading(40.0, verified=False, observed_on=RECENT)
    assert evaluate(standard(), [verified, relaxed], reading(10.0), ON).verdict == FAILS
    check = evaluate(standard(), [verified, tighter], reading(10.0), ON)
    assert check.verdict == MEETS
    assert check.facility_limit["value"] == 50.0


def test_an_older_self_reported_limit_does_not_override_a_newer_verified_one():
    old_claim = reading(150.0, verified=False, observed_on=date(2026, 1, 1))
    verified = reading(50.0, observed_on=RECENT)
    assert evaluate(standard(), [old_claim, verified], reading(10.0), ON).verdict == MEETS


def test_readings_on_another_basis_are_set_aside_not_guessed():
    readings = [reading(500.0, basis="24h"), reading(20.0)]
    assert evaluate(standard(), reading(50.0), readings, ON).verdict == MEETS
    assert evaluate(standard(), reading(50.0), [reading(20.0, basis="24h")], ON).verdict == INCOMPARABLE


# ---- shift length ------------------------------------------------------------------------------

def test_a_twelve_hour_shift_is_judged_by_400_over_12():
    pel = standard(shift_adjusted=True)
    check = evaluate(pel, reading(50.0), reading(40.0, shift_hours=12.0), ON)
    assert check.verdict == FAILS
    assert "33.3333 µg/m³ for a 12-hour shift (400 ÷ 12 h)" in check.reason
    assert check.facility_measured["us_value_applied"] == pytest.approx(33.3333333333)
    assert evaluate(pel, reading(50.0), reading(30.0, shift_hours=12.0), ON).verdict == MEETS


def test_an_eight_hour_or_shorter_shift_keeps_the_value():
    pel = standard(shift_adjusted=True)
    assert evaluate(pel, reading(50.0), reading(50.0, shift_hours=8.0), ON).verdict == MEETS
    assert evaluate(pel, reading(50.0), reading(50.0, shift_hours=6.0), ON).verdict == MEETS


def test_a_standard_without_the_rule_ignores_the_shift():
    cadmium = standard(code="osha-cadmium-pel", value=5.0)
    assert evaluate(cadmium, reading(5.0), reading(4.0, shift_hours=12.0), ON).verdict == MEETS


# ---- averages computed from the tests ------------------------------------------------------------

def test_averages_of_the_last_three_tests_per_worker():
    tests = [blood(v, observed_on=date(2026, 5, 1) + timedelta(days=30 * i), subject="W1",
                   evidence_id=i + 1) for i, v in enumerate([55.0, 52.0, 47.0, 20.0])]
    tests.append(blood(90.0, subject="W2", observed_on=RECENT, evidence_id=9))  # another worker
    averages = averages_of_tests(tests, basis="average_of_last_three")
    w1 = [a for a in averages if a.subject == "W1"]
    # At the fourth test, all four are within six months: the longer set (43.5, not 39.7).
    assert [a.value for a in w1] == [pytest.approx(51.3333333333), pytest.approx(43.5)]
    assert "(#1, #2, #3)" in w1[0].source
    assert not [a for a in averages if a.subject == "W2"]  # one test: no average yet


def test_the_six_month_set_is_used_when_it_is_longer():
    tests = [blood(v, observed_on=date(2026, 6, 1) + timedelta(days=20 * i), subject="W1")
             for i, v in enumerate([40.0, 40.0, 40.0, 80.0])]
    averages = averages_of_tests(tests, basis="average_of_last_three")
    assert averages[-1].value == pytest.approx(50.0)  # all four tests, not the last three (53.3)


def test_an_average_at_fifty_fails_the_exclusive_average_rule():
    average = standard(code="osha-lead-blood-removal-average", value=50.0, unit="µg/100 g",
                       basis="average_of_last_three", freshness_months=6, exclusive=True)
    tests = [blood(v, observed_on=date(2026, 8, 1) + timedelta(days=20 * i), subject="W1")
             for i, v in enumerate([50.0, 50.0, 50.0])]
    readings = averages_of_tests(tests, basis="average_of_last_three")
    limit = reading(50.0, unit="µg/100 g", basis="average_of_last_three", comparator="<")
    assert evaluate(average, limit, readings, ON).verdict == FAILS


# ---- units -------------------------------------------------------------------------------------

def test_a_production_normalised_load_converts_only_to_a_load():
    assert normalize_unit("lb per million lb of product") == "lb/million lb of product"
    assert to_canonical(0.189, "lb/million lb of product", "mg/kg of product") == pytest.approx(0.189)
    assert to_canonical(0.189, "g/t of product", "mg/kg of product") == pytest.approx(0.189)
    for concentration in ("mg/kg", "ppm", "mg/L", "µg/m³"):
        with pytest.raises(UnknownUnit):
            to_canonical(0.1, concentration, "mg/kg of product")


def test_stack_gas_converts_to_the_us_dry_standard_conditions():
    normal = {"temperature_c": 0, "pressure_kpa": 101.325, "dry": True}  # European Nm³
    assert to_reference_conditions(12.0, normal) == pytest.approx(12.0 * 273.15 / 293.15)
    wet = {"temperature_c": 20, "pressure_kpa": 101.325, "moisture_percent": 10}
    assert to_reference_conditions(9.0, wet) == pytest.approx(10.0)
    oxygen = {"temperature_c": 20, "pressure_kpa": 101.325, "dry": True, "o2_percent": 15.9}
    reference = {"temperature_c": 20, "pressure_kpa": 101.325, "dry": True, "o2_percent": 10.9}
    assert to_reference_conditions(5.0, oxygen, reference) == pytest.approx(10.0)


def test_stack_gas_without_its_conditions_cannot_be_converted():
    with pytest.raises(IncompleteConditions) as caught:
        to_reference_conditions(12.0, {"temperature_c": 150, "dry": True})
    assert caught.value.field == "pressure_kpa"
    with pytest.raises(IncompleteConditions) as caught:
        to_reference_conditions(12.0, {"temperature_c": 150, "pressure_kpa": 100})
    assert caught.value.field == "moisture_percent"
