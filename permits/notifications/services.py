"""Writing notices (in the caller's transaction) and reading one's own inbox."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, insert, update
from sqlmodel import Session, select

from permits.accounts.models import User
from permits.core.db import Prepared, take_writer_lock
from permits.notifications.models import Notification, NotificationMail
from standards.clock import utcnow
from standards.messages import Message

INBOX_SIZE = 200
# session.info key: the app whose SMTP settings mail this transaction's notices after commit.
MAIL_AFTER_COMMIT = "parity.notifications.mail"


def _mailer():
    """The app when it mails notices (PARITY_SMTP_URL set), else None: in-app only."""
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get("PARITY_SMTP_URL"):
        return current_app._get_current_object()
    return None


def notify(session: Session, users: Iterable[User], message: Message, *, link: str = "",
           skip_user_id: int | None = None) -> list[int]:
    """One notice per active user (the one who did it is not told), and its e-mail in the outbox
    when SMTP is configured; flushes nothing but these INSERTs, never commits."""
    recipients = {u.id: u for u in users if u.active and u.id != skip_user_id}
    if not recipients:
        return []
    body = message.to_dict()
    app = _mailer()
    now = utcnow()
    ids = []
    connection = session.connection()
    take_writer_lock(connection)  # held already: a notice follows the audit entry it is about
    for user_id, user in sorted(recipients.items()):
        ((notice_id,),) = _INSERT_NOTICE.rows(connection, {
            "user_id": user_id, "code": body["code"], "params": body["params"],
            "link": link[:300], "created_at": now, "read_at": None})
        ids.append(notice_id)
        if app is not None:
            session.execute(insert(NotificationMail).values(
                notification_id=notice_id, to_address=user.email, status="pending", attempts=0,
                next_attempt_at=now, created_at=now))
    if app is not None:
        session.info[MAIL_AFTER_COMMIT] = app
    return ids


# Compiled once: a decision's notices are written under the writer lock.
_NOTICE = Notification.__table__
_INSERT_NOTICE = Prepared(insert(_NOTICE).returning(_NOTICE.c.id),
                          keys=("user_id", "code", "params", "link", "created_at", "read_at"))


def message_of(notice: Notification) -> Message | dict[str, Any]:
    """The notice's sentence (the stored dict when this version no longer knows its code)."""
    try:
        return Message.from_dict({"code": notice.code, "params": notice.params})
    except KeyError:
        return {"code": notice.code, "params": notice.params}


def unread_count(session: Session, user_id: int) -> int:
    return session.exec(select(func.count()).select_from(Notification)
                        .where(Notification.user_id == user_id, Notification.read_at.is_(None))).one()


def inbox(session: Session, user_id: int, limit: int = INBOX_SIZE) -> list[Notification]:
    """One's own notices: unread first, newest first within each."""
    return list(session.exec(
        select(Notification).where(Notification.user_id == user_id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(),
                  Notification.id.desc())
        .limit(limit)).all())


def mark_read(session: Session, *, user_id: int, notification_id: int | None = None) -> int:
    """Mark one of the user's notices (or all of them) read; how many changed. Another user's
    notice is never touched (the WHERE names the owner)."""
    where = [Notification.user_id == user_id, Notification.read_at.is_(None)]
    if notification_id is not None:
        where.append(Notification.id == notification_id)
    return session.execute(update(Notification).where(*where).values(read_at=utcnow())
                           .execution_options(synchronize_session=False)).rowcount


def open_notice(session: Session, *, user_id: int, notification_id: int) -> str | None:
    """Mark one of the user's notices read on following it; its link ("" when it has none), or
    None when the user has no notice of that id."""
    link = session.exec(select(Notification.link).where(
        Notification.id == notification_id, Notification.user_id == user_id)).first()
    if link is None:
        return None
    mark_read(session, user_id=user_id, notification_id=notification_id)
    return link
