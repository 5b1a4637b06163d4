"""`flask --app permits registry import FILE.csv`: bulk facilities and evidence, with a progress bar."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlmodel import Session, select

from facility_registry.eligibility import due_facility_ids, refresh_standings
from facility_registry.importer import import_csv
from facility_registry.models import Facility
from permits.accounts import services as accounts
from permits.core import db
from standards.clock import utcnow
from standards.vocabulary import OVERSEERS

registry = AppGroup("registry", help="The facility registry: bulk import, stored standings.")


def register(app: Flask) -> None:
    app.cli.add_command(registry)


@registry.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "actor_email", help="The user the rows are recorded as (default: the system).")
@click.option("--verified", is_flag=True,
              help="Record the evidence as verified (only when --as names an inspector or admin).")
def import_command(path: str, actor_email: str | None, verified: bool):
    """Import facilities and evidence from PATH (columns in the README).

    Bad rows are reported with their line number and left out; good rows are kept; rows
    already in the registry are skipped, so importing a file twice adds nothing. Exits 1 when
    any row was refused.
    """
    actor_id, actor_role = _actor(actor_email)
    if verified and actor_role not in OVERSEERS:
        raise click.UsageError("--verified needs --as with an inspector's or admin's email")
    engine = db.engine()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = max(sum(1 for _ in handle) - 1, 0)
    with click.progressbar(length=rows, label="Importing", file=sys.stderr) as bar:
        result = import_csv(lambda: Session(engine, expire_on_commit=False), path,
                            actor_id=actor_id, actor_role=actor_role, verified=verified,
                            progress=bar.update)
    _refresh(engine, sorted(result.facility_ids), label="Eligibility")
    for line, message in result.errors:
        click.echo(f"line {line}: {message}", err=True)
    click.echo(f"{result.added_facilities} facilities and {result.added_evidence} evidence rows "
               f"added; {result.skipped_duplicates} already there; {len(result.errors)} refused.")
    if result.errors:
        sys.exit(1)


@registry.command("refresh")
@click.option("--all", "everything", is_flag=True, help="Every facility, not only those due.")
def refresh_command(everything: bool):
    """Recompute the stored standings (the finder's cache of eligibility) that no longer hold:
    expired, computed under other standards, or missing; with --all, every one.

    Safe at any time; the scheduler's `registry-standings` job does the same daily."""
    engine = db.engine()
    with db.session_scope(engine, read_only=True) as session:
        ids = (list(session.execute(select(Facility.id).order_by(Facility.id)).scalars())
               if everything else due_facility_ids(session, on=utcnow().date()))
    stored = _refresh(engine, ids, label="Eligibility")
    click.echo(f"{stored} standings stored for {len(ids)} facilities.")


def _refresh(engine, ids: list[int], *, label: str) -> int:
    stored = 0
    with click.progressbar(length=len(ids), label=label, file=sys.stderr) as bar:
        for start in range(0, len(ids), 2000):  # one transaction per slice keeps locks short
            with db.session_scope(engine) as session:
                stored += refresh_standings(session, ids[start:start + 2000], progress=bar.update)
    return stored


def _actor(email: str | None) -> tuple[int | None, str]:
    if not email:
        return None, "admin"
    with db.session_scope(db.engine(), read_only=True) as session:
        user = accounts.find_user(session, email)
        if user is None:
            raise click.BadParameter(f"no user {email}", param_hint="--as")
        return user.id, user.role
