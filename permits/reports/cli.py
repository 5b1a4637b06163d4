"""`flask --app permits reports ...`: run a report now, list the stored ones."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from permits.core import db
from permits.reports import KINDS, ReportError
from permits.reports.store import latest_versions, run_report
from standards import clock

reports_group = AppGroup("reports", help="Run compliance reports and list the stored ones.")


def register(app: Flask) -> None:
    app.cli.add_command(reports_group)


@reports_group.command("run")
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.option("--period", help="YYYY-MM for a monthly report, YYYY for a yearly one "
                               "(default: the last complete period).")
def run(kind: str, period: str | None):
    """Run KIND now and store it as a new version (the scheduler runs the same code)."""
    with db.session_scope(db.engine()) as session:
        try:
            stored = run_report(session, kind=kind, period=period, today=clock.today(),
                                trigger="cli", progress=lambda line: click.echo(f"  {line}", err=True))
        except ReportError as exc:
            raise click.BadParameter(exc.message, param_hint="--period") from exc
    click.echo(f"{stored.kind} {stored.period} version {stored.version} {stored.content_hash}")


@reports_group.command("list")
@click.option("--kind", type=click.Choice(sorted(KINDS)), help="Only this kind.")
def list_reports(kind: str | None):
    """The newest version of every stored report, newest period first."""
    with db.session_scope(db.engine(), read_only=True) as session:
        rows = latest_versions(session, kind=kind)
    if not rows:
        click.echo("No reports stored yet.", err=True)
    for row in rows:
        click.echo(f"{row.kind:<20} {row.period:<8} v{row.version:<3} "
                   f"{row.generated_at:%Y-%m-%d %H:%M} {row.trigger:<9} {row.content_hash}")
