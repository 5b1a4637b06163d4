"""Eligibility: may this facility receive this byproduct on this day, and if not, why not.

For each U.S. standard in force for the byproduct, the facility's standing binding limits and
measurements observed on or before the day (`facility_registry.readings`) go to
`standards.equivalence.evaluate`, which weighs the worst reading in the freshness window. The registry adds its own reasons (not active, does not
accept the byproduct, does not perform the operation). Evidence for many facilities is read
in one windowed query per chunk, never one query per facility or per standard.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import String, cast, select, type_coerce
from sqlmodel import Session

from facility_registry.models import Facility, FacilityStanding
from facility_registry.readings import CHUNK, standing_readings
from facility_registry.standing import (
    FOREVER,
    StoredReasons,
    encode_blockers,
    store,
    valid_standings,
)
from standards.catalogue import standards_in_force, standards_version
from standards.clock import add_months, utcnow
from standards.equivalence import Check, Reading, StandardTerms, evaluate, freshness_cutoff
from standards.messages import N_, Message, define


@dataclass
class Eligibility:
    eligible: bool
    checks: list[Check]
    reasons: list[Message]
    evidence_ids: list[int] = field(default_factory=list)

    def why_not(self) -> list[str]:
        """The registry's reasons, then each check that does not meet, in one list of sentences."""
        failing = [f"{c.standard}: {c.verdict} — {c.reason}" for c in self.checks
                   if c.verdict != "meets"]
        return [*self.reasons, *failing]

    def to_dict(self) -> dict:
        return {"eligible": self.eligible, "checks": [c.to_dict() for c in self.checks],
                "reasons": [str(r) for r in self.reasons], "evidence_ids": list(self.evidence_ids)}


class FacilityRow(NamedTuple):
    """The few columns the finder and the list need, without loading whole rows. `operations`,
    `accepts` and `processes` are the stored JSON text: decoding 20,000 lists per search costs
    more than the search, and a quoted code is found in the text as surely as in the list."""

    id: int
    name: str
    country: str
    status: str
    operations: str
    accepts: str
    processes: str = "[]"

    @property
    def accepted(self) -> list[str]:
        return json.loads(self.accepts or "[]") if isinstance(self.accepts, str) else self.accepts

    @property
    def processes_run(self) -> tuple[str, ...]:
        return _decoded(self.processes)


def _key(processes):
    """A hashable key for stored processes: the JSON text as read, or the decoded list's tuple
    (a driver may decode JSON itself)."""
    return processes if isinstance(processes, str) else tuple(processes or ())


def _decoded(processes) -> tuple[str, ...]:
    if isinstance(processes, str):
        return tuple(json.loads(processes or "[]"))
    return tuple(processes or ())


def governing(standards: Sequence[StandardTerms], processes) -> list[StandardTerms]:
    """The standards (of one byproduct) that govern a facility running `processes`: those naming
    one of them, and those naming none (they govern every process)."""
    wanted = set(processes or ())
    return [s for s in standards if not s.processes or wanted.intersection(s.processes)]


def _listed(codes, code: str) -> bool:
    if isinstance(codes, str):  # a FacilityRow's JSON text: codes are plain, so quoting is exact
        return f'"{code}"' in codes
    return code in (codes or [])


# The registry's reasons, as Messages: their English is what the API and old tests read; a
# page shows them in the reader's language (`str()` during a request).
_NOT_ACTIVE = define("eligibility.not_active", N_("the facility is %(status)s"))
_NOT_ACCEPTED = define("eligibility.not_accepted", N_("the facility does not accept %(byproduct)s"))
_NOT_PERFORMED = define("eligibility.not_performed", N_("the facility does not perform operation %(operation)s"))
NO_STANDARD = define("eligibility.no_standard", N_("no U.S. standard is in force for %(byproduct)s on %(date)s"))


def registry_reasons(facility, byproduct: str, operation: str | None = None) -> list[Message]:
    reasons = []
    if facility.status != "active":
        reasons.append(Message(_NOT_ACTIVE, {"status": facility.status}))
    if not _listed(facility.accepts, byproduct):
        reasons.append(Message(_NOT_ACCEPTED, {"byproduct": byproduct}))
    if operation and not _listed(facility.operations, operation):
        reasons.append(Message(_NOT_PERFORMED, {"operation": operation}))
    return reasons


def _no_standard(byproduct: str, on: date) -> Message:
    return Message(NO_STANDARD, {"byproduct": byproduct, "date": on.isoformat()})


