"""Small helpers shared by the permits models: UTC timestamps and JSON columns."""
from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field

from standards.clock import utcnow
from standards.fresh import empty_dict, empty_list

__all__ = ["json_field", "timestamp_field", "utcnow"]


# Never the builtins themselves: see standards.fresh.
_PLAIN_FACTORIES = {list: empty_list, dict: empty_dict}


def json_field(*, default_factory=list, nullable: bool = False):
    return Field(default_factory=_PLAIN_FACTORIES.get(default_factory, default_factory),
                 sa_column=Column(JSON, nullable=nullable))


def timestamp_field(*, nullable: bool = False, default_now: bool = True):
    kwargs = {"default_factory": utcnow} if default_now else {"default": None}
    return Field(sa_column=Column(DateTime(timezone=True), nullable=nullable), **kwargs)
