"""The equivalence verdict: each verdict, each direction, the order of the rules, the sentences."""
from __future__ import annotations

import math
from datetime import date
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from standards.equivalence import (
    FAILS,
    INCOMPARABLE,
    MEETS,
    NO_EVIDENCE,
    STALE,
    UNVERIFIED,
    Check,
    Reading,
    StandardTerms,
    evaluate,
    freshness_cutoff,
)
from standards.units import to_canonical

ON = date(2026, 11, 1)
RECENT = date(2026, 10, 1)


def standard(**overrides):
    terms = dict(code="osha-lead-pel", version=1, value=50.0, unit="µg/m³", basis="8h_twa",
                 direction="max", freshness_months=12)
    terms.update(overrides)
    return SimpleNamespace(**terms)  # evaluate is duck-typed: no database row needed


def reading(value, *, unit="µg/m³", basis="8h_twa", observed_on=RECENT, verified=True, **extra):
    return Reading(value, unit, basis, observed_on, verified, **extra)


PEL = standard()
PRACTICE = standard(code="osha-lead-blood-surveillance", value=None, unit=None, basis="practice",
                    direction="required")


# ---- max -------------------------------------------------------------------------------------


def test_max_limit_and_measurement_below_the_us_value_meet():
    check = evaluate(PEL, reading(40.0), reading(42.0), ON)
    assert check.verdict == MEETS
    assert check.reason == (
        "Binding limit 40 µg/m³ and measured 42 µg/m³ (8-h TWA, 2026-10-01) are at or below "
        "the U.S. limit of 50 µg/m³."
    )


def test_max_equality_meets():
    assert evaluate(PEL, reading(50.0), reading(50.0), ON).verdict == MEETS


def test_max_measurement_above_the_us_value_fails_with_the_numbers():
    check = evaluate(PEL, reading(50.0), reading(62.0), ON)
    assert check.verdict == FAILS
    assert check.reason == (
        "Measured 62 µg/m³ (8-h TWA, 2026-10-01) is above the U.S. limit of 50 µg/m³."
    )


def test_max_binding_limit_laxer_than_the_us_value_fails():
    # Mexico's NOM-026-SSA1-1993 ambient lead standard is ten times the U.S. one.
    naaqs = standard(code="epa-lead-naaqs", value=0.15, basis="rolling_3_month")
    limit = reading(1.5, basis="rolling_3_month")
    check = evaluate(naaqs, limit, reading(0.1, basis="rolling_3_month"), ON)
    assert check.verdict == FAILS
    assert check.reason == (
        "The binding limit of 1.5 µg/m³ (rolling 3-month mean) is above the U.S. limit of 0.15 µg/m³."
    )


def test_exclusive_max_fails_at_the_value_itself():
    # 40 CFR 60.272a(a)(2): "3 percent opacity or greater" is a violation.
    opacity = standard(code="epa-eaf-control-device-opacity", value=3.0, unit="%",
                       basis="method_9", exclusive=True)
    at = evaluate(opacity, reading(2.0, unit="%", basis="method_9"),
                  reading(3.0, unit="%", basis="method_9"), ON)
    below = evaluate(opacity, reading(2.0, unit="%", basis="method_9"),
                     reading(2.9, unit="%", basis="method_9"), ON)
    assert at.verdict == FAILS
    assert at.reason == "Measured 3% (Method 9 opacity, 2026-10-01) is not below the U.S. limit of 3%."
    assert below.verdict == MEETS


# ---- min -------------------------------------------------------------------------------------


MIN = standard(code="capture-efficiency", value=95.0, unit="%", basis="per_test", direction="min")


@pytest.mark.parametrize(
    ("limit", "measured", "verdict"),
    [(95.0, 95.0, MEETS), (97.0, 99.0, MEETS), (90.0, 99.0, FAILS), (95.0, 94.9, FAILS)],
)
def test_min_direction_needs_values_at_or_above_the_us_value(limit, measured, verdict):
    check = evaluate(MIN, reading(limit, unit="%", basis="per_test"),
                     reading(measured, unit="%", basis="per_test"), ON)
    assert check.verdict == verdict


def test_min_failure_reason_says_below():
    check = evaluate(MIN, reading(95.0, unit="%", basis="per_test"),
                     reading(94.0, unit="%", basis="per_test"), ON)
    assert check.reason == "Measured 94% (per test, 2026-10-01) is below the U.S. limit of 95%."


# ---- required --------------------------------------------------------------------------------


def practice(value, *, observed_on=RECENT, verified=True, basis=None):
    return Reading(value, None, basis, observed_on, verified)


def test_required_practice_in_place_and_required_meets():
    check = evaluate(PRACTICE, practice(True), practice(True), ON)
    assert check.verdict == MEETS
    assert check.us_limit == {"value": True, "unit": None, "basis": "practice"}


