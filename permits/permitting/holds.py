"""Continuous equivalence: a permit ships only while its facilities still meet every standard it
was decided on.

`unmet_checks` is the shipment-time check (the standards of the standing decision, at their
version in force on the day, against the evidence as it stands that day: the statements of one
eligibility check, the catalogue's terms remembered as it remembers them). `recheck` puts an approved permit whose facility
stopped meeting `on_hold` (with `hold_since`, `hold_reasons`, `hold_checks`), follows a held
permit's checks as the evidence changes, and releases it when every check meets again within its
validity. Every change goes through `services._move`: a conditional UPDATE with its audit entry.
"""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import bindparam, or_
from sqlmodel import Session, select

from facility_registry.eligibility import governing, terms_in_force
from facility_registry.models import EnforcementCase, Facility
from facility_registry.readings import standing_readings
from permits.core import db
from permits.permitting import decisions, verdicts
from permits.permitting.models import Permit
from permits.permitting.services import MAX_REASON, _move
from standards.equivalence import MEETS, evaluate
from standards.errors import InvalidTransition

HELD_OR_APPROVED = ("approved", "on_hold")


def decided_standards(session: Session, permit: Permit) -> set[str]:
    """The codes of the standards the permit's standing decision checked."""
    if permit.decided_standards:
        return set(permit.decided_standards)
    decision = decisions.current_decision(session, permit.id)  # a permit decided before i10
    return {c["standard"] for c in decision.checks} if decision is not None else set()


def unmet_checks(session: Session, permit: Permit, on: date, *,
                 facilities: list[verdicts.FacilityFacts] | None = None) -> list[dict]:
    """The checks of the permit's facilities that do not meet on `on`, as the API's CHECK dicts
    with the facility's id; empty when the permit's facilities are still equivalent.

    `facilities`: the permit's facilities as (id, equivalence stamp, processes), read by the
    caller in its own transaction (a shipment reads them with its capped UPDATE). Given them, the
    verdict is remembered under them (`verdicts`); without them they are read here and the check
    runs afresh (the re-checks run right after a change, when nothing remembered would fit)."""
    codes = decided_standards(session, permit)
    if facilities is None:
        return _unmet(session, permit, on, codes, _facilities_of(session, permit))
    return verdicts.remembered(verdicts.key(codes, permit.byproduct, on, facilities),
                               lambda: _unmet(session, permit, on, codes, facilities))


def _facilities_of(session: Session, permit: Permit) -> list[verdicts.FacilityFacts]:
    """The permit's facilities (receiving first) as (id, equivalence stamp, processes), read
    afresh in one statement."""
    read = {row[0]: row[1:] for row in _FACTS.rows(session.connection(), {
        "receiving": permit.receiving_facility_id, "final": permit.final_facility_id})}
    facility_ids = [permit.receiving_facility_id]
    if permit.final_facility_id is not None:
        facility_ids.append(permit.final_facility_id)
    facts = []
    for facility_id in facility_ids:
        stamp, processes = read.get(facility_id, (None, None))
        facts.append((facility_id, stamp, tuple(as_list(processes))))
    return facts


_FACILITY = Facility.__table__
# Compiled once (every re-check asks): a permit has one or two facilities, never more.
_FACTS = db.Prepared(select(_FACILITY.c.id, _FACILITY.c.equivalence_stamp, _FACILITY.c.processes)
                     .where(or_(_FACILITY.c.id == bindparam("receiving"),
                                _FACILITY.c.id == bindparam("final"))))


def _unmet(session: Session, permit: Permit, on: date, codes: set[str],
           facilities: list[verdicts.FacilityFacts]) -> list[dict]:
    # The catalogue's terms as the eligibility check reads them, remembered per day and
    # byproduct while the receiving facility's stamp vouches for the catalogue (a change to any
    # standard restamps every facility in its own statement, so a re-check after one reads
    # afresh). The facilities' stamps were read in this transaction, just before.
    stamps = {facility_id: stamp for facility_id, stamp, _run in facilities if stamp is not None}
    standards = [t for t in terms_in_force(session, on, permit.byproduct, stamps=stamps,
                                           witness=permit.receiving_facility_id) if t.code in codes]
    processes = {facility_id: list(run) for facility_id, _stamp, run in facilities}
    facility_ids = list(processes)
    evidence = standing_readings(session, facility_ids, standards, on)
    unmet = []
    # Each facility answers for the standards governing its own processes as they stand on `on`:
    # a new version that no longer governs a process drops out from its effective date.
    for facility_id in facility_ids:
        for standard in governing(standards, processes[facility_id]):
            check = evaluate(standard, evidence.get((facility_id, standard.code, "limit")),
                             evidence.get((facility_id, standard.code, "measurement")), on)
            if check.verdict != MEETS:
                unmet.append({**check.to_dict(), "facility_id": facility_id})
    return unmet


def as_list(processes) -> list[str]:
    return json.loads(processes) if isinstance(processes, str) else list(processes or [])


def reasons_for(checks: list[dict]) -> list[str]:
    """One sentence per check not met, with its numbers."""
    return [f"{c['standard']}: {c['verdict']} — {c['reason']}" for c in checks]


