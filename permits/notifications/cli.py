"""`flask --app permits notifications send`: e-mail the notices that are due now."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

group = AppGroup("notifications", help="E-mail the notices waiting in the outbox.")


@group.command("send")
@with_appcontext
def send():
    """Send every notice e-mail that is due (failed ones whose wait is over too)."""
    from permits.notifications import mail

    if not current_app.config.get("PARITY_SMTP_URL"):
        raise click.ClickException("PARITY_SMTP_URL is not set: notices are in-app only.")
    click.echo(str(mail.send_due(current_app._get_current_object())))


def register(app: Flask) -> None:
    app.cli.add_command(group)
