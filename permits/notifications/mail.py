"""E-mail of notices: the SMTP settings, each notice in its recipient's language, and the sender
that claims, sends and records outbox rows, retrying with backoff and giving up after a while.

The outbox row is written with the notice, in the event's transaction; it is sent after that
transaction commits (a rolled-back event has no row to send), by a thread started at commit and
by the scheduler every minute, which also retries failures. A row is claimed with a conditional
UPDATE before it is sent, so two senders never mail the same notice.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event, or_, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from permits.accounts.models import User
from permits.notifications import services
from permits.notifications.models import Notification, NotificationMail
from standards.clock import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_MINUTES = (1, 5, 15, 60, 240)  # after the 1st, 2nd... failure
CLAIM = timedelta(minutes=10)  # a sender that died mid-send lets go after this
BATCH = 200
SUBJECT_LENGTH = 120


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool  # smtps://
    starttls: bool
    username: str | None
    password: str | None
    timeout: float = 20.0

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpSettings:
    """`smtp://host:port`, `smtps://user:pass@host:465`, `smtp://host:587?starttls=true`."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("must look like smtp://host:port or smtps://user:password@host:465")
    query = {k: v[-1].strip().lower() for k, v in parse_qs(parts.query).items()}
    starttls = query.get("starttls", "") in ("1", "true", "yes", "on")
    if parts.scheme == "smtps" and starttls:
        raise ValueError("smtps:// is TLS from the start; starttls is for smtp://")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
        timeout = float(query.get("timeout", 20))
    except ValueError as exc:
        raise ValueError(f"has a port or timeout that is not a number ({exc})") from None
    return SmtpSettings(host=parts.hostname, port=port, implicit_tls=parts.scheme == "smtps",
                        starttls=starttls, username=unquote(parts.username) if parts.username else None,
                        password=unquote(parts.password) if parts.password else None,
                        timeout=timeout)


def describe(config) -> str:
    """One line for the log at startup: where notices go."""
    url = config.get("PARITY_SMTP_URL")
    if not url:
        return "PARITY_SMTP_URL is not set: notices are shown in the app only, not e-mailed."
    return f"Notices are also e-mailed through {parse_smtp_url(url).where}."


# --- composing --------------------------------------------------------------------------------

def language_of(app: Flask, user: User | None) -> str:
    offered = app.extensions.get("parity_languages") or ("en",)
    locale = (user.locale if user is not None else None) or "en"
    return locale if locale in offered else "en"


def compose(app: Flask, notice: Notification, user: User | None, to_address: str) -> EmailMessage:
    """The notice as plain text in the recipient's language, with the link to its page."""
    from permits.web.messages import say

    base = app.config["PARITY_PUBLIC_BASE_URL"].rstrip("/")
    with app.app_context(), force_locale(language_of(app, user)):
        sentence = say(services.message_of(notice), notice.code)
        summary = sentence if len(sentence) <= SUBJECT_LENGTH else sentence[:SUBJECT_LENGTH - 1] + "…"
        subject = _("Parity: %(summary)s", summary=summary)
        body = "\n\n".join([
            sentence,
            _("See it in Parity: %(link)s", link=base + (notice.link or "/notifications/")),
            "-- \n" + _("You receive this e-mail because you have an account at Parity. All your "
                        "notices: %(inbox)s", inbox=f"{base}/notifications/"),
        ])
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = app.config["PARITY_SMTP_FROM"]
    message["To"] = to_address
    message["Message-ID"] = make_msgid(domain="parity")
    message.set_content(body + "\n")
    return message


# --- sending ----------------------------------------------------------------------------------

@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0  # will be tried again
    gave_up: int = 0

    def __str__(self) -> str:
        return f"{self.sent} notices e-mailed, {self.failed} to retry, {self.gave_up} given up"


