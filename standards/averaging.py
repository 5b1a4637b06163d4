"""Averages a rule defines over several tests, computed from the tests themselves.

29 CFR 1910.1025(k)(1)(i)(B): a worker is removed when "the average of the last three blood
sampling tests (or the average of all blood sampling tests conducted over the previous six months,
whichever is longer)" is at or above 50 µg/100 g. Each worker's (subject's) tests are averaged
at each test, over whichever of the two sets holds more tests. A test with no subject cannot be
attributed to a worker and is not averaged (averaging two workers' results would say nothing).
"""
from __future__ import annotations

from collections.abc import Iterable

from standards.clock import add_months
from standards.equivalence import Reading

__all__ = ["averages_of_tests"]

LAST_TESTS = 3
OVER_MONTHS = 6


def averages_of_tests(tests: Iterable[Reading], *, basis: str) -> list[Reading]:
    """One Reading per test that closes a full set: the average of that subject's last three
    tests, or of all its tests over the six months before, whichever set is larger."""
    by_subject: dict[str, list[Reading]] = {}
    for test in tests:
        if test.subject:
            by_subject.setdefault(test.subject, []).append(test)
    averages = []
    for subject, series in by_subject.items():
        series.sort(key=lambda r: (r.observed_on, r.evidence_id or 0))
        for i in range(LAST_TESTS - 1, len(series)):
            newest = series[i]
            since = add_months(newest.observed_on, -OVER_MONTHS)
            window = [t for t in series[: i + 1] if t.observed_on > since]
            used = window if len(window) > LAST_TESTS else series[i - LAST_TESTS + 1: i + 1]
            mean = sum(t.value for t in used) / len(used)
            ids = ", ".join(f"#{t.evidence_id}" for t in used if t.evidence_id is not None)
            averages.append(Reading(
                value=float(f"{mean:.12g}"), unit=newest.unit, basis=basis,
                observed_on=newest.observed_on, verified=all(t.verified for t in used),
                evidence_id=None,  # computed, not an entry: `source` names the entries
                source=f"average of {len(used)} tests of {subject}" + (f" ({ids})" if ids else ""),
                subject=subject))
    return averages
