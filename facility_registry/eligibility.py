"""Eligibility: may this facility receive this byproduct on this day, and if not, why not.

For each U.S. standard in force for the byproduct, the facility's binding limit and newest
measurement (standing, observed on or before the day; verified preferred over unverified) go
to `standards.equivalence.evaluate`. The registry adds its own reasons (not active, does not
accept the byproduct, does not perform the operation). Evidence for many facilities is read
in one windowed query per chunk, never one query per facility or per standard.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from facility_registry.evidence import not_superseded
from facility_registry.models import Evidence, Facility
from standards.catalogue import standards_in_force
from standards.equivalence import Check, Reading, StandardTerms, evaluate

CHUNK = 500  # facility ids per evidence query: well under every driver's parameter limit


@dataclass
class Eligibility:
    eligible: bool
    checks: list[Check]
    reasons: list[str]
    evidence_ids: list[int] = field(default_factory=list)

    def why_not(self) -> list[str]:
        """The registry's reasons, then each check that does not meet, in one list of sentences."""
        failing = [f"{c.standard}: {c.verdict} — {c.reason}" for c in self.checks
                   if c.verdict != "meets"]
        return [*self.reasons, *failing]

    def to_dict(self) -> dict:
        return {"eligible": self.eligible, "checks": [c.to_dict() for c in self.checks],
                "reasons": list(self.reasons), "evidence_ids": list(self.evidence_ids)}


@dataclass(frozen=True)
class FacilityRow:
    """The few columns the finder and the list need, without loading whole rows."""

    id: int
    name: str
    country: str
    status: str
    operations: list[str]
    accepts: list[str]


def registry_reasons(facility, byproduct: str, operation: str | None = None) -> list[str]:
    reasons = []
    if facility.status != "active":
        reasons.append(f"the facility is {facility.status}")
    if byproduct not in (facility.accepts or []):
        reasons.append(f"the facility does not accept {byproduct}")
    if operation and operation not in (facility.operations or []):
        reasons.append(f"the facility does not perform operation {operation}")
    return reasons


def check_facility(session: Session, facility: Facility, byproduct: str, on: date, *,
                   operation: str | None = None) -> Eligibility:
    standards = _terms(session, on, byproduct)
    evidence = newest_evidence(session, [facility.id], standards, on)
    return _decide(facility, byproduct, on, standards, evidence, operation)


def _terms(session: Session, on: date, byproduct: str) -> list[StandardTerms]:
    # Plain copies: reading attributes off ORM rows costs more than the comparison itself.
    return [StandardTerms.of(s) for s in standards_in_force(session, on, byproduct)]


def _decide(facility, byproduct, on, standards, evidence, operation) -> Eligibility:
    checks, used = [], []
    for standard in standards:
        limit = evidence.get((facility.id, standard.code, "limit"))
        measured = evidence.get((facility.id, standard.code, "measurement"))
        used.extend(r.evidence_id for r in (limit, measured) if r is not None)
        checks.append(evaluate(standard, limit, measured, on))
    reasons = registry_reasons(facility, byproduct, operation)
    if not standards:
        reasons.append(f"no U.S. standard is in force for {byproduct} on {on.isoformat()}")
    eligible = not reasons and all(c.verdict == "meets" for c in checks)
    return Eligibility(eligible=eligible, checks=checks, reasons=reasons, evidence_ids=used)


def newest_evidence(session: Session, facility_ids: Sequence[int], standards: Iterable,
                    on: date) -> dict[tuple[int, str, str], Reading]:
    """(facility, standard, kind) → the Reading to judge: standing entries observed on or before
    `on`, verified ones first, then the newest observation, then the newest entry."""
    practices = {s.code for s in standards if s.direction == "required"}
    codes = sorted({s.code for s in standards})
    found: dict[tuple[int, str, str], Reading] = {}
    if not codes:
        return found
    for start in range(0, len(facility_ids), CHUNK):
        chunk = list(facility_ids[start:start + CHUNK])
        for row in session.execute(_newest_statement(chunk, codes, on)):
            code = row.standard_code
            # A practice is stored as 1.0/0.0; the comparison wants True/False.
            value = row.value == 1.0 if code in practices else row.value
            found[(row.facility_id, code, row.kind)] = Reading(
                value=value, unit=row.unit, basis=row.basis, observed_on=row.observed_on,
                verified=bool(row.verified), evidence_id=row.id, source=row.source)
    return found


def _newest_statement(facility_ids: list[int], codes: list[str], on: date):
    rank = func.row_number().over(
        partition_by=(Evidence.facility_id, Evidence.standard_code, Evidence.kind),
        order_by=(Evidence.verified.desc(), Evidence.observed_on.desc(), Evidence.id.desc()),
    ).label("rank")
    ranked = (
        select(Evidence.id, Evidence.facility_id, Evidence.standard_code, Evidence.kind,
               Evidence.value, Evidence.unit, Evidence.basis, Evidence.observed_on,
               Evidence.verified, Evidence.source, rank)
        .where(Evidence.facility_id.in_(facility_ids), Evidence.standard_code.in_(codes),
               Evidence.observed_on <= on, not_superseded())
        .subquery()
    )
    return select(ranked).where(ranked.c.rank == 1)


# --- the finder ---------------------------------------------------------------------------

@dataclass
class FinderResult:
    byproduct: str
    operation: str | None
    on: date
    eligible: list[tuple[FacilityRow, Eligibility]]
    ineligible: list[tuple[FacilityRow, list[str]]]


def facility_rows(session: Session, *, country: str | None = None,
                  ids: Sequence[int] | None = None) -> list[FacilityRow]:
    statement = select(Facility.id, Facility.name, Facility.country, Facility.status,
                       Facility.operations, Facility.accepts).order_by(Facility.name, Facility.id)
    if country:
        statement = statement.where(Facility.country == country)
    if ids is not None:
        statement = statement.where(Facility.id.in_(list(ids)))
    return [FacilityRow(*row) for row in session.execute(statement)]


def find_facilities(session: Session, *, byproduct: str, operation: str | None, on: date,
                    country: str | None = None) -> FinderResult:
    """Where can a shipper send `byproduct` for `operation` on `on`: the eligible facilities
    with their checks, and every other facility with the reasons it is not eligible."""
    rows = facility_rows(session, country=country)
    # Only facilities the registry itself does not rule out need their evidence read.
    ruled_out = {r.id: registry_reasons(r, byproduct, operation) for r in rows}
    candidates = [r.id for r in rows if not ruled_out[r.id]]
    standards = _terms(session, on, byproduct)
    evidence = newest_evidence(session, candidates, standards, on)
    eligible, ineligible = [], []
    for row in rows:
        if ruled_out[row.id]:
            ineligible.append((row, ruled_out[row.id]))
            continue
        result = _decide(row, byproduct, on, standards, evidence, operation)
        if result.eligible:
            eligible.append((row, result))
        else:
            ineligible.append((row, result.why_not()))
    return FinderResult(byproduct=byproduct, operation=operation, on=on, eligible=eligible,
                        ineligible=ineligible)
