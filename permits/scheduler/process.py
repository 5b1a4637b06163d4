"""The scheduler process: daily jobs, each run once per period, caught up after a restart.

One process per deployment (`flask --app permits scheduler`), never inside web workers:
each worker would otherwise run every job. A job claims its period by inserting a
`JobRun` row (unique per job and period) in the same transaction as its work, so two
schedulers started by mistake, or a restart in the middle, still run it once.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from permits.reports.schedule import scheduled
from permits.scheduler.models import JobFailure, JobRun
from standards import clock
from standards.clock import utcnow
from standards.messages import N_

log = logging.getLogger(__name__)
# How many missed days a restart catches up on; older ones are left for a person to look at.
CATCH_UP_DAYS = 31


@dataclass(frozen=True)
class Job:
    id: str
    description: str
    run: Callable[[Session, date], str]  # does the day's work, returns a one-line summary
    hour: int  # UTC


def _sweep_deadlines(session: Session, day: date) -> str:
    from permits.shipments.deadlines import sweep_deadlines

    opened = sweep_deadlines(session, day)
    return f"{len(opened)} deadline exceptions opened"


def _sweep_cases(session: Session, day: date) -> str:
    from permits.cases.sweep import flag_overdue

    return f"{len(flag_overdue(session, day))} case stages flagged overdue and escalated"


def _expire_permits(session: Session, day: date) -> str:
    from permits.permitting.services import expire_due

    expired = expire_due(session, today=day)
    return f"{len(expired)} permits expired"


def _recheck_permits(session: Session, day: date) -> str:
    from permits.permitting.holds import recheck_due

    done = recheck_due(session, today=day)
    counts = {a: sum(1 for v in done.values() if v == a) for a in ("hold", "update_hold", "release")}
    return (f"{counts['hold']} permits put on hold, {counts['release']} released, "
            f"{counts['update_hold']} holds updated")


def _tacit_consents(session: Session, day: date) -> str:
    from permits.consents.gate import grant_tacit_due

    return f"{len(grant_tacit_due(session, today=day))} tacit consents recorded"


def _send_reminders(session: Session, day: date) -> str:
    from permits.notifications.reminders import send_due

    return f"{len(send_due(session, day))} deadline reminders sent"


def _refresh_standings(session: Session, day: date) -> str:
    from facility_registry.eligibility import refresh_due

    return f"{refresh_due(session, on=day)} facility standings recomputed"


def _sign_checkpoint(session: Session, day: date) -> str:
    from flask import current_app

    from permits.audit import checkpoints, signing

    # The key lives outside the database; production without one fails here, every day, in the
    # log, with the message saying what to set (and the day is retried once it is set).
    key = signing.configured(current_app.config, current_app.instance_path)
    checkpoint = checkpoints.take(session, key)
    return f"checkpoint of {checkpoint.seq} audit entries signed, head {checkpoint.head[:16]}"


JOBS = (
    Job("registry-standings", N_("Recompute the facility standings the finder reads that no longer hold"),
        _refresh_standings, hour=0),
    Job("permit-expiry", N_("Expire permits whose validity has ended"), _expire_permits, hour=0),
    Job("equivalence-recheck", N_("Re-check approved and held permits: evidence goes stale, "
        "exceedances leave the window"), _recheck_permits, hour=0),
    Job("tacit-consent", N_("Canada: consent is tacit 30 days after the notice without objection"),
        _tacit_consents, hour=0),
    Job("deadline-sweep", N_("Open exceptions for missed receipt, recovery and return deadlines"),
        _sweep_deadlines, hour=1),
    Job("case-deadlines", N_("Flag case stages past their deadline and escalate them to inspectors"),
        _sweep_cases, hour=1),
    Job("deadline-reminders", N_("Remind whoever must act of deadlines coming: confirmations, "
        "returns, tacit consents, case stages, permit validity"), _send_reminders, hour=1),
    Job("report-monthly-compliance", N_("On the 1st: last month's compliance report"), scheduled("monthly_compliance"), hour=2),
    Job("report-annual-exports", N_("On January 2: last year's exports report"), scheduled("annual_exports"), hour=3),
    Job("report-enforcement-public", N_("On January 2: last year's public enforcement report"), scheduled("enforcement_public"), hour=3),
    Job("report-carbon", N_("On April 1: last year's carbon intensity report"), scheduled("carbon"), hour=3),
    Job("audit-checkpoint", N_("Sign and publish a checkpoint of the audit chain"), _sign_checkpoint, hour=4),
)


# Not a daily job: every minute, the notice e-mails that are due (new ones a commit's own sender
# missed, and failed ones whose backoff is over). Each row is claimed before it is sent.
MAIL_JOB_ID = "notice-mail"
MAIL_EVERY_MINUTES = 1


def send_notice_mail(app: Flask) -> str:
    from permits.notifications.mail import send_due

    with app.app_context():
        return str(send_due(app))


def run_once(engine, job: Job, day: date) -> str | None:
    """Run `job` for `day` unless it already ran for that day; return its summary or None."""
    with Session(engine, expire_on_commit=False) as session:
        claim = JobRun(job_id=job.id, period=day.isoformat())
        session.add(claim)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            return None
        claim.summary = job.run(session, day)
        claim.finished_at = utcnow()
        session.commit()
        log.info("%s for %s: %s", job.id, day, claim.summary)
        return claim.summary


def catch_up(engine, today: date, jobs=JOBS) -> dict[str, list[str]]:
    """Run every job for each day since its last run (at most CATCH_UP_DAYS), oldest first."""
    done: dict[str, list[str]] = {}
    for job in jobs:
        for day in _missed_days(engine, job, today):
            try:
                summary = run_once(engine, job, day)
            except Exception as exc:  # noqa: BLE001 - one failing day must not stop the others
                # Its claim rolled back with it, so the next run tries that day again.
                log.exception("%s failed for %s", job.id, day)
                record_failure(engine, job, day, exc)
                break
            if summary is not None:
                done.setdefault(job.id, []).append(f"{day}: {summary}")
    return done


def record_failure(engine, job: Job, day: date, exc: BaseException) -> None:
    """Keep the failure where an administrator sees it (the jobs page); never raise from here."""
    try:
        with Session(engine) as session:
            session.add(JobFailure(job_id=job.id, period=day.isoformat(),
                                   error=f"{type(exc).__name__}: {exc}"[:500]))
            session.commit()
    except Exception:  # noqa: BLE001 - a database that is down is already in the log above
        log.exception("could not record the failure of %s for %s", job.id, day)


def _missed_days(engine, job: Job, today: date) -> list[date]:
    with Session(engine) as session:
        last = session.exec(
            select(JobRun.period).where(JobRun.job_id == job.id).order_by(JobRun.period.desc()).limit(1)
        ).first()
    first = today - timedelta(days=CATCH_UP_DAYS - 1)
    if last is not None:
        first = max(first, date.fromisoformat(last) + timedelta(days=1))
    return [first + timedelta(days=n) for n in range((today - first).days + 1)]


def build(app: Flask) -> BlockingScheduler:
    engine = app.extensions["parity.engine"]
    scheduler = BlockingScheduler(timezone=UTC)
    for job in JOBS:
        scheduler.add_job(
            _daily, CronTrigger(hour=job.hour, minute=5, timezone=UTC), args=[app, engine, job],
            id=job.id, name=job.description, replace_existing=True,
            # A scheduler that was down at the hour still runs the job when it is back.
            misfire_grace_time=6 * 3600, coalesce=True, max_instances=1,
        )
    if app.config.get("PARITY_SMTP_URL"):
        scheduler.add_job(
            send_notice_mail, IntervalTrigger(minutes=MAIL_EVERY_MINUTES, timezone=UTC), args=[app],
            id=MAIL_JOB_ID, name="E-mail the notices that are due, retrying failed ones",
            replace_existing=True, misfire_grace_time=300, coalesce=True, max_instances=1,
        )
    return scheduler


def _daily(app: Flask, engine, job: Job) -> None:
    with app.app_context():  # the checkpoint job reads the signing key's configuration
        catch_up(engine, clock.today(), jobs=(job,))


def serve(app: Flask) -> None:
    with app.app_context():
        catch_up(app.extensions["parity.engine"], clock.today())
    build(app).start()


__all__ = ["JOBS", "MAIL_JOB_ID", "build", "catch_up", "run_once", "send_notice_mail", "serve"]
