"""An inspector's rulings on single entries: rejecting a self-reported one, and recording that
an exceedance was corrected (with the corrective action and a newer re-measurement).

Either makes the entry stop counting (`facility_registry.readings` leaves it out); neither edits
what was entered. Each is one conditional UPDATE (so of two concurrent rulings one wins), with
its audit entry, and re-checks the permits naming the facility in the same transaction.
"""
from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session

from facility_registry import validation
from facility_registry.announce import audited, evidence_changed
from facility_registry.eligibility import refresh_standings
from facility_registry.evidence import get_evidence, is_superseded
from facility_registry.models import Evidence
from standards.clock import utcnow
from standards.errors import InvalidTransition, NotAllowed, ValidationFailed
from standards.messages import N_, Message
from standards.vocabulary import OVERSEERS

__all__ = ["correct_evidence", "reject_evidence"]


def _require_inspector(actor_role: str, what: str) -> None:
    if actor_role not in OVERSEERS:
        raise NotAllowed(Message.of("registry.may_not_rule", N_("a %(role)s may not %(what)s"),
                                    role=actor_role, what=what),
                         {"role": [Message.of("registry.inspectors_rule",
                                              N_("only an inspector may %(what)s"), what=what)]})


def _ruled_out(entry: Evidence) -> str | None:
    if entry.rejected_at is not None:
        return Message.of("registry.already_rejected", N_("entry %(id)s was already rejected"),
                          id=entry.id)
    if entry.corrected_at is not None:
        return Message.of("registry.already_corrected",
                          N_("entry %(id)s was already recorded as corrected"), id=entry.id)
    return None


def reject_evidence(session: Session, *, evidence_id: int, reason, actor_id: int | None,
                    actor_role: str) -> Evidence:
    """A self-reported entry an inspector refuses, with a reason: it no longer counts."""
    _require_inspector(actor_role, "reject evidence")
    entry = get_evidence(session, evidence_id)
    reason = validation.text(reason, "reason", max_length=1000)
    if entry.verified:
        raise ValidationFailed.on("evidence_id", Message.of("registry.reject_verified", N_(
            "entry %(id)s is verified; only a self-reported entry can be rejected (correct it "
            "instead)"), id=entry.id))
    if (problem := _ruled_out(entry)) or is_superseded(session, entry.id):
        raise InvalidTransition.on("evidence_id", problem or Message.of(
            "registry.rule_on_newer", N_("entry %(id)s was corrected by a newer entry; rule on "
                                         "that one"), id=entry.id))
    _conditional(session, entry, {"rejected_at": utcnow(), "rejected_by_id": actor_id,
                                   "rejection_reason": reason})
    audited(session, actor_id=actor_id, action="evidence.reject", entity="evidence",
            entity_id=entry.id, before={"rejected": False}, after={"rejected": True},
            reason=reason)
    _changed(session, entry, actor_id, f"evidence entry #{entry.id} was rejected: {reason}")
    return entry


def correct_evidence(session: Session, *, evidence_id: int, corrective_action,
                     remeasurement_evidence_id, actor_id: int | None, actor_role: str) -> Evidence:
    """An exceedance stops counting: the inspector records what was done and names the newer
    measurement of the same standard, at the same facility, that shows it."""
    _require_inspector(actor_role, "record a correction")
    entry = get_evidence(session, evidence_id)
    errors: dict[str, list[str]] = {}
    try:
        action = validation.text(corrective_action, "corrective_action", max_length=2000)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if entry.kind != "measurement":
        errors["evidence_id"] = [Message.of("registry.correct_limit", N_(
            "entry %(id)s is a binding limit; only a measurement's exceedance is corrected "
            "(record the new limit instead)"), id=entry.id)]
    remeasured = _remeasurement(session, entry, remeasurement_evidence_id, errors)
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(f"{first}: {errors[first][0]}", errors)
    if problem := _ruled_out(entry):
        raise InvalidTransition.on("evidence_id", problem)
    _conditional(session, entry, {"corrected_at": utcnow(), "corrected_by_id": actor_id,
                                   "corrective_action": action, "remeasurement_id": remeasured.id})
    audited(session, actor_id=actor_id, action="evidence.correct", entity="evidence",
            entity_id=entry.id, before={"corrected": False},
            after={"corrected": True, "remeasurement_id": remeasured.id,
                   "remeasured_value": remeasured.value, "unit": remeasured.unit,
                   "remeasured_on": remeasured.observed_on}, reason=action)
    _changed(session, entry, actor_id,
             f"the exceedance in evidence entry #{entry.id} was recorded as corrected")
    return entry


def _remeasurement(session: Session, entry: Evidence, remeasurement_id, errors) -> Evidence | None:
    field = "remeasurement_evidence_id"
    if isinstance(remeasurement_id, bool) or not isinstance(remeasurement_id, int):
        errors[field] = [Message.of("registry.remeasurement_id",
                                    N_("must be the id of the newer measurement"))]
        return None
    later = session.get(Evidence, remeasurement_id)
    if (later is None or later.facility_id != entry.facility_id
            or later.standard_code != entry.standard_code or later.kind != "measurement"):
        errors[field] = [Message.of("registry.remeasurement_same", N_(
            "must name a measurement of %(standard)s at the same facility"),
            standard=entry.standard_code)]
    elif later.observed_on <= entry.observed_on:
        errors[field] = [Message.of("registry.remeasurement_newer", N_(
            "must be newer than the exceedance (%(day)s)"), day=entry.observed_on.isoformat())]
    elif later.rejected_at is not None or later.corrected_at is not None:
        errors[field] = [Message.of("registry.remeasurement_void",
                                    N_("entry %(id)s no longer counts"), id=later.id)]
    else:
        return later
    return None


def _conditional(session: Session, entry: Evidence, values: dict) -> None:
    # Neither ruling may land twice, nor both: the WHERE clause is the check.
    result = session.execute(
        update(Evidence).where(Evidence.id == entry.id, Evidence.rejected_at.is_(None),
                               Evidence.corrected_at.is_(None))
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise InvalidTransition.on("evidence_id", Message.of(
            "registry.ruled_meanwhile", N_("entry %(id)s was ruled on meanwhile"), id=entry.id))
    session.refresh(entry)


def _changed(session: Session, entry: Evidence, actor_id, reason: str) -> None:
    refresh_standings(session, [entry.facility_id])
    evidence_changed(session, [entry.facility_id], actor_id=actor_id, reason=reason)