class _Connection:
    """One SMTP session for a batch, opened at the first message."""

    def __init__(self, settings: SmtpSettings):
        self.settings, self.smtp = settings, None

    def send(self, message: EmailMessage) -> None:
        if self.smtp is None:
            s = self.settings
            if s.implicit_tls:
                self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                             context=ssl.create_default_context())
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.starttls:
                    self.smtp.starttls(context=ssl.create_default_context())
            if s.username:
                self.smtp.login(s.username, s.password or "")
        try:
            self.smtp.send_message(message)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()  # the next message opens a fresh session
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.smtp = None


def _due(now: datetime, ids: list[int] | None = None):
    where = [NotificationMail.status == "pending", NotificationMail.next_attempt_at <= now,
             or_(NotificationMail.claimed_until.is_(None), NotificationMail.claimed_until < now)]
    if ids is not None:
        where.append(NotificationMail.id.in_(ids))
    return where


def send_due(app: Flask, *, now: datetime | None = None, limit: int = BATCH) -> Outcome:
    """Send every outbox row that is due (each claimed first), recording each result."""
    url = app.config.get("PARITY_SMTP_URL")
    outcome = Outcome()
    if not url:
        return outcome
    now = now or utcnow()
    engine = app.extensions["parity.engine"]
    with Session(engine) as session:
        ids = list(session.exec(select(NotificationMail.id).where(*_due(now))
                                .order_by(NotificationMail.id).limit(limit)).all())
    connection = _Connection(parse_smtp_url(url))
    try:
        for mail_id in ids:
            _send_one(app, engine, connection, mail_id, now, outcome)
    finally:
        connection.close()
    return outcome


def _send_one(app, engine, connection, mail_id: int, now: datetime, outcome: Outcome) -> None:
    with Session(engine, expire_on_commit=False) as session:
        claimed = session.execute(
            update(NotificationMail).where(NotificationMail.id == mail_id, *_due(now))
            .values(claimed_until=now + CLAIM).execution_options(synchronize_session=False))
        session.commit()
        if claimed.rowcount != 1:
            return  # another sender has it, or it is done
        mail = session.get(NotificationMail, mail_id)
        notice = session.get(Notification, mail.notification_id)
        user = session.get(User, notice.user_id)
        try:
            connection.send(compose(app, notice, user, mail.to_address))
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
            attempts = mail.attempts + 1
            gave_up = attempts >= MAX_ATTEMPTS
            wait = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
            session.execute(update(NotificationMail).where(NotificationMail.id == mail_id).values(
                attempts=attempts, status="failed" if gave_up else "pending", claimed_until=None,
                next_attempt_at=now + timedelta(minutes=wait),
                last_error=f"{type(exc).__name__}: {exc}"[:1000]))
            session.commit()
            log.warning("notice e-mail %s to %s failed (attempt %s%s): %s", mail_id,
                        mail.to_address, attempts, ", giving up" if gave_up else "", exc)
            if gave_up:
                outcome.gave_up += 1
            else:
                outcome.failed += 1
            return
        session.execute(update(NotificationMail).where(NotificationMail.id == mail_id).values(
            attempts=mail.attempts + 1, status="sent", sent_at=utcnow(), claimed_until=None,
            last_error=None))
        session.commit()
        outcome.sent += 1


# --- after the commit -------------------------------------------------------------------------

def _send_quietly(app: Flask) -> None:
    try:
        send_due(app)
    except Exception:  # noqa: BLE001 - the scheduler tries again; the request is long done
        log.exception("sending notice e-mails after a commit failed")


@event.listens_for(OrmSession, "after_commit")
def _after_commit(session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released: the transaction is still open
    app = session.info.pop(services.MAIL_AFTER_COMMIT, None)
    if app is None:
        return
    if app.config.get("PARITY_MAIL_INLINE"):  # tests and the CLI: at once, in this thread
        _send_quietly(app)
    else:
        threading.Thread(target=_send_quietly, args=(app,), name="parity-notice-mail",
                         daemon=True).start()


@event.listens_for(OrmSession, "after_rollback")
def _after_rollback(session) -> None:
    if session.get_nested_transaction() is None:  # the whole transaction, not a savepoint
        session.info.pop(services.MAIL_AFTER_COMMIT, None)
