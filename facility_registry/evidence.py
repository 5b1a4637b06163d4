"""Evidence: binding limits and measurements per standard; recorded, corrected, verified.

Evidence is never edited or deleted. A correction is a new row that supersedes the old one
with a reason; the old row stays, and "superseded" is read from the link. A facility user's
entry is unverified until an inspector verifies it; an inspector's is verified at once.
"""
from __future__ import annotations

import math
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from facility_registry import events, facilities, validation
from facility_registry.announce import audited, evidence_changed
from facility_registry.eligibility import refresh_standings
from facility_registry.errors import EvidenceNotFound
from facility_registry.facilities import get_facility
from facility_registry.models import COMPARATORS, EVIDENCE_KINDS, Evidence, Facility
from facility_registry.queries import not_superseded, superseding
from facility_registry.reference import Reference, load_reference
from standards import problems, units
from standards.clock import utcnow
from standards.errors import (
    InvalidTransition,
    UnknownStandard,
    UnknownUnit,
    ValidationFailed,
)
from standards.instruments import get_instrument
from standards.messages import N_, Message, define
from standards.vocabulary import EVIDENCE_ROLES, OVERSEERS

INSTRUMENT_UNKNOWN = define("evidence.instrument_unknown",
                            N_("%(code)s is not in the register of source instruments"))
INSTRUMENT_NOT_LIMIT = define("evidence.instrument_not_limit",
                              N_("only a binding limit cites an instrument"))


class CleanEvidence(NamedTuple):
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
    comparator: str | None = None
    shift_hours: float | None = None
    conditions: dict | None = None
    subject: str | None = None
    instrument: str | None = None


def clean_evidence(data: dict, reference: Reference, *, today: date, prefix: str = "") -> CleanEvidence:
    """Validate one evidence body (API.md's shape) and convert its value once, to the standard's
    canonical unit. Field names in errors carry `prefix` (e.g. `findings[0].`); a bad body is
    refused with every bad field named, under the code of the first one."""
    try:
        return _clean(data, reference, today, prefix)
    except ValidationFailed as first:
        raise _every_error(data, reference, today, prefix, first) from None


def _clean(data: dict, reference: Reference, today: date, prefix: str) -> CleanEvidence:
    # The happy path runs each rule once, in order: a bulk import calls this 300,000 times.
    code = validation.text(data.get("standard"), f"{prefix}standard", max_length=80)
    observed_on = validation.past_date(data.get("observed_on"), f"{prefix}observed_on", today=today)
    standard = _standard(reference, code, observed_on, prefix)
    kind = _kind(data.get("kind"), f"{prefix}kind")
    instrument = _instrument(data.get("instrument"), kind, prefix)
    source = _source(data.get("source"), instrument, prefix)
    basis = _basis(data.get("basis"), standard, reference, f"{prefix}basis")
    extras = _extras(data, standard, kind, basis, prefix)
    value, unit, value_entered, unit_entered = _convert(data.get("value"), data.get("unit"),
                                                        standard, prefix, extras["conditions"])
    return CleanEvidence(standard_code=standard.code, kind=kind, value_entered=value_entered,
                         unit_entered=unit_entered, value=value, unit=unit, basis=basis,
                         observed_on=observed_on, source=source, instrument=instrument, **extras)


def _instrument(value, kind: str | None, prefix: str) -> str | None:
    """The register's code of the instrument a binding limit cites, or None."""
    code = validation.text(value, f"{prefix}instrument", max_length=40, required=False)
    if code is None:
        return None
    found = get_instrument(code)
    if found is None:
        raise validation.fail(f"{prefix}instrument", Message(INSTRUMENT_UNKNOWN, {"code": code}))
    if kind != "limit":
        raise validation.fail(f"{prefix}instrument", Message(INSTRUMENT_NOT_LIMIT))
    return found.code


def _source(value, instrument: str | None, prefix: str) -> str:
    """The source as described; a limit citing an instrument may leave it out (the code stands)."""
    source = validation.text(value, f"{prefix}source", max_length=500, required=instrument is None)
    return source if source is not None else instrument


def _standard(reference: Reference, code: str, observed_on: date, prefix: str):
    standard = reference.standard(code, observed_on)
    if standard is None:
        raise UnknownStandard.on(f"{prefix}standard", Message.of(
            "evidence.unknown_standard", N_("%(standard)s is not in the standards catalogue"), standard=code))
    return standard


