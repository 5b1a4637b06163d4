"""The audit chain: one row per state change, each hashing the one before it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from permits.core.fields import json_field, timestamp_field


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    # The admin's audit filters (actor, action or its prefix, dates) each read an index instead of
    # the whole trail; the pages are newest first, hence seq beside actor and action. On
    # PostgreSQL the action's index uses text_pattern_ops so that the prefix LIKE can use it
    # whatever the database's collation (SQLite's BINARY collation orders bytes already, and the
    # query adds a range there: see permits.admin.queries.audit_entries).
    __table_args__ = (
        Index("ix_audit_entry_actor_seq", "actor_id", "seq"),
        Index("ix_audit_entry_action_seq", "action", "seq",
              postgresql_ops={"action": "text_pattern_ops"}),
        Index("ix_audit_entry_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)  # 1, 2, 3 ... with no gaps: a gap is a removed entry
    at: datetime = timestamp_field()
    actor_id: int | None = None
    action: str = Field(max_length=80)
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=40, index=True)
    before: dict[str, Any] | None = json_field(default_factory=dict, nullable=True)
    after: dict[str, Any] | None = json_field(default_factory=dict, nullable=True)
    reason: str | None = None
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Checkpoint(SQLModel, table=True):
    """A signed statement of the chain's length, head and Merkle root at one moment."""

    __tablename__ = "audit_checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(index=True)  # the number of entries the checkpoint covers
    head: str = Field(max_length=64)
    root: str = Field(max_length=64)
    signed_at: str = Field(max_length=32)  # exactly as signed (ISO 8601, UTC)
    key_id: str = Field(max_length=64)
    signature: str = Field(max_length=128)


class VerificationRun(SQLModel, table=True):
    """The result of one `audit verify`, from the command line or an administrator's page."""

    __tablename__ = "audit_verification"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp_field()
    source: str = Field(max_length=10)  # "cli" or "page"
    actor_id: int | None = None
    ok: bool
    entries: int
    problems: int = 0
    first_problem: str | None = Field(default=None, max_length=500)
