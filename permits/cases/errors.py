"""The cases' errors: each carries its HTTP status, a stable code and the fields it names."""
from __future__ import annotations


class CaseError(Exception):
    status = 400
    code = "case_error"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    @classmethod
    def on(cls, field: str, message: str) -> CaseError:
        return cls(f"{field}: {message}", {field: [message]})


class InvalidPetition(CaseError):
    status = 422
    code = "validation_failed"

    @classmethod
    def fields_(cls, fields: dict[str, list[str]]) -> InvalidPetition:
        first = next(iter(fields))
        return cls(f"{first}: {fields[first][0]}", fields)


class CaseNotFound(CaseError):
    status = 404
    code = "not_found"


class NotAllowed(CaseError):
    status = 403
    code = "forbidden"


class InvalidStage(CaseError):
    """The case's stage forbids the action (or changed meanwhile)."""

    status = 409
    code = "invalid_stage"
