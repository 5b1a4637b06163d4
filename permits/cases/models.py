"""The tables of a petition's case: the petition as filed, its files, each stage's deadline,
and the remediation plan. The case itself is the registry's `EnforcementCase` (one case model
for inspections and petitions); these rows hang off it.

The petition's contact e-mail and allegation are never published: only `permits.cases.public`
decides what the public sees, and it reads neither.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from permits.core.fields import timestamp_field


class Petition(SQLModel, table=True):
    """What someone filed, without an account: the case it opened and how to reach them."""

    __tablename__ = "petition"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="enforcement_case.id", unique=True)
    allegation: str = Field(sa_column=Column(Text, nullable=False))
    contact_email: str | None = Field(default=None, max_length=254)  # never published
    received_at: datetime = timestamp_field()


class PetitionAttachment(SQLModel, table=True):
    """A file filed with a petition (PDF, PNG or JPEG, checked by its bytes), kept in the
    database with the record, like an inspection's attachments."""

    __tablename__ = "petition_attachment"

    id: int | None = Field(default=None, primary_key=True)
    petition_id: int = Field(foreign_key="petition.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=60)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = timestamp_field()


class CaseStage(SQLModel, table=True):
    """One stage of one case: when it began, when it is due, when and how it ended, and
    whether the daily sweep found it overdue (and so escalated it to the inspectors)."""

    __tablename__ = "case_stage"
    __table_args__ = (UniqueConstraint("case_id", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="enforcement_case.id", index=True)
    stage: str = Field(max_length=20)
    started_on: date
    due_on: date | None = Field(default=None, index=True)
    completed_on: date | None = None
    decision: str | None = Field(default=None, max_length=40)  # accepted, dismissed, ...
    reasons: str | None = Field(default=None, max_length=5000)
    method: str | None = Field(default=None, max_length=20)  # investigation: inspection | evidence_request
    overdue_since: date | None = None  # the first day past due_on, as the sweep found it
    escalated_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    actor_id: int | None = None  # who ended the stage


class RemediationAction(SQLModel, table=True):
    """One action of a case's remediation plan, with its own deadline."""

    __tablename__ = "remediation_action"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="enforcement_case.id", index=True)
    position: int
    action: str = Field(max_length=1000)
    due_on: date


__all__ = ["CaseStage", "Petition", "PetitionAttachment", "RemediationAction"]
