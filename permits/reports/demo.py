"""The reports step of `seed-demo`: stored reports so the reports pages show data."""
from __future__ import annotations

from sqlmodel import Session

from permits.reports.store import run_report
from standards.clock import utcnow


def seed_reports(session: Session, _people: dict) -> None:
    """This month's compliance report and this year's exports, so the reports pages show data."""
    today = utcnow().date()
    run_report(session, kind="monthly_compliance", period=today.strftime("%Y-%m"), today=today,
               trigger="cli")
    run_report(session, kind="annual_exports", period=str(today.year), today=today, trigger="cli")
