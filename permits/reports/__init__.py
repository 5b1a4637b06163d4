"""Scheduled compliance reports: the registry of report kinds, each a plain function
`(session, period) -> Report` that sums in SQL and knows nothing of Flask.

Run one with `permits.reports.store.run_report` (the CLI, the scheduler and the pages all do);
every run is stored as a new version (`permits.reports.models.ComplianceReport`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from permits.reports.annual_exports import annual_exports
from permits.reports.carbon import carbon
from permits.reports.enforcement_public import enforcement_public
from permits.reports.monthly_compliance import monthly_compliance
from permits.reports.period import MONTH, YEAR, Period, ReportError, last_complete, parse
from permits.reports.report import N_, Report
from standards.clock import utcnow
from standards.messages import Message
from standards.problems import ONE_OF, problem


@dataclass(frozen=True)
class ReportKind:
    key: str
    title: str
    granularity: str  # MONTH or YEAR: the shape of its period
    build: Callable[..., Report]
    due: Callable[[date], bool]  # the days the scheduler runs it, for the period just ended
    public: bool = False  # published at a public address, without sign-in

    def period(self, text: str | None, *, today: date) -> Period:
        """The period `text` names, or the last complete one when it names none."""
        if not text:
            return last_complete(self.granularity, today)
        return parse(self.granularity, text, today=today)


def _first_of_month(day: date) -> bool:
    return day.day == 1


def _on(month: int, day_of_month: int) -> Callable[[date], bool]:
    return lambda day: (day.month, day.day) == (month, day_of_month)


KINDS: dict[str, ReportKind] = {kind.key: kind for kind in (
    ReportKind("monthly_compliance", N_("Monthly compliance"), MONTH, monthly_compliance,
               due=_first_of_month),
    # Historically due to EPA by March 1; drawn up as soon as the year is over.
    ReportKind("annual_exports", N_("Annual exports"), YEAR, annual_exports, due=_on(1, 2)),
    ReportKind("enforcement_public", N_("Public enforcement report"), YEAR, enforcement_public,
               due=_on(1, 2), public=True),
    # Facilities report a year's carbon intensity in the first quarter of the next one.
    ReportKind("carbon", N_("Carbon intensity"), YEAR, carbon, due=_on(4, 1)),
)}


def kind_of(key: str | None) -> ReportKind:
    if key not in KINDS:
        raise ReportError(Message.of("report.unknown_kind", N_("no report kind %(report)s"), report=repr(key)),
                          {"kind": [problem(ONE_OF, choices=list(KINDS))]},
                          code="unknown_report")
    return KINDS[key]


def build(session: Session, kind: str, period: str | Period, **options) -> Report:
    """Compute a report without storing it; a period given as text must not lie in the future."""
    report_kind = kind_of(kind)
    if not isinstance(period, Period):
        period = parse(report_kind.granularity, period, today=utcnow().date())
    return report_kind.build(session, period, **options)


__all__ = ["KINDS", "Report", "ReportError", "ReportKind", "build", "kind_of"]
