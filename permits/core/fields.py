"""Small helpers shared by the permits models: UTC timestamps and JSON columns."""
from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field

from standards.clock import utcnow

__all__ = ["json_field", "timestamp_field", "utcnow"]


def json_field(*, default_factory=list, nullable: bool = False):
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=nullable))


def timestamp_field(*, nullable: bool = False, default_now: bool = True):
    kwargs = {"default_factory": utcnow} if default_now else {"default": None}
    return Field(sa_column=Column(DateTime(timezone=True), nullable=nullable), **kwargs)
