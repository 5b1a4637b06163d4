"""A country's consent to a permit's shipments: one row per country asked, decided or not."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from permits.core.fields import timestamp_field

ROLES = ("importing", "transit")  # why the country is asked
STATUSES = ("pending", "granted", "objected")  # of one country's consent
DECISIONS = ("consent", "objection")
# How the decision reached Parity: the authority itself, a paper copy recorded by an
# inspector, or the scheduler when a tacit consent ran its course.
CHANNELS = ("authority", "paper", "tacit")
PERMIT_CONSENT_STATUSES = ("pending", "granted", "objected")  # of the permit as a whole


class Consent(SQLModel, table=True):
    """One country's answer to the notice of one permit.

    Opened `pending` when the notice is sent (the permit is approved, or an amendment needs
    consent again), decided once; a later decision of the same country is a new row that
    supersedes this one (an explicit revision), so every decision stays on record.
    """

    id: int | None = Field(default=None, primary_key=True)
    permit_id: int = Field(foreign_key="permit.id", index=True)
    country: str = Field(max_length=2, index=True)
    role: str = Field(max_length=12)
    requested_on: date  # the day the notice was sent
    # Canada as importing country consents tacitly on this day unless it objected first.
    tacit_on: date | None = None
    status: str = Field(default="pending", max_length=12, index=True)
    decision: str | None = Field(default=None, max_length=12)
    reference: str | None = Field(default=None, max_length=100)
    decided_on: date | None = None
    valid_to: date | None = None  # the consent's own expiry, within the permit's validity
    conditions: str | None = Field(default=None, max_length=2000)
    reason: str | None = Field(default=None, max_length=2000)  # why the country objected
    channel: str | None = Field(default=None, max_length=12)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    # The paper an inspector recorded the decision from (kept with the record, as inspections' are).
    document_name: str | None = Field(default=None, max_length=255)
    document_type: str | None = Field(default=None, max_length=60)
    document_sha256: str | None = Field(default=None, max_length=64)
    document: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    # A revision names the decision it replaces and says why.
    revises_id: int | None = Field(default=None, foreign_key="consent.id")
    revision_reason: str | None = Field(default=None, max_length=2000)
    # Set when a revision or an amendment replaced this row; None while it stands.
    superseded_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    superseded_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp_field()

    @property
    def live(self) -> bool:
        return self.superseded_at is None
