"""`evaluate`'s path for at most one reading of each kind gives exactly what the general rules
give: the same verdict, the same readings chosen, the same reason and count, so the same record."""
from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest

from standards import equivalence
from standards.equivalence import Reading, StandardTerms, evaluate

ON = date(2026, 3, 31)  # a month's end: the freshness window's clamping matters


def general(standard, limit, measurement, on):
    """The general rules, reading lists, as `evaluate` applies them to several readings."""
    limits = () if limit is None else (limit,)
    measurements = () if measurement is None else (measurement,)
    chosen_limit, limit_why = equivalence._binding_limit(standard, limits)
    chosen, measured_why, counted = equivalence._deciding_measurement(standard, measurements, on)
    return chosen_limit, limit_why, chosen, measured_why, counted


def standards(rng):
    direction = rng.choice(["max", "min", "required"])
    required = direction == "required"
    return StandardTerms(
        code="s", version=1, value=None if required else rng.choice([3.0, 50.0, 0.15]),
        unit=None if required else rng.choice(["µg/m³", "%"]),
        basis="practice" if required else rng.choice(["8h_twa", "per_test"]),
        direction=direction, freshness_months=rng.choice([6, 12]),
        exclusive=rng.random() < 0.3, shift_adjusted=not required and rng.random() < 0.3)


def reading(rng, standard, *, limit):
    if rng.random() < 0.15:
        return None
    if standard.direction == "required":
        value = rng.choice([True, False, True])
    else:
        us = standard.value
        value = rng.choice([us, us * 0.5, us * 1.5, us * 2, us / 3, math.nan, 0.0, float(int(us))])
    unit = standard.unit if rng.random() > 0.1 else rng.choice(["mg/m³", None])
    basis = standard.basis if rng.random() > 0.1 else rng.choice(["24h", None])
    days = rng.choice([0, 1, 30, 150, 182, 183, 200, 364, 365, 366, 400, -1, -30])
    return Reading(value=value, unit=unit, basis=basis, observed_on=ON - timedelta(days=days),
                   verified=rng.random() > 0.3, evidence_id=rng.randrange(1, 50),
                   comparator=rng.choice([None, "<", "<=", ">", ">="]) if limit else None,
                   shift_hours=None if limit or standard.direction == "required"
                   else rng.choice([None, None, 8, 10, 12, 6]))


CASES = []
_rng = random.Random(20261202)
for _ in range(4000):
    _standard = standards(_rng)
    CASES.append((_standard, reading(_rng, _standard, limit=True), reading(_rng, _standard, limit=False)))


def same(a, b) -> bool:
    """Equal, NaN included (a NaN reading is the same reading)."""
    return a is b or a == b


@pytest.mark.parametrize("wrap", [lambda r: r, lambda r: [] if r is None else [r]],
                         ids=["reading", "list"])
def test_one_reading_each_decides_as_the_general_rules(wrap):
    for standard, limit, measured in CASES:
        check = evaluate(standard, wrap(limit), wrap(measured), ON)
        chosen_limit, limit_why, chosen, measured_why, counted = general(standard, limit, measured, ON)
        assert same(check._limit, chosen_limit) and same(check._measured, chosen), (standard, limit, measured)
        # The verdict and its reason follow from the whys as in the general rules.
        reference = _reference(standard, chosen_limit, limit_why, chosen, measured_why, counted)
        assert (check.verdict, check._why, check.readings_counted) == reference, (standard, limit, measured)
        assert check.to_dict() == _to_dict(standard, chosen_limit, chosen, reference)


def _reference(standard, chosen_limit, limit_why, chosen, measured_why, counted):
    """The verdict chain of DOMAIN.md's sharper rules (as `evaluate` documents it)."""
    if limit_why == "limit_worse":
        return "fails", "limit_worse", counted
    if measured_why == "measured_worse":
        return "fails", "measured_worse", counted
    if "missing" in (limit_why, measured_why):
        return "no_evidence", "missing", 0
    for why in ("basis", "unit"):
        if why in (limit_why, measured_why):
            return "incomparable", why, 0
    if "unverified" in (limit_why, measured_why):
        return "unverified", "unverified", counted
    if measured_why == "stale":
        return "stale", "stale", 0
    return "meets", "meets", counted


def _to_dict(standard, chosen_limit, chosen, reference):
    verdict, why, counted = reference
    return equivalence._decided(verdict, standard, chosen_limit, chosen, why, ON, counted).to_dict()


def test_several_readings_still_take_the_general_rules():
    standard = StandardTerms("s", 1, 50.0, "µg/m³", "8h_twa", "max", 12)
    older = Reading(60.0, "µg/m³", "8h_twa", ON - timedelta(days=40), True, evidence_id=1)
    newer = Reading(20.0, "µg/m³", "8h_twa", ON - timedelta(days=10), True, evidence_id=2)
    limit = Reading(40.0, "µg/m³", "8h_twa", ON - timedelta(days=90), True, evidence_id=3)
    check = evaluate(standard, [limit], [older, newer], ON)
    assert (check.verdict, check._measured, check.readings_counted) == ("fails", older, 2)
