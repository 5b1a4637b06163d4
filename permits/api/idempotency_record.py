"""Stored responses of API POSTs made with an Idempotency-Key, for exact replay."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from permits.core.fields import json_field, timestamp_field


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"

    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)  # method, path and body: another body is a 422
    status_code: int
    response_body: dict[str, Any] = json_field(default_factory=dict)
    created_at: datetime = timestamp_field()