@pytest.mark.parametrize(("limit", "measured"), [(False, True), (True, False), (True, "yes"), (True, 1)])
def test_required_practice_fails_unless_both_are_true(limit, measured):
    assert evaluate(PRACTICE, practice(limit), practice(measured), ON).verdict == FAILS


def test_required_practice_ignores_basis():
    assert evaluate(PRACTICE, practice(True, basis="x"), practice(True), ON).verdict == MEETS


# ---- the other verdicts, and their order ------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "measured", "sentence"),
    [
        (None, reading(40.0), "No binding limit is on record."),
        (reading(40.0), None, "No measurement is on record."),
        (None, None, "No binding limit and no measurement are on record."),
    ],
)
def test_missing_limit_or_measurement_is_no_evidence(limit, measured, sentence):
    check = evaluate(PEL, limit, measured, ON)
    assert check.verdict == NO_EVIDENCE
    assert check.reason == sentence


def test_different_basis_is_incomparable_not_a_guess():
    check = evaluate(PEL, reading(40.0), reading(30.0, basis="24h"), ON)
    assert check.verdict == INCOMPARABLE
    assert "24-h basis" in check.reason and "8-h TWA basis" in check.reason
    assert "guess" in check.reason


def test_different_unit_is_incomparable():
    check = evaluate(PEL, reading(0.04, unit="mg/m³"), reading(30.0), ON)
    assert check.verdict == INCOMPARABLE
    assert "mg/m³" in check.reason


def test_self_reported_evidence_is_unverified():
    check = evaluate(PEL, reading(40.0), reading(30.0, verified=False), ON)
    assert check.verdict == UNVERIFIED
    assert check.reason == "The measurement is self-reported and no inspector has verified it."


def test_a_self_reported_limit_worse_than_the_us_value_fails_at_once():
    check = evaluate(PEL, reading(500.0, verified=False), reading(30.0), ON)
    assert check.verdict == FAILS
    assert "self-reported" in check.reason


def test_a_self_reported_better_limit_waits_for_verification():
    assert evaluate(PEL, reading(40.0, verified=False), reading(30.0), ON).verdict == UNVERIFIED


def test_no_evidence_comes_before_incomparable():
    assert evaluate(PEL, None, reading(30.0, basis="24h"), ON).verdict == NO_EVIDENCE


def test_incomparable_comes_before_unverified():
    check = evaluate(PEL, reading(40.0, verified=False), reading(30.0, basis="24h"), ON)
    assert check.verdict == INCOMPARABLE


def test_a_failing_limit_fails_even_when_the_measurement_is_stale():
    old = reading(30.0, observed_on=date(2020, 1, 1))
    assert evaluate(PEL, reading(60.0), old, ON).verdict == FAILS


def test_measurement_older_than_window_is_stale():
    check = evaluate(PEL, reading(40.0), reading(30.0, observed_on=date(2025, 10, 31)), ON)
    assert check.verdict == STALE
    assert check.reason == (
        "The newest measurement (2025-10-31) is older than the 12-month freshness window, "
        "which starts on 2025-11-01."
    )


def test_measurement_on_the_first_day_of_the_window_is_fresh():
    assert evaluate(PEL, reading(40.0), reading(30.0, observed_on=date(2025, 11, 1)), ON).verdict == MEETS


def test_a_stale_measurement_that_also_exceeds_is_stale_not_fails():
    check = evaluate(PEL, reading(40.0), reading(90.0, observed_on=date(2024, 1, 1)), ON)
    assert check.verdict == STALE


def test_freshness_window_follows_the_standard():
    blood = standard(code="osha-lead-blood-removal", value=60.0, unit="µg/100 g",
                     basis="per_test", freshness_months=6)
    limit = reading(60.0, unit="µg/100 g", basis="per_test")
    seven_months = reading(41.0, unit="µg/100 g", basis="per_test", observed_on=date(2026, 4, 1))
    assert evaluate(blood, limit, seven_months, ON).verdict == STALE


@pytest.mark.parametrize(
    ("on", "months", "cutoff"),
    [
        (date(2026, 11, 1), 12, date(2025, 11, 1)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),  # clamped to the month's end
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2026, 6, 30), 6, date(2025, 12, 30)),
    ],
)
def test_freshness_cutoff_counts_calendar_months(on, months, cutoff):
    assert freshness_cutoff(on, months) == cutoff


def test_nan_never_meets():
    assert evaluate(PEL, reading(40.0), reading(math.nan), ON).verdict == FAILS
    assert evaluate(PEL, reading(math.nan), reading(40.0), ON).verdict == FAILS


# ---- the Check -------------------------------------------------------------------------------


