"""The system's one clock: the current UTC instant and date (replaceable, so tests run on a
pinned day whatever the machine's time zone), UTC normalisation and calendar-month arithmetic.

Every "now" and "today" in the code comes from here; nothing reads the machine's local time.
"""
from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime


def _system_now() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system_now


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC."""
    return _source()


def today() -> date:
    """Today's date in UTC (the day the rules count in), never the machine's local day."""
    return _source().date()


def set_clock(source: Callable[[], datetime] | None) -> None:
    """Make `source` the clock (it must return aware datetimes); None restores the system's."""
    global _source
    _source = source or _system_now


def starting_at(start: datetime) -> Callable[[], datetime]:
    """A clock that reads `start` now and runs on from there at the system's pace."""
    offset = as_utc(start) - _system_now()
    return lambda: _system_now() + offset


@contextmanager
def pinned(start: datetime) -> Iterator[None]:
    """Run the block on a clock that starts at `start` (and keeps ticking)."""
    previous = _source
    set_clock(starting_at(start))
    try:
        yield
    finally:
        set_clock(previous)


def as_utc(at: datetime) -> datetime:
    """`at` as an aware UTC datetime; a naive one is taken to be UTC already (SQLite's)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def naive_utc(at: datetime) -> datetime:
    """`at` in UTC without its zone: the same instant compares and hashes the same whether it
    came back from SQLite (naive UTC) or PostgreSQL (aware, in the session's zone)."""
    return as_utc(at).replace(tzinfo=None)


def utc_text(at: datetime) -> str:
    """The instant as the text a hash covers: UTC, no zone, to the microsecond."""
    return naive_utc(at).isoformat(timespec="microseconds")


def add_months(day: date, months: int) -> date:
    """`months` calendar months after `day` (before it when negative), the day clamped to the
    month's end: 31 March plus one month is 30 April; 31 March minus one, 28 or 29 February."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
