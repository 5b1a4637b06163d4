"""What the registry reads from the standards catalogue: codes, byproducts, bases, standards.

Loaded once per call site into a `Reference` so that a bulk import asks the database once,
not once per row.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from standards import codes
from standards.models import Standard
from standards.vocabulary import BYPRODUCTS


@dataclass(frozen=True, slots=True)
class StandardRule:
    """What recording evidence needs from one version of a standard (a plain copy: reading
    attributes off ORM rows would cost more than the checks themselves in a bulk import)."""

    code: str
    version: int
    unit: str | None
    basis: str
    direction: str
    effective_from: date
    # Stack gas: the conditions the U.S. value is stated at (None: no conversion of conditions).
    reference_conditions: dict | None = None

    @classmethod
    def of(cls, standard: Standard) -> StandardRule:
        return cls(standard.code, standard.version, standard.unit, standard.basis,
                   standard.direction, standard.effective_from, standard.reference_conditions)


@dataclass
class Reference:
    operation_codes: frozenset[str]
    byproducts: frozenset[str]
    bases: frozenset[str]
    # Every stored version of each standard, oldest first.
    standards: dict[str, list[StandardRule]] = field(default_factory=dict)

    def standard(self, code: str, on: date) -> StandardRule | None:
        """The version in force on `on`; the oldest one for evidence older than all of them
        (a measurement from before a revision is still about the same quantity)."""
        versions = self.standards.get(code)
        if not versions:
            return None
        if versions[-1].effective_from <= on:  # the usual case: the newest version applies
            return versions[-1]
        in_force = [s for s in versions if s.effective_from <= on]
        return in_force[-1] if in_force else versions[0]


def load_reference(session: Session) -> Reference:
    stored = session.exec(
        select(Standard).order_by(Standard.code, Standard.effective_from, Standard.version)
    ).all()
    by_code: dict[str, list[Standard]] = {}
    for standard in stored:
        by_code.setdefault(standard.code, []).append(StandardRule.of(standard))
    byproducts = set(BYPRODUCTS)
    for standard in stored:
        byproducts.update(standard.applies_to or [])
    for waste in codes.waste_codes(session):
        byproducts.update(getattr(waste, "byproducts", None) or [])
    return Reference(
        operation_codes=frozenset(_code(c) for c in codes.operation_codes(session)),
        byproducts=frozenset(byproducts),
        bases=frozenset(s.basis for s in stored if s.basis),
        standards=by_code,
    )


def _code(item) -> str:
    return item if isinstance(item, str) else item.code
