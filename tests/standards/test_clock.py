"""The clock: UTC whatever the zone, replaceable in tests, and calendar-month arithmetic."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from standards import clock

MEXICO_CITY = timezone(timedelta(hours=-6))


@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 11, 15), 2, date(2027, 1, 15)),
    (date(2026, 1, 15), -1, date(2025, 12, 15)),
    (date(2026, 5, 31), 12, date(2027, 5, 31)),
    (date(2026, 5, 31), 0, date(2026, 5, 31)),
])
def test_add_months_counts_calendar_months_clamped_to_the_month_end(day, months, expected):
    assert clock.add_months(day, months) == expected


def test_an_aware_time_in_another_zone_is_the_same_instant_in_utc():
    evening_in_mexico = datetime(2026, 11, 1, 20, 30, tzinfo=MEXICO_CITY)
    assert clock.naive_utc(evening_in_mexico) == datetime(2026, 11, 2, 2, 30)
    assert clock.as_utc(evening_in_mexico) == datetime(2026, 11, 2, 2, 30, tzinfo=UTC)


def test_a_naive_time_is_taken_as_utc_already():
    stored = datetime(2026, 11, 2, 2, 30)
    assert clock.naive_utc(stored) == stored
    assert clock.as_utc(stored).tzinfo is UTC


def test_a_pinned_clock_starts_where_it_is_told_and_keeps_running():
    before = clock.utcnow()
    start = datetime(2030, 6, 15, 12, tzinfo=UTC)
    with clock.pinned(start):
        first = clock.utcnow()
        assert timedelta(0) <= first - start < timedelta(minutes=5)
        assert clock.utcnow() >= first
        assert clock.today() == date(2030, 6, 15)
    assert before <= clock.utcnow() < start  # the clock before is back


def test_today_is_the_utc_date_whatever_zone_the_clock_reads_in():
    # 20:30 in Mexico City is already tomorrow in UTC: the rules count UTC days.
    with clock.pinned(datetime(2026, 11, 1, 20, 30, tzinfo=MEXICO_CITY)):
        assert clock.today() == date(2026, 11, 2)
        assert clock.utcnow().tzinfo is UTC
