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
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import String, Text, bindparam, cast, select
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
    return list(_registry_reasons(facility.status, _listed(facility.accepts, byproduct),
                                  not operation or _listed(facility.operations, operation),
                                  byproduct, operation))


def _registry_reasons(status: str, accepts: bool, performs: bool, byproduct: str,
                      operation: str | None) -> tuple[Message, ...]:
    reasons = []
    if status != "active":
        reasons.append(Message(_NOT_ACTIVE, {"status": status}))
    if not accepts:
        reasons.append(Message(_NOT_ACCEPTED, {"byproduct": byproduct}))
    if not performs:
        reasons.append(Message(_NOT_PERFORMED, {"operation": operation}))
    return tuple(reasons)


def _no_standard(byproduct: str, on: date) -> Message:
    return Message(NO_STANDARD, {"byproduct": byproduct, "date": on.isoformat()})


def check_facility(session: Session, facility: Facility, byproduct: str, on: date, *,
                   operation: str | None = None) -> Eligibility:
    """The facility's checks against the standards in force on `on` for `byproduct` that govern
    one of its receiving processes."""
    standards = governing(terms_in_force(session, on, byproduct, witness=facility.id),
                          facility.processes)
    evidence = standing_readings(session, [facility.id], standards, on)
    return _decide(facility, byproduct, on, standards, evidence, operation)


def _terms(session: Session, on: date, byproduct: str) -> list[StandardTerms]:
    # Plain copies: reading attributes off ORM rows costs more than the comparison itself.
    return [StandardTerms.of(s) for s in standards_in_force(session, on, byproduct)]


# The standards in force, compiled once per catalogue: (day, byproduct) -> (witness facility id,
# its equivalence stamp when they were read, the terms). Any change to a standard or a treaty
# accession gives every facility a new stamp in the same statement (database triggers,
# `facility_registry.equivalence_stamp`), so while the witness keeps its stamp the catalogue is
# the one they were read from. The witness's own evidence changes its stamp too: then they are
# read again (never wrong, only not remembered). Bounded like the other remembered verdicts.
_IN_FORCE: dict[tuple[date, str], tuple[int, int, list[StandardTerms]]] = {}
_IN_FORCE_LIMIT = 256
_STAMP_OF = select(Facility.__table__.c.equivalence_stamp).where(
    Facility.__table__.c.id == bindparam("id"))


def terms_in_force(session: Session, on: date, byproduct: str, *, witness: int,
                   stamps: dict[int, int] | None = None) -> list[StandardTerms]:
    """`_terms(session, on, byproduct)`, remembered while facility `witness`'s stamp, read in the
    caller's transaction, says the catalogue is unchanged (the list is shared: never change it).
    `stamps`: facility id -> equivalence stamp, already read in the caller's transaction before
    this call; a stamp found there is not read again."""
    stamps = stamps or {}
    found = _IN_FORCE.get((on, byproduct))
    if found is not None:
        stamp = _stamp_of(session, found[0], stamps)
        if stamp is not None and stamp == found[1]:
            return found[2]
    # The stamp first: a catalogue change committed meanwhile can only make it older than the
    # terms, never newer (a later reader then reads them again).
    stamp = _stamp_of(session, witness, stamps)
    terms = _terms(session, on, byproduct)
    if stamp is not None:
        if len(_IN_FORCE) >= _IN_FORCE_LIMIT:
            _IN_FORCE.clear()
        _IN_FORCE[(on, byproduct)] = (witness, stamp, terms)
    return terms


def _stamp_of(session: Session, facility_id: int, stamps: dict[int, int]) -> int | None:
    if facility_id in stamps:
        return stamps[facility_id]
    return session.connection().execute(_STAMP_OF, {"id": facility_id}).scalar()


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

class FinderPairs(Sequence):
    """The finder's (facility, reasons) pairs, each made only when read: a search over 10,000
    facilities is counted in full and shown fifty at a time. Rows are kept as the plain tuples
    the driver returned (the collector drops plain tuples of strings and numbers from its
    lists; 10,000 named tuples, pairs and lists per search kept it busy, a full collection of
    the app's heap in most searches: ~150 ms); reasons are shared per kind."""

    __slots__ = ("_reasons", "_rows")

    def __init__(self, rows: list[tuple], reasons: list):
        # reasons[i]: None (eligible), the stored blockers (str) or the registry's Messages (tuple)
        self._rows, self._reasons = rows, reasons

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._pair(i) for i in range(*index.indices(len(self._rows)))]
        if index < 0:
            index += len(self._rows)
        if not 0 <= index < len(self._rows):
            raise IndexError(index)
        return self._pair(index)

    def __iter__(self):
        return map(self._pair, range(len(self._rows)))

    def _pair(self, i: int) -> tuple[FacilityRow, list[str]]:
        reasons = self._reasons[i]
        if reasons is None:
            shown = []
        elif isinstance(reasons, str):
            shown = StoredReasons(reasons)
        else:
            shown = list(reasons)
        return FacilityRow._make(self._rows[i]), shown

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return repr(list(self))


