"""Evidence: binding limits and measurements per standard; recorded, corrected, verified.

Evidence is never edited or deleted. A correction is a new row that supersedes the old one
with a reason; the old row stays, and "superseded" is read from the link. A facility user's
entry is unverified until an inspector verifies it; an inspector's is verified at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from facility_registry import events, validation
from facility_registry.announce import EVIDENCE_ROLES, INSPECTOR_ROLES, audited
from facility_registry.errors import (
    EvidenceNotFound,
    InvalidTransition,
    NotAllowed,
    UnknownStandard,
    UnknownUnit,
    ValidationFailed,
)
from facility_registry.facilities import get_facility
from facility_registry.models import EVIDENCE_KINDS, Evidence, Facility, utcnow
from facility_registry.reference import Reference, load_reference
from standards import units


@dataclass(frozen=True)
class CleanEvidence:
    """One entry after validation: the value as typed and as converted, side by side."""

    standard_code: str
    kind: str
    value_entered: str
    unit_entered: str | None
    value: float
    unit: str | None
    basis: str | None
    observed_on: date
    source: str


def clean_evidence(data: dict, reference: Reference, *, today: date, prefix: str = "") -> CleanEvidence:
    """Validate one evidence body (API.md's shape) and convert its value once, to the standard's
    canonical unit. Field names in errors carry `prefix` (e.g. `findings[0].`)."""
    def name(field: str) -> str:
        return f"{prefix}{field}"

    code = validation.text(data.get("standard"), name("standard"), max_length=80)
    observed_on = validation.past_date(data.get("observed_on"), name("observed_on"), today=today)
    standard = reference.standard(code, observed_on)
    if standard is None:
        raise UnknownStandard.on(name("standard"), f"{code} is not in the standards catalogue")
    clean = validation.collect({
        "kind": lambda: _kind(data.get("kind"), name("kind")),
        "source": lambda: validation.text(data.get("source"), name("source"), max_length=500),
        "basis": lambda: _basis(data.get("basis"), standard, reference, name("basis")),
    })
    value, unit, value_entered, unit_entered = _convert(data.get("value"), data.get("unit"),
                                                        standard, name)
    return CleanEvidence(standard_code=standard.code, kind=clean["kind"],
                         value_entered=value_entered, unit_entered=unit_entered, value=value,
                         unit=unit, basis=clean["basis"], observed_on=observed_on,
                         source=clean["source"])


def _kind(value, field: str) -> str:
    clean = validation.text(value, field, max_length=12)
    if clean not in EVIDENCE_KINDS:
        raise validation.fail(field, "must be limit or measurement")
    return clean


def _basis(value, standard, reference: Reference, field: str) -> str | None:
    required_practice = standard.direction == "required"
    clean = validation.text(value, field, max_length=40, required=not required_practice)
    if clean is None:  # a practice is in place or not: it has no averaging basis to choose
        return standard.basis
    if clean not in reference.bases:
        known = ", ".join(sorted(reference.bases))
        raise validation.fail(field, f"{clean} is not a basis the catalogue knows ({known})")
    return clean


def _convert(value, unit, standard, name) -> tuple[float, str | None, str, str | None]:
    """(canonical value, canonical unit, value as typed, unit as typed)."""
    unit_entered = validation.text(unit, name("unit"), max_length=40, required=False)
    if standard.direction == "required":
        if unit_entered:
            raise validation.fail(name("unit"), "a required practice takes no unit")
        in_place = validation.boolean(value, name("value"))
        return (1.0 if in_place else 0.0), None, ("true" if in_place else "false"), None
    number = validation.number(value, name("value"))
    typed = value.strip() if isinstance(value, str) else repr(value)
    if not unit_entered:
        raise validation.fail(name("unit"), f"is required (the standard is in {standard.unit})")
    try:
        converted = units.to_canonical(number, unit_entered, standard.unit)
    except units.UnknownUnit as exc:  # unreadable, or of another dimension than the standard's
        raise UnknownUnit.on(name("unit"), str(exc)) from None
    return converted, standard.unit, typed, unit_entered


def record_evidence(session: Session, *, facility_id: int, actor_id: int | None, actor_role: str,
                    today: date | None = None, **data) -> Evidence:
    """Record a binding limit or a measurement (API.md's evidence body as keywords)."""
    _require_role(actor_role, EVIDENCE_ROLES, "record evidence")
    facility = get_facility(session, facility_id)
    clean = clean_evidence(data, load_reference(session), today=today or utcnow().date())
    return _add(session, facility, clean, actor_id=actor_id, actor_role=actor_role)


def supersede_evidence(session: Session, *, evidence_id: int, reason: str, actor_id: int | None,
                       actor_role: str, today: date | None = None, **data) -> Evidence:
    """A correction: a new entry for the same facility, standard and kind, with a reason."""
    _require_role(actor_role, EVIDENCE_ROLES, "correct evidence")
    old = get_evidence(session, evidence_id)
    reason = validation.text(reason, "reason", max_length=1000)
    if is_superseded(session, old.id):
        raise InvalidTransition.on("evidence_id", f"entry {old.id} was already corrected; "
                                   "correct the newest entry instead")
    facility = get_facility(session, old.facility_id)
    for field, kept in (("standard", old.standard_code), ("kind", old.kind)):
        if data.get(field) not in (None, "", kept):
            raise ValidationFailed.on(field, f"a correction keeps the entry's {field} ({kept})")
    body = {**data, "standard": old.standard_code, "kind": old.kind}
    clean = clean_evidence(body, load_reference(session), today=today or utcnow().date())
    try:
        with session.begin_nested():
            entry = _add(session, facility, clean, actor_id=actor_id, actor_role=actor_role,
                         supersedes_id=old.id, correction_reason=reason)
    except IntegrityError:  # a concurrent correction of the same entry won the unique key
        raise InvalidTransition.on("evidence_id", f"entry {old.id} was already corrected") from None
    return entry


def _add(session: Session, facility: Facility, clean: CleanEvidence, *, actor_id, actor_role,
         supersedes_id: int | None = None, correction_reason: str | None = None,
         inspection_id: int | None = None) -> Evidence:
    verified = actor_role in INSPECTOR_ROLES
    now = utcnow()
    entry = Evidence(
        facility_id=facility.id, **clean.__dict__, entered_by_id=actor_id,
        entered_by_role=actor_role, verified=verified,
        verified_by_id=actor_id if verified else None, verified_at=now if verified else None,
        supersedes_id=supersedes_id, correction_reason=correction_reason,
        inspection_id=inspection_id, created_at=now,
    )
    session.add(entry)
    session.flush()
    action = "evidence.supersede" if supersedes_id else "evidence.record"
    audited(session, actor_id=actor_id, action=action, entity="evidence", entity_id=entry.id,
            before={"supersedes_id": supersedes_id} if supersedes_id else None,
            after=evidence_record(entry), reason=correction_reason)
    if verified:
        events.evidence_verified.send(facility, session=session, actor_id=actor_id)
    return entry


def verify_evidence(session: Session, *, evidence_id: int, actor_id: int | None,
                    actor_role: str) -> Evidence:
    _require_role(actor_role, INSPECTOR_ROLES, "verify evidence")
    entry = get_evidence(session, evidence_id)
    if is_superseded(session, entry.id):
        raise InvalidTransition.on("evidence_id", f"entry {entry.id} was corrected; "
                                   "verify the correction instead")
    now = utcnow()
    result = session.execute(
        update(Evidence).where(Evidence.id == entry.id, Evidence.verified.is_(False))
        .values(verified=True, verified_by_id=actor_id, verified_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition.on("evidence_id", f"entry {entry.id} is already verified")
    session.refresh(entry)
    audited(session, actor_id=actor_id, action="evidence.verify", entity="evidence",
            entity_id=entry.id, before={"verified": False}, after={"verified": True})
    events.evidence_verified.send(get_facility(session, entry.facility_id), session=session,
                                  actor_id=actor_id)
    return entry


def _require_role(actor_role: str, roles, what: str) -> None:
    if actor_role not in roles:
        raise NotAllowed(f"a {actor_role} may not {what}", {"role": [f"{actor_role} may not {what}"]})


# --- reading ------------------------------------------------------------------------------

def get_evidence(session: Session, evidence_id: int) -> Evidence:
    entry = session.get(Evidence, evidence_id) if isinstance(evidence_id, int) else None
    if entry is None:
        raise EvidenceNotFound.on("evidence_id", f"no evidence with id {evidence_id!r}")
    return entry


def _superseding():
    return aliased(Evidence, name="superseding")


def not_superseded():
    """A WHERE clause: no later entry names this one as the entry it corrects."""
    later = _superseding()
    return ~exists().where(later.supersedes_id == Evidence.id)


def is_superseded(session: Session, evidence_id: int) -> bool:
    return session.exec(select(Evidence.id).where(Evidence.supersedes_id == evidence_id)).first() is not None


def history(session: Session, facility_id: int) -> list[tuple[Evidence, int | None]]:
    """Every entry of a facility, newest observation first, each with the id of the entry that
    superseded it (None while it stands)."""
    later = _superseding()
    rows = session.exec(
        select(Evidence, later.id)
        .outerjoin(later, later.supersedes_id == Evidence.id)
        .where(Evidence.facility_id == facility_id)
        .order_by(Evidence.standard_code, Evidence.observed_on.desc(), Evidence.id.desc())
    ).all()
    return [(entry, superseded_by) for entry, superseded_by in rows]


def unverified_queue(session: Session, *, limit: int = 50, offset: int = 0,
                     facility_id: int | None = None) -> tuple[list[tuple[Evidence, Facility]], int]:
    """Unverified entries still standing, oldest first (the inspectors' to-do list), and the total."""
    where = [Evidence.verified.is_(False), not_superseded()]
    if facility_id is not None:
        where.append(Evidence.facility_id == facility_id)
    total = session.exec(select(func.count()).select_from(Evidence).where(*where)).one()
    rows = session.exec(
        select(Evidence, Facility).join(Facility, Facility.id == Evidence.facility_id)
        .where(*where).order_by(Evidence.created_at, Evidence.id).offset(offset).limit(limit)
    ).all()
    return [(entry, facility) for entry, facility in rows], total


def evidence_record(entry: Evidence) -> dict:
    return {
        "id": entry.id,
        "facility_id": entry.facility_id,
        "standard": entry.standard_code,
        "kind": entry.kind,
        "value_entered": entry.value_entered,
        "unit_entered": entry.unit_entered,
        "value": entry.value,
        "unit": entry.unit,
        "basis": entry.basis,
        "observed_on": entry.observed_on,
        "source": entry.source,
        "entered_by_id": entry.entered_by_id,
        "entered_by_role": entry.entered_by_role,
        "verified": entry.verified,
        "verified_by_id": entry.verified_by_id,
        "verified_at": entry.verified_at,
        "supersedes_id": entry.supersedes_id,
        "correction_reason": entry.correction_reason,
        "inspection_id": entry.inspection_id,
    }

