"""Scheduled jobs run once per day, catch up after downtime, and keep fixed ids."""
from datetime import date

from sqlmodel import Session, select

from permits.scheduler import process as scheduler
from permits.scheduler.models import JobRun


def _recording_job(ran: list, fail_on: date | None = None):
    def run(session, day):
        if day == fail_on:
            raise RuntimeError("the database went away")
        ran.append(day)
        return f"did {day}"

    return scheduler.Job("test-job", "a job for tests", run, hour=3)


def test_a_job_runs_once_per_day(db):
    ran = []
    job = _recording_job(ran)
    assert scheduler.run_once(db, job, date(2026, 11, 2)) == "did 2026-11-02"
    assert scheduler.run_once(db, job, date(2026, 11, 2)) is None
    assert ran == [date(2026, 11, 2)]


def test_restart_catches_up_on_missed_days_oldest_first(db):
    ran = []
    job = _recording_job(ran)
    scheduler.run_once(db, job, date(2026, 11, 2))
    done = scheduler.catch_up(db, date(2026, 11, 5), jobs=(job,))
    assert ran == [date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 5)]
    assert done["test-job"][0].startswith("2026-11-03")


def test_first_start_catches_up_a_bounded_window(db):
    ran = []
    scheduler.catch_up(db, date(2026, 11, 30), jobs=(_recording_job(ran),))
    assert len(ran) == scheduler.CATCH_UP_DAYS and ran[-1] == date(2026, 11, 30)


def test_a_failing_day_is_retried_next_time_and_blocks_later_days(db):
    ran = []
    scheduler.run_once(db, _recording_job(ran), date(2026, 11, 1))
    scheduler.catch_up(db, date(2026, 11, 4), jobs=(_recording_job(ran, fail_on=date(2026, 11, 3)),))
    assert ran == [date(2026, 11, 1), date(2026, 11, 2)]
    scheduler.catch_up(db, date(2026, 11, 4), jobs=(_recording_job(ran),))
    assert ran[-2:] == [date(2026, 11, 3), date(2026, 11, 4)]
    with Session(db) as session:
        periods = session.exec(select(JobRun.period).where(JobRun.job_id == "test-job")).all()
    assert len(periods) == len(set(periods)) == 4


def test_jobs_have_fixed_ids_and_survive_a_misfire(app):
    built = scheduler.build(app)
    jobs = {job.id: job for job in built.get_jobs()}
    assert set(jobs) == {j.id for j in scheduler.JOBS}
    assert all(job.misfire_grace_time >= 3600 and job.coalesce for job in jobs.values())


def test_the_real_jobs_run_from_the_command_line(runner, db):
    first = runner.invoke(args=["jobs", "run", "--day", "2026-11-29"])
    assert first.exit_code == 0, first.output
    assert "deadline-sweep 2026-11-29: 0 deadline exceptions opened" in first.output
    assert "permit-expiry 2026-11-29: 0 permits expired" in first.output
    again = runner.invoke(args=["jobs", "run", "deadline-sweep", "--day", "2026-11-29"])
    assert "already ran for this day" in again.output
    unknown = runner.invoke(args=["jobs", "run", "nope"])
    assert unknown.exit_code != 0 and "JOB_ID" in unknown.output
