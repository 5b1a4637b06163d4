"""Report periods: a calendar month (`YYYY-MM`) or year (`YYYY`), in UTC, and their bounds."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from standards.errors import ValidationFailed
from standards.messages import N_, Message

MONTH, YEAR = "month", "year"
_PATTERNS = {MONTH: re.compile(r"^(\d{4})-(\d{2})$"), YEAR: re.compile(r"^(\d{4})$")}
FIRST_YEAR = 1990


class ReportError(ValidationFailed):
    """A report request that cannot be run; `fields` names what is wrong, as the API does."""


@dataclass(frozen=True)
class Period:
    label: str  # "2026-11" or "2026"
    start: date  # first day covered
    end: date  # first day NOT covered

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time(), tzinfo=UTC)

    @property
    def year(self) -> int:
        return self.start.year


def parse(granularity: str, text: str | None, *, today: date) -> Period:
    """The period `text` names; it must be complete or current, never in the future."""
    text = (text or "").strip()
    match = _PATTERNS[granularity].match(text)
    if not match:
        shape = "YYYY-MM" if granularity == MONTH else "YYYY"
        raise ReportError(Message.of("report.period_shape", N_("period must look like %(shape)s"), shape=shape),
                          {"period": [Message.of("report.period_shape_field", N_("must look like %(shape)s"),
                                                 shape=shape)]})
    year = int(match.group(1))
    month = int(match.group(2)) if granularity == MONTH else 1
    if not (FIRST_YEAR <= year and 1 <= month <= 12):
        raise ReportError(Message.of("report.period_unreal", N_("period is not a real month or year")),
                          {"period": [Message.of("report.period_from", N_("must be a month from %(year)s on"),
                                                 year=FIRST_YEAR)]})
    if (year, month) > (today.year, today.month if granularity == MONTH else 1):
        # Before building it: the end of year 9999 is past the last date there is.
        raise _not_begun()
    found = month_period(year, month) if granularity == MONTH else year_period(year)
    if found.start > today:
        raise _not_begun()
    return found


def month_period(year: int, month: int) -> Period:
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(f"{year:04d}-{month:02d}", date(year, month, 1), end)


def year_period(year: int) -> Period:
    return Period(f"{year:04d}", date(year, 1, 1), date(year + 1, 1, 1))


def last_complete(granularity: str, today: date) -> Period:
    """The newest period that ended before `today`: last month, or last year."""
    if granularity == MONTH:
        previous = today.replace(day=1) - timedelta(days=1)
        return month_period(previous.year, previous.month)
    return year_period(today.year - 1)


def _not_begun() -> ReportError:
    return ReportError(Message.of("report.period_future", N_("period has not begun yet")),
                       {"period": [Message.of("report.period_future_field", N_("is in the future"))]})
