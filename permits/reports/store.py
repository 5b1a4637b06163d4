"""Running reports and keeping them: each run is stored as a new version with its hash.

A system of record never overwrites what it published: rerunning a period adds version n+1,
and every stored report can be re-hashed to show it was not changed afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from permits.audit import chain as audit
from permits.reports import kind_of
from permits.reports.models import ComplianceReport
from permits.reports.report import Progress, Report, content_hash, quiet

TRIGGERS = ("scheduler", "cli", "web")
_VERSION_ATTEMPTS = 5


def run_report(session: Session, *, kind: str, period: str | None, today: date, trigger: str,
               actor_id: int | None = None, progress: Progress = quiet) -> ComplianceReport:
    """Compute `kind` for `period` (default: the last complete one) and store it (flushes)."""
    report_kind = kind_of(kind)
    chosen = report_kind.period(period, today=today)
    progress(f"{report_kind.key} for {chosen.label}: computing")
    report = report_kind.build(session, chosen, progress=progress)
    stored = store_report(session, report=report, trigger=trigger, actor_id=actor_id)
    progress(f"stored as version {stored.version} (sha256 {stored.content_hash[:12]}…)")
    return stored


def store_report(session: Session, *, report: Report, trigger: str,
                 actor_id: int | None = None) -> ComplianceReport:
    if trigger not in TRIGGERS:
        raise ValueError(f"trigger must be one of {', '.join(TRIGGERS)}")
    content = report.to_dict()
    digest = content_hash(content)
    chain_seq, chain_head = audit.head(session)
    row = None
    for _attempt in range(_VERSION_ATTEMPTS):
        row = ComplianceReport(kind=report.kind, period=report.period,
                               version=_next_version(session, report.kind, report.period),
                               generated_at=report.generated_at, trigger=trigger,
                               generated_by_id=actor_id, content=content, content_hash=digest,
                               chain_seq=chain_seq, chain_head=chain_head)
        try:
            # Two runs at once both read version n; the unique key lets one win and the
            # other take n+1, instead of either overwriting.
            with session.begin_nested():
                session.add(row)
                session.flush()
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError(f"could not store {report.kind} {report.period}: versions kept colliding")
    audit.record(session, actor_id=actor_id, action="report.store", entity="compliance_report",
                 entity_id=row.id, after={"kind": row.kind, "period": row.period,
                                          "version": row.version, "content_hash": digest,
                                          "trigger": trigger, "chain_seq": chain_seq,
                                          "chain_head": chain_head})
    return row


def _next_version(session: Session, kind: str, period: str) -> int:
    newest = session.execute(select(func.max(ComplianceReport.version)).where(
        ComplianceReport.kind == kind, ComplianceReport.period == period)).scalar_one()
    return (newest or 0) + 1


def find_report(session: Session, *, kind: str, period: str,
                version: int | None = None) -> ComplianceReport | None:
    """The stored report: the given version, or the newest one."""
    statement = select(ComplianceReport).where(ComplianceReport.kind == kind,
                                               ComplianceReport.period == period)
    if version is not None:
        statement = statement.where(ComplianceReport.version == version)
    return session.exec(statement.order_by(ComplianceReport.version.desc())).first()


@dataclass(frozen=True)
class StoredVersion:
    """A stored report without its content: enough for lists."""

    id: int
    kind: str
    period: str
    version: int
    generated_at: datetime
    trigger: str
    content_hash: str

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "period": self.period, "version": self.version,
                "generated_at": self.generated_at.isoformat(), "trigger": self.trigger,
                "content_hash": self.content_hash}


SUMMARY_COLUMNS = (ComplianceReport.id, ComplianceReport.kind, ComplianceReport.period,
                   ComplianceReport.version, ComplianceReport.generated_at, ComplianceReport.trigger,
                   ComplianceReport.content_hash)


def versions_of(session: Session, *, kind: str, period: str) -> list[StoredVersion]:
    return [StoredVersion(*row) for row in session.execute(
        select(*SUMMARY_COLUMNS).where(ComplianceReport.kind == kind, ComplianceReport.period == period)
        .order_by(ComplianceReport.version.desc()))]


def latest_versions(session: Session, *, kind: str | None = None, limit: int = 200) -> list[StoredVersion]:
    """The newest version of each stored (kind, period), newest period first."""
    newest = (select(ComplianceReport.kind, ComplianceReport.period,
                     func.max(ComplianceReport.version).label("version"))
              .group_by(ComplianceReport.kind, ComplianceReport.period).subquery())
    statement = select(*SUMMARY_COLUMNS).join(newest, (newest.c.kind == ComplianceReport.kind)
                                              & (newest.c.period == ComplianceReport.period)
                                              & (newest.c.version == ComplianceReport.version))
    if kind is not None:
        statement = statement.where(ComplianceReport.kind == kind)
    rows = session.execute(statement.order_by(ComplianceReport.period.desc(), ComplianceReport.kind)
                           .limit(limit))
    return [StoredVersion(*row) for row in rows]


def intact(row: ComplianceReport) -> bool:
    """Whether the stored content still hashes to the hash stored beside it."""
    return content_hash(row.content) == row.content_hash


def report_of(row: ComplianceReport) -> Report:
    return Report.from_dict(row.content)
