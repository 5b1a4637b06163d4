"""A notice to one user, and the e-mail that carries it when SMTP is configured."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from permits.core.fields import json_field, timestamp_field

MAIL_STATUSES = ("pending", "sent", "failed")  # failed: gave up after the last attempt


class Notification(SQLModel, table=True):
    """What one user is told: a message code and its parameters, so that it reads in the
    reader's language whenever it is shown or mailed, and the page it is about."""

    # The header's unread count is one COUNT on this index per page.
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    code: str = Field(max_length=80)
    params: dict[str, Any] = json_field(default_factory=dict)
    link: str = Field(default="", max_length=300)  # a path inside Parity
    created_at: datetime = timestamp_field()
    read_at: datetime | None = timestamp_field(nullable=True, default_now=False)


class NotificationMail(SQLModel, table=True):
    """The outbox: written in the transaction of the event, sent only after it commits."""

    __tablename__ = "notification_mail"
    __table_args__ = (Index("ix_notification_mail_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", unique=True)
    to_address: str = Field(max_length=254)
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = timestamp_field()
    # A sender holds the row until then: two senders never mail the same notice.
    claimed_until: datetime | None = timestamp_field(nullable=True, default_now=False)
    last_error: str | None = Field(default=None, max_length=1000)
    sent_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    created_at: datetime = timestamp_field()


class Reminder(SQLModel, table=True):
    """One reminder sent before a deadline: a deadline kind, its subject (a shipment, a consent,
    a case stage, a permit), the day it falls due and how many days ahead it was announced.
    The unique key is what makes a reminder go out once: a re-run, a catch-up after a restart
    or a second scheduler finds the row taken and tells nobody again."""

    __tablename__ = "notice_reminder"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "due_on", "lead_days",
                                       name="uq_notice_reminder_once"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    subject_id: int
    due_on: date
    lead_days: int
    sent_on: date
    recipients: int = 0
    created_at: datetime = timestamp_field()