def check_facility(session: Session, facility: Facility, byproduct: str, on: date, *,
                   operation: str | None = None) -> Eligibility:
    """The facility's checks against the standards in force on `on` for `byproduct` that govern
    one of its receiving processes."""
    standards = governing(_terms(session, on, byproduct), facility.processes)
    evidence = standing_readings(session, [facility.id], standards, on)
    return _decide(facility, byproduct, on, standards, evidence, operation)


def _terms(session: Session, on: date, byproduct: str) -> list[StandardTerms]:
    # Plain copies: reading attributes off ORM rows costs more than the comparison itself.
    return [StandardTerms.of(s) for s in standards_in_force(session, on, byproduct)]


def _decide(facility, byproduct, on, standards, evidence, operation) -> Eligibility:
    checks, used = [], []
    for standard in standards:
        check = _check(facility.id, standard, evidence, on)
        used.extend(r.evidence_id for r in (check._limit, check._measured)
                    if r is not None and r.evidence_id is not None)
        checks.append(check)
    reasons = registry_reasons(facility, byproduct, operation)
    if not standards:
        reasons.append(_no_standard(byproduct, on))
    eligible = not reasons and all(c.verdict == "meets" for c in checks)
    return Eligibility(eligible=eligible, checks=checks, reasons=reasons, evidence_ids=used)


def newest_evidence(session: Session, facility_ids: Sequence[int], standards: Iterable,
                    on: date) -> dict[tuple[int, str, str], list[Reading]]:
    """Kept for callers of the first version: every standing reading that counts (see
    `facility_registry.readings.standing_readings`)."""
    return standing_readings(session, facility_ids, standards, on)


# --- standings: the stored verdicts the finder reads ----------------------------------------

def refresh_standings(session: Session, facility_ids: Sequence[int] | None = None, *,
                      on: date | None = None, progress=None) -> int:
    """Compute and store the standing of each facility (all when `facility_ids` is None) for
    each byproduct it accepts; returns how many were stored. Flushes, never commits."""
    on = on or utcnow().date()
    ids = list(facility_ids) if facility_ids is not None else list(
        session.execute(select(Facility.id).order_by(Facility.id)).scalars())
    terms: dict[str, list[StandardTerms]] = {}
    stored = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        rows = facility_rows(session, ids=chunk)
        values = []
        accepted = {r.id: r.accepted for r in rows}
        byproducts = sorted({b for codes in accepted.values() for b in codes})
        for byproduct in byproducts:
            terms.setdefault(byproduct, _terms(session, on, byproduct))
        # One read of the chunk's evidence serves every byproduct: their standards overlap.
        every = {s.code: s for b in byproducts for s in terms[b]}.values()
        evidence = standing_readings(session, [r.id for r in rows], every, on)
        for byproduct in byproducts:
            by_processes: dict[object, tuple[list[StandardTerms], str]] = {}
            for row in (r for r in rows if byproduct in accepted[r.id]):
                key = _key(row.processes)
                if key not in by_processes:
                    governed = governing(terms[byproduct], _decoded(key))
                    by_processes[key] = (governed, standards_version(governed))
                standards, version = by_processes[key]
                checks = [_check(row.id, s, evidence, on) for s in standards]
                values.append(_standing(row.id, byproduct, checks, evidence, standards, on, version))
        store(session, chunk, values)
        stored += len(values)
        if progress:
            progress(len(chunk))
    session.flush()
    return stored


def refresh_due(session: Session, *, on: date | None = None, progress=None) -> int:
    """Refresh only the standings that no longer hold on `on`: expired, computed under other
    standards, or missing (the scheduler's daily job); returns how many were stored."""
    on = on or utcnow().date()
    return refresh_standings(session, due_facility_ids(session, on=on), on=on, progress=progress)


def due_facility_ids(session: Session, *, on: date) -> list[int]:
    outdated = select(FacilityStanding.facility_id).where(FacilityStanding.valid_until <= on)
    due = set(session.execute(outdated).scalars())
    # A standing holds while the standards governing its facility's processes keep its label.
    stored = session.execute(select(
        FacilityStanding.byproduct, FacilityStanding.standards_version,
        # A real CAST: PostgreSQL has no equality for `json`, which DISTINCT needs.
        cast(Facility.processes, String))
        .join(Facility, Facility.id == FacilityStanding.facility_id).distinct()).all()
    terms: dict[str, list[StandardTerms]] = {}
    for byproduct, version, processes in stored:
        if byproduct not in terms:
            terms[byproduct] = _terms(session, on, byproduct)
        if version != standards_version(governing(terms[byproduct], _decoded(processes))):
            due.update(session.execute(select(FacilityStanding.facility_id).where(
                FacilityStanding.byproduct == byproduct,
                FacilityStanding.standards_version == version)).scalars())
    without = select(Facility.id).where(~Facility.id.in_(select(FacilityStanding.facility_id)))
    due.update(session.execute(without).scalars())
    return sorted(due)


