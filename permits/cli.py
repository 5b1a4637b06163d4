"""`flask --app permits ...`: schema, demo data, users and tokens, audit verification.

Each area adds its own command group in its own module, listed in COMMAND_MODULES.
"""
from __future__ import annotations

import importlib
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from permits.accounts import services as accounts
from permits.audit import chain as audit
from permits.core import db, migrate
from standards import clock
from standards.vocabulary import ROLES

# Modules that each expose `register(app)` for their own commands.
COMMAND_MODULES: list[str] = ["permits.registry.cli", "permits.reports.cli"]

users = AppGroup("users", help="Create users and issue their API tokens.")
audit_group = AppGroup("audit", help="Check the audit chain.")


def register(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo)
    app.cli.add_command(users)
    app.cli.add_command(audit_group)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(jobs_group)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


def load_reference_data() -> int:
    from standards.catalogue import load_catalogue

    with db.session_scope(db.engine()) as session:
        return load_catalogue(session)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the schema and load the standards catalogue (safe to repeat)."""
    migrate.upgrade(current_app.config["DATABASE_URL"])
    added = load_reference_data()
    click.echo(f"Schema is at the newest revision; {added} catalogue entries added.")


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Demo organizations, facilities in US/MX/CA and users of every role; prints the logins."""
    from permits import demo

    migrate.upgrade(current_app.config["DATABASE_URL"])
    load_reference_data()
    with db.session_scope(db.engine()) as session:
        created = demo.seed(session)
    with db.session_scope(db.engine()) as session:
        logins = demo.every_login(session)  # every one, each time: nobody has to remember them
    if not created:
        click.echo("Demo data was already there; logins are unchanged.")
    click.echo(f"Demo logins (password for all: {demo.PASSWORD}):")
    for email, role in logins:
        click.echo(f"  {role:<10} {email}")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--organization", help="The shipper's organization (created if new).")
@click.option("--facility-id", type=int, help="The facility a facility user acts for.")
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, role, organization, facility_id, name, password_stdin):
    """Create a user."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with db.session_scope(db.engine()) as session:
        org = accounts.get_or_create_organization(session, organization) if organization else None
        if facility_id is not None and not _facility_exists(session, facility_id):
            raise click.BadParameter(f"no facility with id {facility_id}", param_hint="--facility-id")
        try:
            user = accounts.create_user(session, email=email, password=password, role=role,
                                        name=name, organization=org, facility_id=facility_id)
        except accounts.AccountError as exc:
            raise click.BadParameter(exc.message, param_hint=f"--{exc.field.replace('_', '-')}") from exc
        click.echo(f"Created {user.role} {user.email} (id {user.id}).", err=True)


def _facility_exists(session, facility_id: int) -> bool:
    from facility_registry.models import Facility

    return session.get(Facility, facility_id) is not None


@users.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="What the token is for.")
def create_token(email, name):
    """Print a new API token for EMAIL, and nothing else, on stdout."""
    with db.session_scope(db.engine()) as session:
        user = accounts.find_user(session, email)
        if user is None or not user.active:
            raise click.BadParameter(f"no active user {email}", param_hint="EMAIL")
        issued = accounts.issue_token(session, user=user, name=name)
    click.echo(issued.secret)


@users.command("deactivate")
@click.argument("email")
def deactivate_user(email):
    """Deactivate EMAIL: its sessions end at once and its tokens stop working."""
    with db.session_scope(db.engine()) as session:
        user = accounts.find_user(session, email)
        if user is None:
            raise click.BadParameter(f"no user {email}", param_hint="EMAIL")
        accounts.deactivate(session, user=user, actor_id=None)
    click.echo(f"Deactivated {email}.", err=True)


@audit_group.command("verify")
def verify_audit():
    """Exit 0 when the chain verifies, 1 when not, naming the first bad entry."""
    with db.session_scope(db.engine(), read_only=True) as session:
        result = audit.verify(session)
    if result.ok:
        click.echo(f"ok: {result.entries} entries, head {result.head}")
        return
    click.echo(f"BROKEN at entry {result.first_bad}: {result.problem} "
               f"({result.entries} entries verify before it)", err=True)
    sys.exit(1)


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the scheduler process (one per deployment): catches up, then runs the daily jobs."""
    from permits.scheduler import process as scheduler

    click.echo("Scheduler started; jobs: " + ", ".join(j.id for j in scheduler.JOBS), err=True)
    scheduler.serve(current_app._get_current_object())


jobs_group = AppGroup("jobs", help="Run the scheduler's daily jobs by hand.")


@jobs_group.command("run")
@click.argument("job_id", required=False)
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day to run for (default today).")
def run_jobs(job_id, day):
    """Run JOB_ID (or every job) for a day, unless it already ran for that day."""
    from permits.scheduler import process as scheduler

    jobs = [j for j in scheduler.JOBS if job_id in (None, j.id)]
    if not jobs:
        raise click.BadParameter(f"no job {job_id!r}; jobs: {', '.join(j.id for j in scheduler.JOBS)}",
                                 param_hint="JOB_ID")
    the_day = day.date() if day else clock.today()
    for job in jobs:
        summary = scheduler.run_once(db.engine(), job, the_day)
        click.echo(f"{job.id} {the_day}: {summary or 'already ran for this day'}")