def recheck(session: Session, permit: Permit, *, today: date, actor_id: int | None,
            cause: str) -> str | None:
    """Hold, update the hold of, or release one permit as its facilities' evidence stands today.
    A permit a case holds stays held whatever the evidence: only the case releases it.
    Returns the action taken (hold, update_hold, release) or None."""
    if permit.status not in HELD_OR_APPROVED or permit.valid_to < today:
        return None  # an ended validity is the expiry job's, not a release
    unmet = unmet_checks(session, permit, today)
    why = f"{cause}: " + "; ".join(reasons_for(unmet)) if unmet else cause
    why = why[:MAX_REASON]
    values = {"hold_reasons": [*case_reasons(session, permit), *reasons_for(unmet)],
              "hold_checks": unmet}
    try:
        if permit.status == "approved" and unmet:
            _move(session, permit, action="hold", to="on_hold", actor_id=actor_id, reason=why,
                  values={"hold_since": today, **values})
            return "hold"
        if permit.status == "on_hold" and not unmet and permit.hold_case_id is None:
            _move(session, permit, action="release", to="approved", actor_id=actor_id,
                  reason=f"every standard it was decided on is met again ({cause})"[:MAX_REASON])
            return "release"
        if permit.status == "on_hold" and _changed(permit.hold_checks, unmet):
            _move(session, permit, action="update_hold", to="on_hold", actor_id=actor_id,
                  reason=why, values=values)
            return "update_hold"
    except InvalidTransition:  # changed meanwhile (withdrawn, revoked, suspended): theirs wins
        return None
    return None


# --- holds for a rapid-response case ---------------------------------------------------------

def case_reason(reference: str) -> str:
    return f"held while case {reference} is investigated"


def case_reasons(session: Session, permit: Permit) -> list[str]:
    if permit.hold_case_id is None:
        return []
    case = session.get(EnforcementCase, permit.hold_case_id)
    return [case_reason(case.reference or str(case.id))] if case is not None else []


def hold_for_case(session: Session, permit: Permit, case: EnforcementCase, *, today: date,
                  actor_id: int | None) -> bool:
    """Hold an approved (or already held) permit while `case` is investigated; False when the
    permit is in no state to be held or another case holds it already."""
    if permit.status not in HELD_OR_APPROVED or permit.hold_case_id is not None:
        return False
    reason = case_reason(case.reference or str(case.id))
    values = {"hold_case_id": case.id, "hold_reasons": [reason, *(permit.hold_reasons or [])]}
    if permit.status == "approved":
        values["hold_since"] = today
    try:
        _move(session, permit, action="case_hold", to="on_hold", actor_id=actor_id,
              reason=reason, values=values, where=(Permit.hold_case_id.is_(None),))
    except InvalidTransition:  # changed meanwhile: it is not ours to hold
        return False
    return True


def release_for_case(session: Session, case: EnforcementCase, *, today: date,
                     actor_id: int | None, cause: str) -> dict[int, str]:
    """The case closed without a violation standing: each permit it held returns to approved,
    or stays on hold for the checks its facilities still do not meet."""
    held_by_case = session.exec(select(Permit).where(Permit.hold_case_id == case.id,
                                                     Permit.status == "on_hold")
                                .order_by(Permit.id)).all()
    done = {}
    for permit in held_by_case:
        unmet = unmet_checks(session, permit, today) if permit.valid_to >= today else []
        where = (Permit.hold_case_id == case.id,)
        try:
            if unmet:
                _move(session, permit, action="case_release", to="on_hold", actor_id=actor_id,
                      reason=cause[:MAX_REASON], where=where,
                      values={"hold_case_id": None, "hold_reasons": reasons_for(unmet),
                              "hold_checks": unmet})
                done[permit.id] = "update_hold"
            else:
                _move(session, permit, action="case_release", to="approved", actor_id=actor_id,
                      reason=cause[:MAX_REASON], where=where)
                done[permit.id] = "release"
        except InvalidTransition:
            continue
    return done


def held_by_case(session: Session, case_id: int) -> list[Permit]:
    return list(session.exec(select(Permit).where(Permit.hold_case_id == case_id)
                             .order_by(Permit.id)).all())


def _changed(held: list[dict], unmet: list[dict]) -> bool:
    def key(checks):
        return sorted((c["facility_id"], c["standard"], c["verdict"], c["reason"]) for c in checks)
    return key(held or []) != key(unmet)


def recheck_for_facilities(session: Session, facility_ids, *, today: date, actor_id: int | None,
                           cause: str) -> dict[int, str]:
    """Re-check every approved or held permit naming one of the facilities (in the caller's
    transaction); permit id → action taken."""
    ids = list(facility_ids)
    if not ids:
        return {}
    permits = session.exec(
        select(Permit).where(or_(Permit.receiving_facility_id.in_(ids),
                                 Permit.final_facility_id.in_(ids)),
                             Permit.status.in_(HELD_OR_APPROVED), Permit.valid_to >= today)
        .order_by(Permit.id)).all()
    return _recheck_all(session, permits, today=today, actor_id=actor_id, cause=cause)


def recheck_due(session: Session, *, today: date, byproducts=None) -> dict[int, str]:
    """The daily job (and a new standard version): every approved or held permit still valid,
    re-checked on `today` - evidence goes stale and exceedances leave the window with time."""
    statement = select(Permit).where(Permit.status.in_(HELD_OR_APPROVED), Permit.valid_to >= today)
    if byproducts is not None:
        statement = statement.where(Permit.byproduct.in_(list(byproducts)))
    permits = session.exec(statement.order_by(Permit.id)).all()
    cause = f"the daily re-check on {today.isoformat()}" if byproducts is None else \
        "a new version of a standard"
    return _recheck_all(session, permits, today=today, actor_id=None, cause=cause)


def _recheck_all(session, permits, *, today, actor_id, cause) -> dict[int, str]:
    done = {}
    for permit in permits:
        action = recheck(session, permit, today=today, actor_id=actor_id, cause=cause)
        if action:
            done[permit.id] = action
    return done


def held(session: Session, *, limit: int = 200) -> list[Permit]:
    """Permits on hold, longest held first (the inspectors' dashboard)."""
    return list(session.exec(select(Permit).where(Permit.status == "on_hold")
                             .order_by(Permit.hold_since, Permit.id).limit(limit)).all())
