"""The scheduler's side of the reports: a daily job per kind that runs only on its due day."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlmodel import Session

from permits.reports import kind_of
from permits.reports.store import run_report


def scheduled(kind: str) -> Callable[[Session, date], str]:
    """A daily job for `kind`: on its due day it stores the period just ended, else it rests.

    The scheduler claims each day once (JobRun), so the due day, and with it the period, runs
    once; a scheduler that was down on that day runs it when it catches up.
    """
    report_kind = kind_of(kind)

    def run(session: Session, day: date) -> str:
        if not report_kind.due(day):
            return "nothing due today"
        stored = run_report(session, kind=kind, period=None, today=day, trigger="scheduler")
        return f"{kind} {stored.period} stored as version {stored.version}"

    run.__name__ = f"scheduled_{kind}"
    return run