def _every_error(data, reference, today, prefix, first: ValidationFailed) -> ValidationFailed:
    errors: dict[str, list[str]] = {}

    def attempt(rule):
        try:
            return rule()
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
            return None

    code = attempt(lambda: validation.text(data.get("standard"), f"{prefix}standard", max_length=80))
    observed_on = attempt(lambda: validation.past_date(data.get("observed_on"), f"{prefix}observed_on",
                                                       today=today))
    standard = attempt(lambda: _standard(reference, code, observed_on or today, prefix)) if code else None
    kind = attempt(lambda: _kind(data.get("kind"), f"{prefix}kind"))
    instrument = attempt(lambda: _instrument(data.get("instrument"), kind, prefix))
    attempt(lambda: _source(data.get("source"), instrument or data.get("instrument") or None, prefix))
    if standard is not None:
        basis = attempt(lambda: _basis(data.get("basis"), standard, reference, f"{prefix}basis"))
        extras = attempt(lambda: _extras(data, standard, kind, basis, prefix)) if kind else None
        attempt(lambda: _convert(data.get("value"), data.get("unit"), standard, prefix,
                                 (extras or {}).get("conditions")))
    return type(first)(first.message, errors or first.fields)


def _kind(value, field: str) -> str:
    clean = validation.text(value, field, max_length=12)
    if clean not in EVIDENCE_KINDS:
        raise validation.fail(field, Message.of("evidence.kind", N_("must be limit or measurement")))
    return clean


def _basis(value, standard, reference: Reference, field: str) -> str | None:
    required_practice = standard.direction == "required"
    clean = validation.text(value, field, max_length=40, required=not required_practice)
    if clean is None:  # a practice is in place or not: it has no averaging basis to choose
        return standard.basis
    if clean not in reference.bases:
        known = ", ".join(sorted(reference.bases))
        raise validation.fail(field, Message.of(
            "evidence.unknown_basis", N_("%(basis)s is not a basis the catalogue knows (%(known)s)"),
            basis=clean, known=known))
    return clean


VALUE_ENTERED_LENGTH = 60  # Evidence.value_entered and Finding.value_entered


def _extras(data: dict, standard, kind: str, basis: str | None, prefix: str) -> dict:
    """The comparator of a limit, the shift length of an 8-h TWA measurement, the stated
    stack-gas conditions and the subject of a per-test result: each only where it means something."""
    comparator = validation.text(data.get("comparator"), f"{prefix}comparator", max_length=2,
                                 required=False)
    if comparator is not None:
        allowed = {"max": ("<", "<="), "min": (">", ">=")}.get(standard.direction, ())
        if kind != "limit":
            raise validation.fail(f"{prefix}comparator", Message.of(
                "evidence.comparator_limit_only", N_("only a binding limit has a comparator")))
        if comparator not in COMPARATORS or comparator not in allowed:
            if allowed:
                raise validation.fail(f"{prefix}comparator", Message.of(
                    "evidence.comparator_choices",
                    N_("must be %(first)s or %(second)s for a %(direction)s standard"),
                    first=allowed[0], second=allowed[1], direction=standard.direction))
            raise validation.fail(f"{prefix}comparator", Message.of(
                "evidence.comparator_none",
                N_("must be none (a required practice) for a %(direction)s standard"),
                direction=standard.direction))
    shift_hours = data.get("shift_hours")
    if shift_hours is not None and shift_hours != "":
        if kind != "measurement" or basis != "8h_twa":
            raise validation.fail(f"{prefix}shift_hours", Message.of(
                "evidence.shift_twa_only", N_("only an 8-h TWA measurement states a shift length")))
        shift_hours = validation.number(shift_hours, f"{prefix}shift_hours", minimum=0,
                                        allow_equal=False)
        if shift_hours > 24:
            raise validation.fail(f"{prefix}shift_hours", Message.of(
                "evidence.shift_at_most_24", N_("must be at most 24 hours")))
    else:
        shift_hours = None
    conditions = data.get("conditions")
    if conditions is not None:
        if not isinstance(conditions, dict):
            raise validation.fail(f"{prefix}conditions", problems.problem(problems.OBJECT))
        if standard.reference_conditions is None:
            raise validation.fail(f"{prefix}conditions", Message.of(
                "evidence.no_reference_conditions",
                N_("%(standard)s has no reference conditions to convert to"), standard=standard.code))
        unknown = sorted(set(conditions) - CONDITION_FIELDS)
        if unknown:
            raise validation.fail(f"{prefix}conditions.{unknown[0]}", Message.of(
                "evidence.unknown_condition", N_("is not a stated condition")))
    subject = validation.text(data.get("subject"), f"{prefix}subject", max_length=80,
                              required=False)
    if subject is not None and kind != "measurement":
        raise validation.fail(f"{prefix}subject", Message.of(
            "evidence.subject_measurement_only", N_("only a measurement belongs to a subject")))
    return {"comparator": comparator, "shift_hours": shift_hours, "conditions": conditions,
            "subject": subject}


CONDITION_FIELDS = frozenset({"temperature_c", "pressure_kpa", "dry", "moisture_percent",
                              "o2_percent"})