def _check(facility_id, standard, evidence, on) -> Check:
    return evaluate(standard, evidence.get((facility_id, standard.code, "limit")),
                    evidence.get((facility_id, standard.code, "measurement")), on)


def _standing(facility_id, byproduct, checks, evidence, standards, on, version) -> dict:
    # Only time can change a verdict computed today: a fresh measurement goes stale. One already
    # stale stays stale, so the standing holds until the first fresh one may expire.
    # Every reading in the window counts, so the verdict may change when any of them leaves it.
    expiries = [max(add_months(m.observed_on, s.freshness_months), on + timedelta(days=1))
                for s in standards
                for m in evidence.get((facility_id, s.code, "measurement"), ())
                if m.observed_on >= freshness_cutoff(on, s.freshness_months)]
    return {"facility_id": facility_id, "byproduct": byproduct,
            "checks_meet": bool(checks) and all(c.verdict == "meets" for c in checks),
            "blockers": encode_blockers((c.standard, c.verdict) for c in checks if c.verdict != "meets"),
            "computed_on": on, "valid_until": min(expiries, default=FOREVER),
            "standards_version": version}


# --- the finder ---------------------------------------------------------------------------

@dataclass
class FinderResult:
    byproduct: str
    operation: str | None
    on: date
    # Both lists hold (facility, reasons it is not eligible): empty reasons in the first.
    eligible: list[tuple[FacilityRow, list[str]]]
    ineligible: list[tuple[FacilityRow, list[str]]]


def facility_rows(session: Session, *, country: str | None = None,
                  ids: Sequence[int] | None = None) -> list[FacilityRow]:
    # type_coerce, not cast: the stored JSON text comes back as it is, undecoded.
    statement = select(Facility.id, Facility.name, Facility.country, Facility.status,
                       type_coerce(Facility.operations, String), type_coerce(Facility.accepts, String),
                       type_coerce(Facility.processes, String))
    if country:
        statement = statement.where(Facility.country == country)
    if ids is not None:
        statement = statement.where(Facility.id.in_(list(ids)))
    make = FacilityRow._make
    rows = [make(row) for row in session.connection().execute(statement)]
    rows.sort(key=_by_name)  # cheaper here than an ORDER BY the index cannot serve
    return rows


def _by_name(row: FacilityRow) -> tuple[str, int]:
    return row.name, row.id


def find_facilities(session: Session, *, byproduct: str, operation: str | None, on: date,
                    country: str | None = None) -> FinderResult:
    """Where can a shipper send `byproduct` for `operation` on `on`: the eligible facilities,
    and every other facility with the reasons it is not eligible.

    The registry's own reasons come from the facility row; the evidence verdicts from stored
    standings that still hold, and are computed afresh (without storing) for the rest."""
    rows = facility_rows(session, country=country)
    in_force = _terms(session, on, byproduct)
    # The standards, and their label, for each set of receiving processes among the facilities.
    governed: dict[object, tuple[list[StandardTerms], str]] = {}
    for key in {_key(r.processes) for r in rows}:
        standards = governing(in_force, _decoded(key))
        governed[key] = (standards, standards_version(standards))
    ruled_out = {r.id: registry_reasons(r, byproduct, operation) for r in rows}
    if not in_force:
        for reasons in ruled_out.values():
            reasons.append(_no_standard(byproduct, on))
    versions = {version for _, version in governed.values()}
    stored = valid_standings(session, byproduct=byproduct, standards_version=versions, on=on,
                             operation=operation, country=country)
    verdicts = {r.id: stored[r.id][:2] for r in rows
                if r.id in stored and stored[r.id][2] == governed[_key(r.processes)][1]}
    missing = [r for r in rows if not ruled_out[r.id] and r.id not in verdicts]
    if missing:
        evidence = standing_readings(session, [r.id for r in missing], in_force, on)
        for row in missing:
            checks = [_check(row.id, s, evidence, on) for s in governed[_key(row.processes)][0]]
            verdicts[row.id] = (all(c.verdict == "meets" for c in checks),
                                encode_blockers((c.standard, c.verdict) for c in checks
                                                if c.verdict != "meets"))
    eligible, ineligible = [], []
    for row in rows:
        if ruled_out[row.id]:
            ineligible.append((row, ruled_out[row.id]))
        elif verdicts[row.id][0]:
            eligible.append((row, []))
        else:
            ineligible.append((row, StoredReasons(verdicts[row.id][1])))
    return FinderResult(byproduct=byproduct, operation=operation, on=on, eligible=eligible,
                        ineligible=ineligible)
