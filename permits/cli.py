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
from permits.core import db, migrate
from standards import clock
from standards.vocabulary import ROLES

# Modules that each expose `register(app)` for their own commands.
COMMAND_MODULES: list[str] = ["permits.registry.cli", "permits.reports.cli", "permits.notifications.cli"]

users = AppGroup("users", help="Create users and issue their API tokens.")
audit_group = AppGroup("audit", help="Check the audit chain, sign checkpoints of it.")


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
    from permits.catalogue.services import load_catalogue

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
    """Demo organizations, facilities in US/MX/CA and users of every role; prints the logins.
    Development only; running it again adds nothing and prints the logins again."""
    from permits import demo

    if current_app.config["PARITY_ENV"] == "production":
        raise ConfigurationProblem(
            "seed-demo creates users whose password is published; it refuses to run in production "
            "(PARITY_ENV is production, the default). On a development machine run "
            "`PARITY_ENV=development flask --app permits seed-demo`.")
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
@click.option("--country", help="The country an authority speaks for (US, MX or CA).")
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, role, organization, facility_id, country, name, password_stdin):
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
                                        name=name, organization=org, facility_id=facility_id,
                                        country=country)
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


def _existing_user(session, email: str):
    user = accounts.find_user(session, email)
    if user is None:
        raise click.BadParameter(f"no user {email}", param_hint="EMAIL")
    return user


@users.command("force-reset")
@click.argument("email")
def force_reset_user(email):
    """End EMAIL's sessions; the next sign-in must choose a new password."""
    with db.session_scope(db.engine()) as session:
        accounts.force_password_reset(session, user=_existing_user(session, email), actor_id=None)
    click.echo(f"{email} must choose a new password at the next sign-in.", err=True)


@users.command("deactivate")
@click.argument("email")
def deactivate_user(email):
    """Deactivate EMAIL: its sessions end at once and its tokens stop working."""
    with db.session_scope(db.engine()) as session:
        accounts.deactivate(session, user=_existing_user(session, email), actor_id=None)
    click.echo(f"Deactivated {email}.", err=True)


@audit_group.command("verify")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(dir_okay=False),
              help="A saved checkpoint (JSON) the chain must still extend.")
@click.option("--public-key", "public_key_file", type=click.Path(dir_okay=False),
              help="The published public key (PEM) to check the checkpoint's signature with; "
                   "default: the configured signing key's.")
@with_appcontext
def verify_audit(checkpoint_file, public_key_file):
    """Exit 0 when the chain and the live records verify (and extend the checkpoint), 1 naming
    the first problem."""
    from permits.audit import verification

    checkpoint = _read_checkpoint(checkpoint_file) if checkpoint_file else None
    public = _public_key(public_key_file) if checkpoint is not None else None
    with db.session_scope(db.engine(), read_only=True) as session:
        result = verification.verify(session, checkpoint=checkpoint, public_key=public)
    _keep_verification(result)
    if result.ok:
        extended = f"; extends checkpoint {checkpoint['seq']}" if checkpoint else ""
        click.echo(f"ok: {result.chain.entries} entries, head {result.chain.head}{extended}")
        return
    click.echo(f"FAILED: {result.first_problem()} ({result.count} problems; "
               f"{result.chain.entries} entries verify in the chain)", err=True)
    for problem in result.problems[1:20]:
        click.echo(f"  {problem['problem']}", err=True)
    sys.exit(1)


def _keep_verification(result) -> None:
    """The result goes on the administrators' page; a database that refuses the write (a
    read-only replica) does not change the command's answer."""
    from permits.audit import verification

    try:
        with db.session_scope(db.engine()) as session:
            verification.record(session, result, source="cli")
    except Exception as exc:  # noqa: BLE001 - the verification itself is what the caller asked for
        click.echo(f"(the result could not be kept for the admin page: {exc})", err=True)


def _read_checkpoint(path: str) -> dict:
    import json

    try:
        body = json.loads(open(path, encoding="utf-8").read())  # noqa: SIM115 - read at once
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"cannot read a checkpoint from {path}: {exc}",
                                 param_hint="--checkpoint") from exc
    if not isinstance(body, dict):
        raise click.BadParameter(f"{path} holds no checkpoint object", param_hint="--checkpoint")
    return body


def _public_key(path: str | None):
    from permits.audit import signing

    if path:
        try:
            return signing.load_public(open(path, encoding="utf-8").read())  # noqa: SIM115
        except (OSError, ValueError) as exc:
            raise click.BadParameter(f"{path} is not a public key: {exc}",
                                     param_hint="--public-key") from exc
    try:
        return signing.configured(current_app.config, current_app.instance_path).public
    except signing.SigningKeyMissing:
        return None  # the chain is still checked against the checkpoint, only not its signature


@audit_group.command("checkpoint")
@with_appcontext
def checkpoint_audit():
    """Sign and store a checkpoint of the chain's head; print it as JSON."""
    import json

    from permits.audit import checkpoints, signing

    try:
        key = signing.configured(current_app.config, current_app.instance_path)
    except signing.SigningKeyMissing as exc:
        raise ConfigurationProblem(str(exc)) from exc
    with db.session_scope(db.engine()) as session:
        body = checkpoints.to_dict(checkpoints.take(session, key))
    click.echo(json.dumps(body, indent=2))


@audit_group.command("keygen")
@click.argument("path", type=click.Path(dir_okay=False))
def keygen_audit(path):
    """Write a new Ed25519 checkpoint signing key to PATH (never over an existing file)."""
    from permits.audit import signing

    try:
        key = signing.generate(path)
    except FileExistsError as exc:
        raise ConfigurationProblem(f"{path} already exists; a key that signed checkpoints "
                                   "must not be replaced by accident.") from exc
    click.echo(f"Wrote key {key.key_id} to {path}; set PARITY_SIGNING_KEY_FILE={path}.", err=True)
    click.echo(signing.public_pem(key.public), nl=False)


class ConfigurationProblem(click.ClickException):
    """A configuration the command cannot run with: one line, exit 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.message}", err=True)


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
