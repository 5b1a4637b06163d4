"""The registry's errors: each carries an API code, an HTTP status and the fields it names."""
from __future__ import annotations


class RegistryError(Exception):
    """Base class. `fields` maps a field name to its messages: {"country": ["..."]}."""

    code = "registry_error"
    status = 400

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None,
                 *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    @classmethod
    def on(cls, field: str, message: str, **kwargs) -> RegistryError:
        """An error about one field, worded once for both the message and the field."""
        return cls(f"{field}: {message}", {field: [message]}, **kwargs)


class ValidationFailed(RegistryError):
    code = "validation_failed"
    status = 422


class UnknownUnit(ValidationFailed):
    code = "unknown_unit"


class UnknownStandard(ValidationFailed):
    code = "unknown_standard"


class NotFound(RegistryError):
    code = "not_found"
    status = 404


class FacilityNotFound(NotFound):
    code = "facility_not_found"


class EvidenceNotFound(NotFound):
    code = "evidence_not_found"


class CaseNotFound(NotFound):
    code = "case_not_found"


class NotAllowed(RegistryError):
    """The actor's role may not do this (the layer above checks ownership)."""

    code = "forbidden"
    status = 403


class InvalidTransition(RegistryError):
    """The record's state forbids the change (already suspended, already superseded, ...)."""

    code = "invalid_transition"
    status = 409


class Conflict(RegistryError):
    code = "conflict"
    status = 409