def _convert(value, unit, standard, prefix: str,
             conditions: dict | None = None) -> tuple[float, str | None, str, str | None]:
    """(canonical value, canonical unit, value as typed, unit as typed).

    A stack-gas concentration per actual m³ converts to the standard's dry standard unit only
    with its stated conditions; without them it is kept in mg/m³, and its check is incomparable."""
    unit_entered = validation.text(unit, f"{prefix}unit", max_length=40, required=False)
    if standard.direction == "required":
        if unit_entered:
            raise validation.fail(f"{prefix}unit", Message.of(
                "evidence.practice_no_unit", N_("a required practice takes no unit")))
        in_place = validation.boolean(value, f"{prefix}value")
        return (1.0 if in_place else 0.0), None, ("true" if in_place else "false"), None
    number = validation.number(value, f"{prefix}value")
    typed = value.strip() if isinstance(value, str) else repr(value)
    if len(typed) > VALUE_ENTERED_LENGTH:  # kept as typed, in a column of this width
        raise validation.fail(f"{prefix}value", Message.of(
            "evidence.value_too_long", N_("must be at most %(max)s characters as typed"),
            max=VALUE_ENTERED_LENGTH))
    if not unit_entered:
        raise validation.fail(f"{prefix}unit", Message.of(
            "evidence.unit_required", N_("is required (the standard is in %(unit)s)"), unit=standard.unit))
    stored_unit = standard.unit
    try:
        if standard.reference_conditions and _per_actual_volume(unit_entered):
            converted = units.to_canonical(number, unit_entered, "mg/m³")
            if conditions is None:
                stored_unit = "mg/m³"  # no conditions: kept as measured, incomparable
            else:
                converted = units.to_canonical(
                    units.to_reference_conditions(converted, conditions,
                                                  standard.reference_conditions),
                    "mg/dscm", standard.unit)
        else:
            converted = units.to_canonical(number, unit_entered, standard.unit)
    except UnknownUnit as exc:  # unreadable, or of another dimension than the standard's
        raise UnknownUnit.on(f"{prefix}unit", str(exc), unit=exc.unit) from None
    except units.IncompleteConditions as exc:
        raise validation.fail(f"{prefix}conditions.{exc.field}", str(exc).split(": ", 1)[1]) from None
    if not math.isfinite(converted):  # 1e308 g/m³ is no float in µg/m³ (and no JSON number)
        raise validation.fail(f"{prefix}value", Message.of(
            "evidence.too_large", N_("is too large to express in %(unit)s"), unit=standard.unit))
    return converted, stored_unit, typed, unit_entered


def _per_actual_volume(unit: str) -> bool:
    """A gas concentration per actual cubic metre (not per dry standard one)."""
    try:
        units.to_canonical(1.0, unit, "mg/m³")
    except units.UnknownUnit:
        return False
    return True


def record_evidence(session: Session, *, facility_id: int, actor_id: int | None, actor_role: str,
                    today: date | None = None, **data) -> Evidence:
    """Record a binding limit or a measurement (API.md's evidence body as keywords)."""
    _require_role(actor_role, EVIDENCE_ROLES, "record evidence")
    facility = get_facility(session, facility_id)
    clean = clean_evidence(data, load_reference(session), today=today or utcnow().date())
    return record_entry(session, facility, clean, actor_id=actor_id, actor_role=actor_role)


def supersede_evidence(session: Session, *, evidence_id: int, reason: str, actor_id: int | None,
                       actor_role: str, today: date | None = None, **data) -> Evidence:
    """A correction: a new entry for the same facility, standard and kind, with a reason."""
    _require_role(actor_role, EVIDENCE_ROLES, "correct evidence")
    old = get_evidence(session, evidence_id)
    reason = validation.text(reason, "reason", max_length=1000)
    if is_superseded(session, old.id):
        raise InvalidTransition.on("evidence_id", Message.of(
            "evidence.correct_newest",
            N_("entry %(id)s was already corrected; correct the newest entry instead"), id=old.id))
    facility = get_facility(session, old.facility_id)
    for field, kept in (("standard", old.standard_code), ("kind", old.kind)):
        if data.get(field) not in (None, "", kept):
            raise ValidationFailed.on(field, Message.of(
                "evidence.correction_keeps", N_("a correction keeps the entry's %(field)s (%(kept)s)"),
                field=field, kept=kept))
    body = {**data, "standard": old.standard_code, "kind": old.kind}
    clean = clean_evidence(body, load_reference(session), today=today or utcnow().date())
    try:
        with session.begin_nested():
            entry = record_entry(session, facility, clean, actor_id=actor_id, actor_role=actor_role,
                         supersedes_id=old.id, correction_reason=reason)
    except IntegrityError:  # a concurrent correction of the same entry won the unique key
        raise InvalidTransition.on("evidence_id", Message.of(
            "evidence.already_corrected", N_("entry %(id)s was already corrected"), id=old.id)) from None
    return entry


