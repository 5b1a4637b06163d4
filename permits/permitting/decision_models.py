"""Decisions on permit applications, amendments after approval, and inspectors' evidence requests.

A decision is written once and never updated: its `record_hash` covers every other field, so
a changed row is detected by recomputing the hash (see `permits.permitting.decisions.verify`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from permits.core.fields import json_field, timestamp_field

DECISION_OUTCOMES = ("approved", "denied", "under_review")
# Why the decision was made: the application, an inspector, new evidence, a reinstatement...
DECISION_KINDS = ("submission", "re_evaluation", "inspector_approval", "inspector_denial",
                  "amendment", "reinstatement")
AMENDMENT_STATUSES = ("under_review", "approved", "denied", "withdrawn")
REQUEST_STATUSES = ("open", "answered", "closed")


class Decision(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    permit_id: int = Field(foreign_key="permit.id", index=True)
    # Set when the decision was on a proposed amendment rather than on the application.
    amendment_id: int | None = Field(default=None, foreign_key="amendment.id", index=True)
    kind: str = Field(max_length=30)
    outcome: str = Field(max_length=20)
    decided_at: datetime = timestamp_field()
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")  # None: the system
    standards_version: str = Field(max_length=64)
    # The terms decided on (quantity, facility, route ...), as they stood at that moment.
    terms: dict[str, Any] = json_field(default_factory=dict)
    # The permit rules (facility active, accepts, operation, period, transit), one per line.
    rules: list[dict[str, Any]] = json_field()
    checks: list[dict[str, Any]] = json_field()  # API.md's CHECK shape, one per standard
    reasons: list[str] = json_field()
    evidence: list[dict[str, Any]] = json_field()  # the evidence rows used, with their values
    note: str | None = Field(default=None, max_length=2000)  # an inspector's stated reason
    record_hash: str = Field(max_length=64)


class Amendment(SQLModel, table=True):
    """A change to an approved permit (quantity, transporters, facility ...), decided before it applies."""

    id: int | None = Field(default=None, primary_key=True)
    permit_id: int = Field(foreign_key="permit.id", index=True)
    requested_by_id: int = Field(foreign_key="user_account.id")
    status: str = Field(default="under_review", max_length=20, index=True)
    changes: dict[str, Any] = json_field(default_factory=dict)  # API field -> proposed value
    before: dict[str, Any] = json_field(default_factory=dict)  # the same fields as they were
    reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = timestamp_field()
    decided_at: datetime | None = timestamp_field(nullable=True, default_now=False)


class EvidenceRequest(SQLModel, table=True):
    """An inspector asks a receiving facility for evidence an application under review lacks."""

    __tablename__ = "evidence_request"

    id: int | None = Field(default=None, primary_key=True)
    permit_id: int = Field(foreign_key="permit.id", index=True)
    facility_id: int = Field(foreign_key="facility.id", index=True)
    standard_code: str | None = Field(default=None, max_length=80)  # None: whatever is missing
    message: str = Field(max_length=2000)
    requested_by_id: int = Field(foreign_key="user_account.id")
    status: str = Field(default="open", max_length=12, index=True)
    created_at: datetime = timestamp_field()
    closed_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    closed_reason: str | None = Field(default=None, max_length=500)
