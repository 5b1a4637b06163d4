"""The permit layer's errors: each carries its HTTP status, a stable code and the fields it names.

`permits.api.errors.as_api_error` turns any of them into the API's error shape, and the HTML
error pages show their message; forms put `fields` under the fields they name.
"""
from __future__ import annotations


class PermitError(Exception):
    status = 400
    code = "permit_error"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None, *,
                 code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class InvalidApplication(PermitError):
    """An application (or amendment) invalid in itself: a 422 naming every bad field."""

    status = 422
    code = "validation_failed"

    def __init__(self, fields: dict[str, list[str]], *, wrong_type: bool = False):
        first = next(iter(fields))
        super().__init__(f"{first}: {fields[first][0]}" if len(fields) == 1
                         else f"{len(fields)} fields are not valid, first {first}: {fields[first][0]}",
                         fields)
        if wrong_type:  # API.md: wrong JSON types are a 400, not a 422
            self.status, self.code = 400, "wrong_type"


class PermitNotFound(PermitError):
    """Also raised for a permit the caller may not see, so that its existence does not leak."""

    status = 404
    code = "not_found"


class NotAllowed(PermitError):
    status = 403
    code = "forbidden"


class InvalidTransition(PermitError):
    """The permit's status forbids the action (or changed while we were deciding)."""

    status = 409
    code = "invalid_transition"


class PermitNotActive(InvalidTransition):
    code = "permit_not_active"


class ChecksNotMet(InvalidTransition):
    """No one may approve while any check or permit rule is not met."""

    code = "checks_not_met"