def record_entry(session: Session, facility: Facility, clean: CleanEvidence, *, actor_id,
                 actor_role, supersedes_id: int | None = None, correction_reason: str | None = None,
                 inspection_id: int | None = None, refresh: bool = True) -> Evidence:
    """Store one validated entry: verified at once when an inspector or admin enters it."""
    verified = actor_role in OVERSEERS
    now = utcnow()
    entry = Evidence(
        facility_id=facility.id, **clean._asdict(), entered_by_id=actor_id,
        entered_by_role=actor_role, verified=verified,
        verified_by_id=actor_id if verified else None, verified_at=now if verified else None,
        supersedes_id=supersedes_id, correction_reason=correction_reason,
        inspection_id=inspection_id, created_at=now,
    )
    session.add(entry)
    session.flush()
    if refresh:  # an inspection refreshes once after all its findings
        refresh_standings(session, [facility.id])
    action = "evidence.supersede" if supersedes_id else "evidence.record"
    audited(session, actor_id=actor_id, action=action, entity="evidence", entity_id=entry.id,
            before={"supersedes_id": supersedes_id} if supersedes_id else None,
            after=evidence_record(entry), reason=correction_reason)
    if verified:
        events.evidence_verified.send(facility, session=session, actor_id=actor_id)
    if refresh:  # an inspection announces once, after all its findings
        evidence_changed(session, [facility.id], actor_id=actor_id,
                         reason=f"evidence entry #{entry.id} was recorded")
    return entry


def verify_evidence(session: Session, *, evidence_id: int, actor_id: int | None,
                    actor_role: str) -> Evidence:
    _require_role(actor_role, OVERSEERS, "verify evidence")
    entry = get_evidence(session, evidence_id)
    if is_superseded(session, entry.id):
        raise InvalidTransition.on("evidence_id", Message.of(
            "evidence.verify_correction",
            N_("entry %(id)s was corrected; verify the correction instead"), id=entry.id))
    if entry.rejected_at is not None:
        raise InvalidTransition.on("evidence_id", Message.of(
            "evidence.was_rejected", N_("entry %(id)s was rejected: %(reason)s"), id=entry.id,
            reason=entry.rejection_reason))
    now = utcnow()
    result = session.execute(
        update(Evidence).where(Evidence.id == entry.id, Evidence.verified.is_(False),
                               Evidence.rejected_at.is_(None))
        .values(verified=True, verified_by_id=actor_id, verified_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvalidTransition.on("evidence_id", Message.of(
            "evidence.already_verified", N_("entry %(id)s is already verified"), id=entry.id))
    session.refresh(entry)
    refresh_standings(session, [entry.facility_id])
    audited(session, actor_id=actor_id, action="evidence.verify", entity="evidence",
            entity_id=entry.id, before={"verified": False}, after={"verified": True})
    events.evidence_verified.send(get_facility(session, entry.facility_id), session=session,
                                  actor_id=actor_id)
    evidence_changed(session, [entry.facility_id], actor_id=actor_id,
                     reason=f"evidence entry #{entry.id} was verified")
    return entry


def _require_role(actor_role: str, roles, what: str) -> None:
    if actor_role not in roles:
        facilities.require_role(actor_role, roles, what)


# --- reading ------------------------------------------------------------------------------

def get_evidence(session: Session, evidence_id: int) -> Evidence:
    entry = session.get(Evidence, evidence_id) if isinstance(evidence_id, int) else None
    if entry is None:
        raise EvidenceNotFound.on("evidence_id", Message.of(
            "evidence.not_found", N_("no evidence with id %(id)s"), id=repr(evidence_id)))
    return entry


def is_superseded(session: Session, evidence_id: int) -> bool:
    return session.exec(select(Evidence.id).where(Evidence.supersedes_id == evidence_id)).first() is not None


def history(session: Session, facility_id: int) -> list[tuple[Evidence, int | None]]:
    """Every entry of a facility, newest observation first, each with the id of the entry that
    superseded it (None while it stands)."""
    later = superseding()
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
    where = [Evidence.verified.is_(False), Evidence.rejected_at.is_(None), not_superseded()]
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
        "comparator": entry.comparator,
        "shift_hours": entry.shift_hours,
        "conditions": entry.conditions,
        "subject": entry.subject,
        "rejected_at": entry.rejected_at,
        "rejection_reason": entry.rejection_reason,
        "corrected_at": entry.corrected_at,
        "corrective_action": entry.corrective_action,
        "remeasurement_id": entry.remeasurement_id,
        "instrument": entry.instrument,
    }

