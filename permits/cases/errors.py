"""The cases' errors: the meanings of `standards.errors`, with the codes the cases name."""
from __future__ import annotations

from standards import problems
from standards.errors import DomainError, InvalidTransition, NotAllowed, NotFound, ValidationFailed

CaseError = DomainError  # what pages catch around a case's service call

__all__ = ["CaseError", "CaseNotFound", "InvalidPetition", "InvalidStage", "NotAllowed"]


class InvalidPetition(ValidationFailed):
    """A petition, a decision or a plan invalid in itself: a 422 naming every bad field."""

    @classmethod
    def fields_(cls, fields: dict[str, list[str]]) -> InvalidPetition:
        return cls(problems.summary(fields), fields)


class CaseNotFound(NotFound):
    code = "not_found"


class InvalidStage(InvalidTransition):
    """The case's stage forbids the action (or changed meanwhile)."""

    code = "invalid_stage"