@dataclass
class FinderResult:
    byproduct: str
    operation: str | None
    on: date
    # Both hold (facility, reasons it is not eligible) pairs: empty reasons in the first.
    eligible: Sequence[tuple[FacilityRow, list[str]]]
    ineligible: Sequence[tuple[FacilityRow, list[str]]]


def _facility_statement(country: str | None, ids: Sequence[int] | None):
    # The stored JSON as text, undecoded: a real CAST, so that PostgreSQL's driver does not
    # decode three JSON lists per facility (on SQLite it is the stored text as it is).
    statement = select(Facility.id, Facility.name, Facility.country, Facility.status,
                       cast(Facility.operations, Text), cast(Facility.accepts, Text),
                       cast(Facility.processes, Text))
    if country:
        statement = statement.where(Facility.country == country)
    if ids is not None:
        statement = statement.where(Facility.id.in_(list(ids)))
    return statement


def _plain_rows(session: Session, *, country: str | None = None,
                ids: Sequence[int] | None = None) -> list[tuple]:
    """FacilityRow's columns as the driver's plain tuples (no result processing is needed:
    integers and text), by name then id: cheaper here than an ORDER BY the index cannot serve."""
    result = session.connection().execute(_facility_statement(country, ids))
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    rows.sort(key=_BY_NAME)
    return rows


_BY_NAME = itemgetter(1, 0)
# A plain row's columns (FacilityRow's order).
_ID, _STATUS, _OPERATIONS, _ACCEPTS, _PROCESSES = 0, 3, 4, 5, 6


def facility_rows(session: Session, *, country: str | None = None,
                  ids: Sequence[int] | None = None) -> list[FacilityRow]:
    return list(map(FacilityRow._make, _plain_rows(session, country=country, ids=ids)))


def find_facilities(session: Session, *, byproduct: str, operation: str | None, on: date,
                    country: str | None = None) -> FinderResult:
    """Where can a shipper send `byproduct` for `operation` on `on`: the eligible facilities,
    and every other facility with the reasons it is not eligible.

    The registry's own reasons come from the facility row; the evidence verdicts from stored
    standings that still hold, and are computed afresh (without storing) for the rest."""
    rows = _plain_rows(session, country=country)
    in_force = _terms(session, on, byproduct)
    # The standards, and their label, for each set of receiving processes among the facilities.
    governed: dict[object, tuple[list[StandardTerms], str]] = {}
    for key in {_key(r[_PROCESSES]) for r in rows}:
        standards = governing(in_force, _decoded(key))
        governed[key] = (standards, standards_version(standards))
    # The registry's reasons depend on three facts of a row: worked out once for each
    # combination met (thousands of rows, a handful of combinations), the Messages shared.
    said: dict[tuple[str, bool, bool], tuple[Message, ...]] = {}
    no_standard = (_no_standard(byproduct, on),) if not in_force else ()
    stored = valid_standings(session, byproduct=byproduct,
                             standards_version={version for _, version in governed.values()},
                             on=on, operation=operation, country=country)
    ruled_out: list[tuple[Message, ...]] = []
    missing: list[tuple] = []
    for row in rows:
        facts = (row[_STATUS], _listed(row[_ACCEPTS], byproduct),
                 not operation or _listed(row[_OPERATIONS], operation))
        reasons = said.get(facts)
        if reasons is None:
            reasons = said[facts] = _registry_reasons(*facts, byproduct, operation) + no_standard
        ruled_out.append(reasons)
        if not reasons:
            # A stored standing counts only under the label of this facility's own standards.
            standing = stored.get(row[_ID])
            if standing is None or standing[2] != governed[_key(row[_PROCESSES])][1]:
                missing.append(row)
    fresh: dict[int, tuple[bool, str]] = {}
    if missing:
        evidence = standing_readings(session, [r[_ID] for r in missing], in_force, on)
        for row in missing:
            checks = [_check(row[_ID], s, evidence, on) for s in governed[_key(row[_PROCESSES])][0]]
            fresh[row[_ID]] = (all(c.verdict == "meets" for c in checks),
                               encode_blockers((c.standard, c.verdict) for c in checks
                                               if c.verdict != "meets"))
    eligible: list[tuple] = []
    ineligible: list[tuple] = []
    why: list = []
    for row, reasons in zip(rows, ruled_out, strict=True):
        if reasons:
            ineligible.append(row)
            why.append(reasons)
            continue
        meets, blockers = fresh[row[_ID]] if row[_ID] in fresh else stored[row[_ID]][:2]
        if meets:
            eligible.append(row)
        else:
            ineligible.append(row)
            why.append(blockers)
    return FinderResult(byproduct=byproduct, operation=operation, on=on,
                        eligible=FinderPairs(eligible, [None] * len(eligible)),
                        ineligible=FinderPairs(ineligible, why))
