"""Stored compliance reports: every run of a report is a new version, never an overwrite."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from permits.core.fields import json_field, timestamp_field


class ComplianceReport(SQLModel, table=True):
    __tablename__ = "compliance_report"
    # A rerun for the same period adds version n+1 beside the ones before it: what was
    # published stays readable exactly as it was.
    __table_args__ = (UniqueConstraint("kind", "period", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, index=True)  # monthly_compliance, annual_exports, ...
    period: str = Field(max_length=10, index=True)  # "2026-11" or "2026"
    version: int = Field(ge=1)
    generated_at: datetime = timestamp_field()
    trigger: str = Field(default="cli", max_length=20)  # scheduler | cli | web
    generated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    content: dict[str, Any] = json_field(default_factory=dict)  # the Report, as JSON
    # SHA-256 of the canonical JSON of `content`: a changed row no longer matches it.
    content_hash: str = Field(max_length=64)
    # The audit chain as it stood when the report was built (its length and head hash): what
    # the report's figures rest on, checkable against a signed checkpoint. None before 2026-12.
    chain_seq: int | None = None
    chain_head: str | None = Field(default=None, max_length=64)
