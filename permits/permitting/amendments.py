"""Amendments: changing an approved permit (more quantity, a new transporter, another facility).

An amendment is decided like an application before it takes effect (renotification): approved,
its terms replace the permit's through the `amend` transition; denied, the permit keeps its
terms; under review, an inspector approves or denies it, or new evidence decides it again.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from facility_registry.models import Facility
from permits.accounts.models import User
from permits.audit import chain as audit
from permits.consents import gate as consents
from permits.permitting import decisions, state
from permits.permitting.decision_models import Amendment, Decision
from permits.permitting.errors import ChecksNotMet, InvalidApplication, PermitNotFound
from permits.permitting.models import Permit
from permits.permitting.rules import AMENDABLE, Terms, clean_application
from permits.permitting.services import _move, _reason, _require_role, get_permit
from standards import clock
from standards.clock import utcnow
from standards.errors import InvalidTransition
from standards.messages import N_, Message, define, ngettext
from standards.vocabulary import OVERSEERS, kg_to_tonnes


def propose(session: Session, *, actor: User, permit_id: int, changes: Any, today: date,
            reason: str | None = None) -> tuple[Amendment, Decision]:
    """The shipper proposes changes to its approved permit; they are decided at once."""
    _require_role(actor, ("shipper",), "amend a permit")
    permit = get_permit(session, permit_id=permit_id, actor=actor)
    state.require("amend", permit.status)
    _check_changes(changes)
    current = Terms.of(permit)
    proposed = _proposed_terms(session, permit, changes, today=today)
    before, after = current.to_record(), proposed.to_record()
    diff = {k: v for k, v in after.items() if before[k] != v}
    if not diff:
        raise InvalidApplication({"changes": [Message.of("permit.no_change", N_("change nothing: every field is as approved"))]})
    amendment = Amendment(permit_id=permit.id, requested_by_id=actor.id, changes=diff,
                          before={k: before[k] for k in diff},
                          reason=_reason(reason, required=False))
    session.add(amendment)
    session.flush()
    audit.record(session, actor_id=actor.id, action="amendment.proposed", entity="amendment",
                 entity_id=amendment.id, before=amendment.before,
                 after={"permit_id": permit.id, **diff}, reason=amendment.reason)
    return amendment, _decide(session, permit, amendment, proposed, today=today,
                              kind="amendment", actor=None)


def _check_changes(changes: Any) -> None:
    if not isinstance(changes, dict) or not changes:
        raise InvalidApplication({"changes": [Message.of("permit.name_a_change", N_("name at least one field to change"))]})
    fixed = sorted(set(changes) - set(AMENDABLE))
    if fixed:
        raise InvalidApplication({name: [Message.of("permit.not_amendable", N_("cannot be amended; apply for a new permit instead"))]
                                  for name in fixed})


_BELOW_MADE = define("amendment.below_made", *ngettext(
    "must be at least the %(num)s shipment made", "must be at least the %(num)s shipments made"))


def _proposed_terms(session: Session, permit: Permit, changes: dict, *, today: date) -> Terms:
    body = {**Terms.of(permit).to_body(), **changes}
    proposed = Terms(**clean_application(session, body, today=today, running=True))
    errors = {}
    if proposed.quantity_kg < permit.used_kg:
        errors["quantity_tonnes"] = [Message.of("amendment.below_shipped", N_(
            "must be at least the %(tonnes)s t already shipped"), tonnes=kg_to_tonnes(permit.used_kg))]
    if proposed.shipments_planned < permit.shipments_used:
        errors["shipments_planned"] = [Message(_BELOW_MADE, {"num": permit.shipments_used})]
    if errors:
        raise InvalidApplication(errors)
    return proposed


def _decide(session: Session, permit: Permit, amendment: Amendment, proposed: Terms, *,
            today: date, kind: str, actor: User | None, require_approval: bool = False,
            only_if_changed: bool = False) -> Decision | None:
    evaluation = decisions.evaluate(session, proposed, on=today)
    if require_approval and evaluation.outcome != "approved":
        raise ChecksNotMet(Message(decisions.AMENDMENT_CANNOT_APPROVE, {"unmet": evaluation.unmet[:5]}),
                           {"checks": evaluation.unmet})
    if only_if_changed:
        last = latest_decision(session, amendment.id)
        if last is not None and decisions.same_content(evaluation, last):
            return None
    actor_id = actor.id if actor is not None else None
    decision = decisions.record(session, permit_id=permit.id, terms=proposed, evaluation=evaluation,
                                kind=kind, decided_by_id=actor_id, amendment_id=amendment.id)
    if evaluation.outcome == "approved":
        _apply(session, permit, amendment, proposed, actor_id=actor_id)
    elif evaluation.outcome == "denied":
        _settle(session, amendment, to="denied", actor_id=actor_id,
                reason="; ".join(evaluation.reasons)[:2000])
    return decision


def _apply(session: Session, permit: Permit, amendment: Amendment, proposed: Terms, *,
           actor_id: int | None) -> None:
    changed = {k: v for k, v in proposed.columns().items() if getattr(permit, k) != v}
    before = {k: getattr(permit, k) for k in consents.RENEWAL_TERMS}
    # Re-checked inside the UPDATE: a shipment logged meanwhile may have used more.
    _move(session, permit, action="amend", to="approved", actor_id=actor_id,
          reason=f"amendment {amendment.id} approved", values=changed,
          where=(Permit.used_kg <= proposed.quantity_kg,
                 Permit.shipments_used <= proposed.shipments_planned))
    # More quantity, a new transporter or another facility: the countries consent again
    # before anything ships under the new terms (a new transit country is asked anyway).
    consents.renew_for_amendment(session, permit, before=before, today=clock.today(),
                                 actor_id=actor_id)
    _settle(session, amendment, to="approved", actor_id=actor_id, reason=None)


def _settle(session: Session, amendment: Amendment, *, to: str, actor_id: int | None,
            reason: str | None) -> None:
    result = session.execute(
        update(Amendment).where(Amendment.id == amendment.id, Amendment.status == "under_review")
        .values(status=to, decided_at=utcnow()).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise InvalidTransition(Message.of("permit.amendment_decided", N_("The amendment was decided meanwhile; reload it.")),
                                {"status": [Message.of("permit.amendment_decided_field", N_("is no longer under review"))]})
    session.refresh(amendment)
    audit.record(session, actor_id=actor_id, action=f"amendment.{to}", entity="amendment",
                 entity_id=amendment.id, before={"status": "under_review"}, after={"status": to},
                 reason=reason)


def get_amendment(session: Session, *, amendment_id: int, actor: User | None) -> tuple[Amendment, Permit]:
    amendment = session.exec(select(Amendment).where(Amendment.id == amendment_id)
                             .execution_options(populate_existing=True)).first()
    if amendment is None:
        raise PermitNotFound(Message.of("permit.no_amendment", N_("No amendment with id %(id)s."), id=amendment_id),
                             {"amendment_id": [Message.of("permit.no_such_amendment", N_("no such amendment"))]})
    return amendment, get_permit(session, permit_id=amendment.permit_id, actor=actor)


def _under_review(amendment: Amendment) -> None:
    if amendment.status != "under_review":
        raise InvalidTransition(Message.of("permit.amendment_not_under_review", N_("The amendment is %(status)s, not under review."), status=amendment.status),
                                {"status": [Message.of("permit.amendment_status_field", N_("is %(status)s, not under review"), status=amendment.status)]})


def re_evaluate(session: Session, *, actor: User | None, amendment_id: int, today: date,
                require_approval: bool = False, only_if_changed: bool = False) -> Decision | None:
    _require_role(actor, OVERSEERS, "decide an amendment")
    amendment, permit = get_amendment(session, amendment_id=amendment_id, actor=actor)
    _under_review(amendment)
    if require_approval:
        state.require("amend", permit.status)
    proposed = _proposed_terms(session, permit, amendment.changes, today=today)
    kind = "inspector_approval" if require_approval else "re_evaluation"
    return _decide(session, permit, amendment, proposed, today=today, kind=kind, actor=actor,
                   require_approval=require_approval, only_if_changed=only_if_changed)


def approve(session: Session, *, actor: User, amendment_id: int, today: date) -> Decision:
    return re_evaluate(session, actor=actor, amendment_id=amendment_id, today=today,
                       require_approval=True)


def deny(session: Session, *, actor: User, amendment_id: int, reason: str, today: date) -> Decision:
    _require_role(actor, OVERSEERS, "deny an amendment")
    reason = _reason(reason)
    amendment, permit = get_amendment(session, amendment_id=amendment_id, actor=actor)
    _under_review(amendment)
    proposed = _proposed_terms(session, permit, amendment.changes, today=today)
    evaluation = decisions.evaluate(session, proposed, on=today)
    decision = decisions.record(
        session, permit_id=permit.id, terms=proposed, evaluation=evaluation,
        kind="inspector_denial", decided_by_id=actor.id, outcome="denied", note=reason,
        amendment_id=amendment.id, extra_reasons=[decisions.denied_by_inspector(reason)])
    _settle(session, amendment, to="denied", actor_id=actor.id, reason=reason)
    return decision


def latest_decision(session: Session, amendment_id: int) -> Decision | None:
    return session.exec(select(Decision).where(Decision.amendment_id == amendment_id)
                        .order_by(Decision.id.desc()).limit(1)).first()


def of_permit(session: Session, permit_id: int) -> list[Amendment]:
    return list(session.exec(select(Amendment).where(Amendment.permit_id == permit_id)
                             .order_by(Amendment.id.desc())).all())


def re_evaluate_for_facility(session: Session, *, facility: Facility, today: date) -> list[int]:
    """Amendments under review that involve the facility, decided again on its new evidence."""
    changed = []
    pending = session.exec(select(Amendment, Permit).join(Permit, Permit.id == Amendment.permit_id)
                           .where(Amendment.status == "under_review")).all()
    for amendment, permit in pending:
        involved = {permit.receiving_facility_id, permit.final_facility_id,
                    amendment.changes.get("receiving_facility_id"),
                    amendment.changes.get("final_facility_id")}
        if facility.id not in involved or permit.status != "approved":
            continue
        decision = re_evaluate(session, actor=None, amendment_id=amendment.id, today=today,
                               only_if_changed=True)
        if decision is not None:
            changed.append(amendment.id)
    return changed
