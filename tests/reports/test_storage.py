"""Stored reports are a record: a rerun adds a version, the old one stays as it was, and
every stored version still hashes to its hash; the scheduler runs each kind on its due day."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlmodel import Session, select

from permits.audit.models import AuditEntry
from permits.reports import ReportError, kind_of
from permits.reports.models import ComplianceReport
from permits.reports.schedule import scheduled
from permits.reports.store import find_report, intact, latest_versions, run_report, versions_of
from permits.scheduler import process as scheduler
from tests.reports.conftest import TODAY


def test_rerunning_a_period_stores_a_new_version_and_keeps_the_old(session, world):
    first = run_report(session, kind="monthly_compliance", period="2026-10", today=TODAY, trigger="cli")
    session.commit()
    kept = dict(first.content)
    second = run_report(session, kind="monthly_compliance", period="2026-10", today=TODAY, trigger="cli")
    session.commit()
    assert (first.version, second.version) == (1, 2)
    assert [v.version for v in versions_of(session, kind="monthly_compliance", period="2026-10")] == [2, 1]
    old = find_report(session, kind="monthly_compliance", period="2026-10", version=1)
    assert old.content == kept and intact(old)
    assert find_report(session, kind="monthly_compliance", period="2026-10").version == 2
    stored = session.exec(select(AuditEntry).where(AuditEntry.action == "report.store")
                          .order_by(AuditEntry.seq)).all()
    assert [e.after["version"] for e in stored] == [1, 2]


def test_a_changed_stored_report_no_longer_matches_its_hash(session, world):
    row = run_report(session, kind="carbon", period="2026", today=TODAY, trigger="cli")
    assert intact(row)
    row.content = {**row.content, "title": "Something else"}
    assert not intact(row)


def test_latest_versions_lists_each_period_once(session, world):
    for period in ("2026-09", "2026-10", "2026-10"):
        run_report(session, kind="monthly_compliance", period=period, today=TODAY, trigger="cli")
    listed = latest_versions(session)
    assert [(r.period, r.version) for r in listed] == [("2026-10", 2), ("2026-09", 1)]


@pytest.mark.parametrize(("kind", "period", "field"), [
    ("monthly_compliance", "2026-13", "period"), ("monthly_compliance", "2026", "period"),
    ("annual_exports", "2026-10", "period"), ("annual_exports", "2027", "period"),
    ("weekly_gossip", "2026", "kind"),
])
def test_a_bad_kind_or_period_is_an_error_naming_the_field(session, kind, period, field):
    with pytest.raises(ReportError) as raised:
        run_report(session, kind=kind, period=period, today=TODAY, trigger="cli")
    assert field in raised.value.fields


def test_the_default_period_is_the_last_complete_one():
    assert kind_of("monthly_compliance").period(None, today=date(2026, 1, 1)).label == "2025-12"
    assert kind_of("annual_exports").period(None, today=date(2026, 1, 2)).label == "2025"


def test_scheduled_reports_run_on_their_due_day_for_the_period_just_ended(session, world):
    monthly, annual = scheduled("monthly_compliance"), scheduled("annual_exports")
    assert monthly(session, date(2026, 11, 2)) == "nothing due today"
    assert monthly(session, date(2026, 11, 1)) == "monthly_compliance 2026-10 stored as version 1"
    assert annual(session, date(2027, 1, 1)) == "nothing due today"
    assert annual(session, date(2027, 1, 2)) == "annual_exports 2026 stored as version 1"
    assert scheduled("carbon")(session, date(2027, 4, 1)).startswith("carbon 2026 stored")
    row = find_report(session, kind="monthly_compliance", period="2026-10")
    assert row.trigger == "scheduler"


def test_the_scheduler_claims_a_report_day_once(db, world):
    job = next(j for j in scheduler.JOBS if j.id == "report-enforcement-public")
    assert scheduler.run_once(db, job, date(2027, 1, 2)) == "enforcement_public 2026 stored as version 1"
    assert scheduler.run_once(db, job, date(2027, 1, 2)) is None
    with Session(db) as s:
        assert len(s.exec(select(ComplianceReport)).all()) == 1
    assert {j.id for j in scheduler.JOBS} >= {"report-monthly-compliance", "report-annual-exports",
                                              "report-enforcement-public", "report-carbon"}


def test_two_runs_at_once_store_two_versions(db, world):
    """The second run waits on the first one's uncommitted version 1, then takes version 2."""
    versions, errors = [], []

    def second_run():
        try:
            with Session(db, expire_on_commit=False) as s:
                versions.append(run_report(s, kind="carbon", period="2026", today=TODAY,
                                           trigger="cli").version)
                s.commit()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    with Session(db, expire_on_commit=False) as first:
        versions.append(run_report(first, kind="carbon", period="2026", today=TODAY,
                                   trigger="cli").version)
        other = threading.Thread(target=second_run)
        other.start()
        other.join(timeout=0.5)  # it is blocked behind our open transaction
        first.commit()
    other.join(timeout=30)
    assert not errors and sorted(versions) == [1, 2]
