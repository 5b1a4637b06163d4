"""What the administrators' pages read: the audit trail filtered, job runs per job, the last
verification, counts for the admin home. Reads only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from facility_registry.models import Facility
from permits.accounts.models import AccountRequest, Organization, User
from permits.audit.models import AuditEntry, VerificationRun
from permits.scheduler.models import JobFailure, JobRun

PAGE_SIZE = 50


def count(session: Session, statement) -> int:
    return session.exec(select(func.count()).select_from(statement.subquery())).one()


def paged(session: Session, statement, page: int, size: int = PAGE_SIZE):
    total = count(session, statement)
    pages = max(1, -(-total // size))
    page = min(page, pages)
    rows = list(session.exec(statement.offset((page - 1) * size).limit(size)))
    return rows, total, page, pages


@dataclass(frozen=True)
class AuditFilters:
    entity: str = ""
    entity_id: str = ""
    actor_id: int | None = None
    system: bool = False  # entries with no actor (jobs, the command line)
    action: str = ""
    since: date | None = None
    until: date | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _prefix_range(prefix: str):
    """[prefix, the next string after every string starting with prefix): SQLite compares text
    by code point (BINARY), so this range is exactly the prefix and its index serves it; SQLite
    never uses an index for LIKE on a case-sensitive column."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return None
    upper = prefix[:-1] + chr(last + 1)
    return and_(AuditEntry.action >= prefix, AuditEntry.action < upper)


def audit_entries(filters: AuditFilters, dialect: str = ""):
    statement = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if filters.entity:
        statement = statement.where(AuditEntry.entity == filters.entity)
    if filters.entity_id:
        statement = statement.where(AuditEntry.entity_id == filters.entity_id)
    if filters.system:
        statement = statement.where(AuditEntry.actor_id.is_(None))
    elif filters.actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        # "permit." or "permit.hold": equal, or starting with it (the LIKE says so exactly on
        # every database; PostgreSQL's text_pattern_ops index serves it, SQLite needs the range).
        matches = AuditEntry.action.startswith(filters.action, autoescape=True)
        window = _prefix_range(filters.action) if dialect == "sqlite" else None
        statement = statement.where(and_(window, matches) if window is not None else matches)
    if filters.since:
        statement = statement.where(AuditEntry.at >= _day_start(filters.since))
    if filters.until:
        statement = statement.where(AuditEntry.at < _day_start(filters.until + timedelta(days=1)))
    return statement


def emails_of(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.email).where(User.id.in_(ids))).all())


@dataclass(frozen=True)
class JobStatus:
    id: str
    description: str
    last: JobRun | None
    failure: JobFailure | None  # the newest failure, when newer than the last success
    unfinished: int


def job_statuses(session: Session, jobs) -> list[JobStatus]:
    statuses = []
    for job in jobs:
        last = session.exec(select(JobRun).where(JobRun.job_id == job.id)
                            .order_by(JobRun.period.desc()).limit(1)).first()
        failure = session.exec(select(JobFailure).where(JobFailure.job_id == job.id)
                               .order_by(JobFailure.failed_at.desc(), JobFailure.id.desc()).limit(1)).first()
        if failure is not None and last is not None and last.period >= failure.period:
            failure = None  # the day that failed ran since, or a later one did
        unfinished = count(session, select(JobRun.id).where(JobRun.job_id == job.id,
                                                            JobRun.finished_at.is_(None)))
        statuses.append(JobStatus(job.id, job.description, last, failure, unfinished))
    return statuses


def recent_runs():
    return select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())


def recent_failures(session: Session, limit: int = 20) -> list[JobFailure]:
    return list(session.exec(select(JobFailure).order_by(JobFailure.failed_at.desc(),
                                                         JobFailure.id.desc()).limit(limit)))


def last_verification(session: Session) -> VerificationRun | None:
    return session.exec(select(VerificationRun).order_by(VerificationRun.at.desc(),
                                                        VerificationRun.id.desc()).limit(1)).first()


def verifications(session: Session, limit: int = 20) -> list[VerificationRun]:
    return list(session.exec(select(VerificationRun).order_by(VerificationRun.at.desc(),
                                                             VerificationRun.id.desc()).limit(limit)))


def users_by_role(session: Session) -> dict[str, int]:
    return dict(session.exec(select(User.role, func.count()).where(User.active).group_by(User.role)).all())


def home_counts(session: Session) -> dict[str, int]:
    return {
        "active": count(session, select(User.id).where(User.active)),
        "inactive": count(session, select(User.id).where(User.active.is_(False))),
        "requests": count(session, select(AccountRequest.id).where(AccountRequest.status == "pending")),
        "organizations": count(session, select(Organization.id)),
        "must_reset": count(session, select(User.id).where(User.active, User.password_reset_required)),
    }


def users(q: str = "", role: str = "", state: str = ""):
    statement = select(User).order_by(User.email)
    if q:
        needle = q.lower()
        statement = statement.where(or_(func.lower(User.email).contains(needle, autoescape=True),
                                        func.lower(User.name).contains(needle, autoescape=True)))
    if role:
        statement = statement.where(User.role == role)
    if state == "active":
        statement = statement.where(User.active)
    elif state == "inactive":
        statement = statement.where(User.active.is_(False))
    return statement


def facility_choices(session: Session, search: str, country: str, limit: int) -> list:
    """Facilities whose name contains `search` (any case) or whose number it is, in `country`
    when given; by name, at most `limit`."""
    statement = select(Facility).order_by(Facility.name, Facility.id).limit(limit)
    needle = search.strip().lower()
    if needle:
        by_name = func.lower(Facility.name).contains(needle, autoescape=True)
        statement = statement.where(or_(by_name, Facility.id == int(needle)) if needle.isdigit()
                                    and len(needle) < 10 else by_name)
    if country:
        statement = statement.where(Facility.country == country)
    return list(session.exec(statement))
