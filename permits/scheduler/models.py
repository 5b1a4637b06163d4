"""One row per scheduled job per period: what makes every job run once a period, and no more."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from permits.core.fields import timestamp_field


class JobRun(SQLModel, table=True):
    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=60)
    period: str = Field(max_length=20)  # "2026-11-29" for a daily job
    started_at: datetime = timestamp_field()
    finished_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    summary: str = ""


class JobFailure(SQLModel, table=True):
    """A job's day that failed: its claim rolled back (so the day is tried again), this stays."""

    __tablename__ = "job_failure"

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=60, index=True)
    period: str = Field(max_length=20)
    failed_at: datetime = timestamp_field()
    error: str = Field(default="", max_length=500)
