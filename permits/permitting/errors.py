"""The permit layer's own kinds of domain error (`standards.errors`): an invalid application,
a permit not found, a permit not active, checks not met."""
from __future__ import annotations

from standards import problems
from standards.errors import InvalidTransition, NotFound, ValidationFailed, WrongType


def _summary(fields: dict[str, list[str]]):
    return problems.summary(fields)


class InvalidApplication(ValidationFailed):
    """An application (or amendment) invalid in itself, naming every bad field."""

    def __init__(self, fields: dict[str, list[str]], *, code: str | None = None):
        super().__init__(_summary(fields), fields, code=code)


class ApplicationWrongType(WrongType, InvalidApplication):
    """An application with a field of the wrong JSON type: a 400 (API.md), not a 422."""


class PermitNotFound(NotFound):
    """Also raised for a permit the caller may not see, so that its existence does not leak."""


class PermitNotActive(InvalidTransition):
    code = "permit_not_active"


class ChecksNotMet(InvalidTransition):
    """No one may approve while any check or permit rule is not met."""

    code = "checks_not_met"
