"""The one family of domain errors: every layer raises these, and the API maps each to its status.

An error is a stable machine `code`, a sentence (`message`) and the `fields` it names
(`{"field": ["message"]}`), so that pages put the message under the field and the API returns
API.md's error shape. Subclass by meaning (not by package): the API's table
(`permits.api.errors.STATUS`) gives each meaning its HTTP status, and a subclass inherits it.
A narrower `code` on the same meaning is a class attribute or `code=` at the raise.
"""
from __future__ import annotations

from typing import Self


class DomainError(Exception):
    """Something asked of the system that it cannot do; the API answers a 400 unless a
    subclass says otherwise."""

    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None, *,
                 code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})
        if code:
            self.code = code

    def __str__(self) -> str:
        return self.message

    @classmethod
    def on(cls, field: str, message: str, **kwargs) -> Self:
        """An error about one field, worded once for both the message and the field."""
        from standards.problems import on_field

        return cls(on_field(field, message), {field: [message]}, **kwargs)


# ---- bad input: the request itself is wrong; nothing was looked up or changed ----------------

class BadInput(DomainError):
    """The input is wrong (malformed, of the wrong type, or invalid): the caller must fix it."""


class Malformed(BadInput):
    """The request cannot be read at all (not JSON, nested too deep, a cursor we never gave)."""

    code = "malformed_json"


class WrongType(BadInput):
    """A field has the wrong JSON type (API.md: a 400, not a 422)."""

    code = "wrong_type"


class ValidationFailed(BadInput, ValueError):
    """Well-formed input that is not valid: the fields say which and why."""

    code = "validation_failed"


class UnknownUnit(ValidationFailed):
    """A unit we cannot read, or cannot convert to the unit a standard is stated in."""

    code = "unknown_unit"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None, *,
                 code: str | None = None, unit: str | None = None):
        super().__init__(message, fields, code=code)
        self.unit = unit


class UnknownStandard(ValidationFailed):
    """No standard has this code."""

    code = "unknown_standard"


class CatalogueError(ValidationFailed):
    """The packaged catalogue data itself is wrong: a developer's mistake, caught at load time."""

    code = "invalid_catalogue"


# ---- who may, what exists, what state allows ----------------------------------------------

class Unauthenticated(DomainError):
    code = "unauthorized"


class NotAllowed(DomainError):
    """The actor may not do this (role, or ownership)."""

    code = "forbidden"


class NotFound(DomainError):
    """No such record (also said of a record the caller may not see, so it does not leak)."""

    code = "not_found"


class Conflict(DomainError):
    """The request clashes with what is stored (a duplicate, a cap, a date outside validity)."""

    code = "conflict"


class InvalidTransition(Conflict):
    """The record's state forbids the change (or it changed while we were deciding)."""

    code = "invalid_transition"