def test_check_carries_the_numbers_side_by_side_in_the_api_shape():
    limit = reading(40.0, evidence_id=7, source="NOM-010-STPS-2014")
    check = evaluate(PEL, limit, reading(42.0, evidence_id=8), ON)
    assert check.to_dict() == {
        "standard": "osha-lead-pel",
        "version": 1,
        "verdict": MEETS,
        "us_limit": {"value": 50.0, "unit": "µg/m³", "basis": "8h_twa"},
        "facility_limit": {"value": 40.0, "unit": "µg/m³", "basis": "8h_twa",
                           "observed_on": "2026-10-01", "verified": True, "evidence_id": 7,
                           "source": "NOM-010-STPS-2014"},
        "facility_measured": {"value": 42.0, "unit": "µg/m³", "basis": "8h_twa",
                              "observed_on": "2026-10-01", "verified": True, "evidence_id": 8,
                              "source": None},
        "reason": check.reason,
        # The reason as a code and parameters, for a reader in another language.
        "message": check.message.to_dict(),
    }
    assert check.to_dict()["message"]["code"] == "check.meets"


def test_check_without_evidence_has_null_facility_values():
    check = evaluate(PEL, None, None, ON)
    assert check.facility_limit is None and check.facility_measured is None


def test_a_check_can_be_stated_directly():
    check = Check("osha-lead-pel", 2, NO_EVIDENCE, {"value": 50, "unit": "µg/m³", "basis": "8h_twa"},
                  None, None, "No measurement is on record.")
    assert check.to_dict()["version"] == 2
    assert check.reason == "No measurement is on record."
    with pytest.raises(ValueError, match="verdict"):
        Check("x", 1, "maybe", {}, None, None, "")


def test_standard_terms_snapshot_decides_like_the_object_it_copies():
    terms = StandardTerms.of(PEL)
    assert terms.exclusive is False
    for value in (40.0, 50.0, 60.0):
        assert evaluate(terms, reading(45.0), reading(value), ON).verdict == \
            evaluate(PEL, reading(45.0), reading(value), ON).verdict


# ---- properties ------------------------------------------------------------------------------

# Units in which each canonical unit can be restated; the evidence is the same evidence.
EQUIVALENT_UNITS = {
    "µg/m³": ["mg/m3", "ug/m3", "ng/m3", "g/m^3", "μg/m³"],
    "mg/dscm": ["gr/dscf", "ug/dscm", "g/dscm"],
    "µg/100 g": ["ug/dL", "ug/100g", "mg/L", "ug/g"],
    "mg/L": ["ug/L", "g/L", "mg/dL"],
    "%": ["ppm", "percent"],
}
# Values a laboratory reports: at most six significant digits.
lab_values = st.integers(min_value=0, max_value=999_999).flatmap(
    lambda mantissa: st.sampled_from([mantissa / 10**k for k in range(0, 7)])
)


# No deadline: the first example builds the unit registry (hundreds of ms on a loaded machine).
@settings(deadline=None)
@given(
    canonical=st.sampled_from(sorted(EQUIVALENT_UNITS)),
    data=st.data(),
    us=lab_values,
    limit=lab_values,
    measured=lab_values,
)
def test_restating_evidence_in_an_equivalent_unit_never_changes_the_verdict(
    canonical, data, us, limit, measured
):
    other = data.draw(st.sampled_from(EQUIVALENT_UNITS[canonical]))
    terms = standard(value=us, unit=canonical, basis="per_test")
    back = 1 / to_canonical(1.0, other, canonical)  # how many `other` units one canonical unit is

    def restated(value):
        # The facility reports in `other`; Parity converts it back before deciding.
        return reading(to_canonical(value * back, other, canonical), unit=canonical, basis="per_test")

    direct = evaluate(terms, reading(limit, unit=canonical, basis="per_test"),
                      reading(measured, unit=canonical, basis="per_test"), ON)
    converted = evaluate(terms, restated(limit), restated(measured), ON)
    assert converted.verdict == direct.verdict


@given(
    us=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    limit=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    measured=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    worse_limit=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    worse_measured=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    age_days=st.integers(min_value=0, max_value=800),
    exclusive=st.booleans(),
)
def test_making_a_max_value_worse_never_turns_fails_into_meets(
    us, limit, measured, worse_limit, worse_measured, age_days, exclusive
):
    from datetime import timedelta

    terms = standard(value=us, exclusive=exclusive)
    observed = ON - timedelta(days=age_days)
    before = evaluate(terms, reading(limit), reading(measured, observed_on=observed), ON)
    after = evaluate(terms, reading(limit + worse_limit),
                     reading(measured + worse_measured, observed_on=observed), ON)
    if before.verdict == FAILS:
        assert after.verdict == FAILS
    if after.verdict == MEETS:
        assert before.verdict == MEETS
