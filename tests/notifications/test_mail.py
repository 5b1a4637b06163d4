"""E-mail of notices through a real SMTP server (aiosmtpd): after the commit only, in the
recipient's language, retried by the scheduler's job with backoff, given up after the last
attempt, never sent twice."""
from __future__ import annotations

import email
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update
from sqlmodel import Session, select

from permits.accounts.models import User
from permits.app import create_app
from permits.core.config import ConfigError
from permits.notifications import mail
from permits.notifications.models import Notification, NotificationMail
from permits.scheduler import process as scheduler
from standards.clock import as_utc, utcnow
from tests.permits.conftest import apply


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_port():
    return _free_port()


@pytest.fixture
def smtp_server(smtp_port):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def mail_app(db, database_url, smtp_port):
    application = create_app({
        "TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "PARITY_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "PARITY_MAIL_INLINE": True,
        "PARITY_PUBLIC_BASE_URL": "https://parity.example.org",
        "PARITY_SMTP_FROM": "Parity <notices@parity.example.org>"})
    yield application
    application.extensions["parity.engine"].dispose()


def _speaks(db, user, locale):
    with Session(db) as session:
        session.execute(update(User).where(User.id == user.id).values(locale=locale))
        session.commit()


def _outbox(db) -> list[NotificationMail]:
    with Session(db) as session:
        return list(session.exec(select(NotificationMail).order_by(NotificationMail.id)).all())


def _approve(app, db, shipper, facility):
    with app.app_context(), Session(db, expire_on_commit=False) as session:
        permit, decision = apply(session, shipper, facility.id)
        session.commit()
    return permit


def test_a_notice_is_mailed_after_the_commit_in_the_recipients_language(
        db, mail_app, smtp_server, shipper, colleague, compliant_facility):
    _speaks(db, shipper, "es")
    permit = _approve(mail_app, db, shipper, compliant_facility)
    by_address = {m["To"]: m for m in smtp_server.messages}
    assert set(by_address) == {shipper.email, colleague.email}
    spanish, english = by_address[shipper.email], by_address[colleague.email]
    assert spanish["Subject"] == f"Parity: La solicitud {permit.number} fue aprobada."
    assert english["Subject"] == f"Parity: Application {permit.number} was approved."
    assert english["From"] == "Parity <notices@parity.example.org>"
    assert f"https://parity.example.org/permits/{permit.id}" in english.get_payload(decode=True).decode()
    assert "Véalo en Parity" in spanish.get_payload(decode=True).decode()
    assert [(m.status, m.attempts) for m in _outbox(db)] == [("sent", 1), ("sent", 1)]


def test_a_rolled_back_event_leaves_no_outbox_row_and_sends_nothing(
        db, mail_app, smtp_server, shipper, compliant_facility):
    with mail_app.app_context(), Session(db) as session:
        apply(session, shipper, compliant_facility.id)
        assert session.exec(select(NotificationMail)).all()  # written with the event...
        session.rollback()
    assert _outbox(db) == [] and smtp_server.messages == []  # ...and gone with it


def test_nothing_is_queued_for_mail_without_an_smtp_server(db, app, shipper, compliant_facility):
    _approve(app, db, shipper, compliant_facility)
    with Session(db) as session:
        assert session.exec(select(Notification)).all()
    assert _outbox(db) == []


def test_a_failed_send_is_retried_by_the_scheduler_job_once_and_recorded(
        db, mail_app, smtp_port, shipper, compliant_facility):
    _approve(mail_app, db, shipper, compliant_facility)  # nothing listens on the port yet
    (failed,) = _outbox(db)
    assert (failed.status, failed.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in failed.last_error
    assert as_utc(failed.next_attempt_at) > utcnow() + timedelta(seconds=30)  # backoff: not at once
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert scheduler.send_notice_mail(mail_app).startswith("0 notices e-mailed")  # still waiting
        with Session(db) as session:
            session.execute(update(NotificationMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
            session.commit()
        assert scheduler.send_notice_mail(mail_app).startswith("1 notices e-mailed")
        assert scheduler.send_notice_mail(mail_app).startswith("0 notices e-mailed")  # no duplicate
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    (sent,) = _outbox(db)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, None)


def test_a_send_is_given_up_after_the_last_attempt_with_its_error(
        db, mail_app, shipper, compliant_facility):
    _approve(mail_app, db, shipper, compliant_facility)
    with Session(db) as session:
        session.execute(update(NotificationMail).values(attempts=mail.MAX_ATTEMPTS - 1,
                                                        next_attempt_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    assert "1 given up" in scheduler.send_notice_mail(mail_app)
    (given_up,) = _outbox(db)
    assert (given_up.status, given_up.attempts) == ("failed", mail.MAX_ATTEMPTS)
    assert given_up.last_error
    assert scheduler.send_notice_mail(mail_app).startswith("0 notices e-mailed, 0 to retry, 0 given up")


def test_the_command_sends_what_is_due(db, mail_app, smtp_port, shipper, compliant_facility):
    _approve(mail_app, db, shipper, compliant_facility)  # fails: no server yet
    with Session(db) as session:
        session.execute(update(NotificationMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        result = mail_app.test_cli_runner().invoke(args=["notifications", "send"])
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert "1 notices e-mailed" in result.output and len(inbox.messages) == 1


def test_the_scheduler_runs_the_mail_job_every_minute_when_smtp_is_set(mail_app, app):
    assert scheduler.MAIL_JOB_ID in {job.id for job in scheduler.build(mail_app).get_jobs()}
    assert scheduler.MAIL_JOB_ID not in {job.id for job in scheduler.build(app).get_jobs()}


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.example.org", ("mail.example.org", 25, False, False, None, None)),
    ("smtp://mail.example.org:587?starttls=true", ("mail.example.org", 587, False, True, None, None)),
    ("smtps://ops%40example.org:s%3Acret@mail.example.org:465",
     ("mail.example.org", 465, True, False, "ops@example.org", "s:cret")),
])
def test_smtp_urls(url, expected):
    s = mail.parse_smtp_url(url)
    assert (s.host, s.port, s.implicit_tls, s.starttls, s.username, s.password) == expected


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "smtps://h?starttls=1",
                                 "smtp://h:notaport"])
def test_a_bad_smtp_url_stops_the_app_with_a_sentence(url, database_url):
    with pytest.raises(ConfigError, match="PARITY_SMTP_URL"):
        create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x",
                    "PARITY_SMTP_URL": url})


def test_a_reminder_from_the_daily_job_is_mailed_once_through_the_outbox(
        db, mail_app, smtp_server, shipper, compliant_facility):
    from datetime import timedelta

    from permits.scheduler.process import JOBS, run_once

    permit = _approve(mail_app, db, shipper, compliant_facility)
    smtp_server.messages.clear()
    job = next(j for j in JOBS if j.id == "deadline-reminders")
    day = permit.valid_to - timedelta(days=7)
    with mail_app.app_context():
        assert run_once(db, job, day) == "1 deadline reminders sent"
        assert run_once(db, job, day) is None  # the day ran already
    reminders = [m for m in smtp_server.messages
                 if "is valid until" in m["Subject"]]
    assert [m["To"] for m in reminders] == [shipper.email]
    assert [(m.status, m.attempts) for m in _outbox(db)][-1] == ("sent", 1)
