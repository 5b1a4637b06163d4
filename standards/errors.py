"""Errors of the standards package: each has a machine `code` and names the offending fields."""
from __future__ import annotations


class StandardsError(ValueError):
    """Bad input to a standards service; `fields` maps each field to its messages."""

    code = "validation_failed"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code is not None:
            self.code = code


class UnknownStandard(StandardsError):
    code = "unknown_standard"


class CatalogueError(StandardsError):
    """The packaged catalogue data itself is wrong: a developer's mistake, caught at load time."""

    code = "invalid_catalogue"
