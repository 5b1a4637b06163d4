"""Every change of a permit's state: apply, submit, decide, approve, deny, request evidence,
re-evaluate, withdraw, revoke, and the facility cascade (suspend, decide again), expiry.

All of them end in `_move`, the one function that writes a status: it asks the state table
(`permits.permitting.state`), updates the row only if its status is still the one read (so of two
concurrent transitions exactly one succeeds, on SQLite and PostgreSQL alike), and writes the
audit entry (who, when, from, to, why) in the same transaction.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import exists, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from facility_registry.models import Facility
from permits.accounts.models import User
from permits.audit import chain as audit
from permits.consents import gate as consents
from permits.consents.models import Consent
from permits.core.rows import insert_row
from permits.permitting import decisions, state
from permits.permitting.decision_models import Decision, EvidenceRequest
from permits.permitting.errors import ChecksNotMet, InvalidApplication, PermitNotFound
from permits.permitting.models import Permit
from permits.permitting.rules import Terms, clean_application
from standards import clock, problems
from standards.clock import utcnow
from standards.errors import InvalidTransition, NotAllowed
from standards.messages import N_, Message, define
from standards.vocabulary import OVERSEERS

MAX_REASON = 2000


# --- who may see and act -----------------------------------------------------------------------

def visible_to(actor: User | None):
    """A WHERE clause: the permits `actor` may see (None, the system, sees all)."""
    if actor is None or actor.role in OVERSEERS:
        return True
    if actor.role == "shipper":
        return Permit.organization_id == actor.organization_id
    if actor.role == "facility":
        return or_(Permit.receiving_facility_id == actor.facility_id,
                   Permit.final_facility_id == actor.facility_id)
    if actor.role == "authority":  # the permits its country was asked to consent to
        return exists().where(Consent.permit_id == Permit.id, Consent.country == actor.country)
    return False


def get_permit(session: Session, *, permit_id: int, actor: User | None) -> Permit:
    """The permit, read afresh; 404 also for one the actor may not see."""
    permit = session.exec(
        select(Permit).where(Permit.id == permit_id, visible_to(actor))
        .execution_options(populate_existing=True)
    ).first()
    if permit is None:
        raise PermitNotFound(Message.of("permit.no_permit", N_("No permit with id %(id)s."), id=permit_id),
                             {"permit_id": [Message.of("permit.no_such", N_("no such permit"))]})
    return permit


def on_public_register(session: Session, number: str) -> tuple[Permit, Facility] | None:
    """The permit numbered `number` with its receiving facility, as the public register shows
    it (anything but a draft); None when there is none."""
    return session.exec(
        select(Permit, Facility).join(Facility, Facility.id == Permit.receiving_facility_id)
        .where(Permit.number == number, Permit.status != "draft")).first()


_MAY_NOT = define("permit.may_not", N_("A %(role)s may not %(action)s."))
_MAY_NOT_FIELD = define("permit.may_not_field", N_("may not %(action)s"))
_ACTIONS = {what: define("permit.action." + what.replace(" ", "_").replace("-", "_"), english)
            for what, english in (
    ("apply for a permit", N_("apply for a permit")), ("submit an application", N_("submit an application")),
    ("approve a permit", N_("approve a permit")), ("deny a permit", N_("deny a permit")),
    ("re-evaluate a permit", N_("re-evaluate a permit")), ("request evidence", N_("request evidence")),
    ("withdraw a permit", N_("withdraw a permit")), ("revoke a permit", N_("revoke a permit")),
    ("amend a permit", N_("amend a permit")), ("decide an amendment", N_("decide an amendment")),
    ("deny an amendment", N_("deny an amendment")))}


def _require_role(actor: User | None, roles: tuple[str, ...], what: str) -> None:
    if actor is not None and actor.role not in roles:
        action = Message(_ACTIONS.get(what) or define("permit.action.other", N_("do this")))
        raise NotAllowed(Message(_MAY_NOT, {"role": actor.role, "action": action}),
                         {"role": [Message(_MAY_NOT_FIELD, {"action": action})]})


def _actor_id(actor: User | None) -> int | None:
    return actor.id if actor is not None else None


def _reason(reason: Any, *, required: bool = True) -> str | None:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        if required:
            raise InvalidApplication({"reason": [Message.of("permit.say_why", N_("is required: say why"))]})
        return None
    if len(text) > MAX_REASON:
        raise InvalidApplication({"reason": [problems.problem(problems.TOO_LONG, max=MAX_REASON)]})
    return text


# --- the one place a status changes -----------------------------------------------------------

_PERMIT = Permit.__table__  # Core: a conditional UPDATE needs none of the ORM's bulk machinery

def _move(session: Session, permit: Permit, *, action: str, to: str, actor_id: int | None,
          reason: str | None = None, values: dict[str, Any] | None = None,
          where: tuple = ()) -> None:
    """Move `permit` to `to` by `action`, if its status is still the one read; audit it."""
    current = permit.status
    state.require(action, current, to)
    values = dict(values or {})
    if current == "on_hold" and to != "on_hold":  # a hold ends with the status that ends it
        values = {"hold_since": None, "hold_reasons": [], "hold_checks": [], "hold_case_id": None,
                  **values}
    before = {"status": current, **{k: getattr(permit, k) for k in values}}
    written = {"status": to, "status_reason": reason, "updated_at": utcnow(), **values}
    session.flush()  # pending changes first, as the ORM's UPDATE would flush them
    result = session.connection().execute(
        _PERMIT.update().where(_PERMIT.c.id == permit.id, _PERMIT.c.status == current, *where)
        .values(**written))
    if result.rowcount != 1:
        raise InvalidTransition(
            Message.of("permit.changed_meanwhile", N_(
                "The permit changed while this was being done; reload it and try again.")),
            {"status": [Message.of("permit.no_longer", N_("is no longer %(status)s"), status=current)]})
    # The row is what was read plus what this UPDATE wrote (the status read is still its status,
    # and every writer holds the one writer lock): set, not read back.
    for name, value in written.items():
        set_committed_value(permit, name, value)
    if current == "under_review" and to != "under_review":
        _close_requests(session, permit.id, f"the application is now {to}")
    audit.record(session, actor_id=actor_id, action=f"permit.{action}", entity="permit",
                 entity_id=permit.id, before=before, after={"status": to, **values},
                 reason=reason)
    if to == "approved" and action != "amend":
        # Approval sends the notice: the importing and transit countries are asked to consent
        # (an amendment asks again itself, for what it changes).
        consents.open_requests(session, permit, today=clock.today(), actor_id=actor_id)


def _status_reason(evaluation: decisions.Evaluation) -> str | None:
    if evaluation.outcome == "approved":
        return None
    return "; ".join(evaluation.reasons)[:MAX_REASON] or None


# --- applications ------------------------------------------------------------------------------

def save_draft(session: Session, *, actor: User, body: dict[str, Any], today: date,
               permit_id: int | None = None) -> Permit:
    """Create a draft, or replace the fields of the actor's draft `permit_id`."""
    _require_role(actor, ("shipper",), "apply for a permit")
    columns = clean_application(session, body, today=today, draft=True)
    if permit_id is None:
        permit = Permit(organization_id=actor.organization_id, applicant_id=actor.id,
                        status="draft", **columns)
        session.add(permit)
        session.flush()
        audit.record(session, actor_id=actor.id, action="permit.draft_created", entity="permit",
                     entity_id=permit.id, after={"status": "draft", **columns})
        return permit
    permit = get_permit(session, permit_id=permit_id, actor=actor)
    if permit.status != "draft":
        raise InvalidTransition(Message.of("permit.not_draft", N_("A %(status)s permit is no longer a draft; it cannot be edited."), status=permit.status),
                                {"status": [Message.of("permit.not_draft_field", N_("is %(status)s, not draft"), status=permit.status)]})
    # Fields left out of the form are cleared: a draft holds what was last saved, nothing else.
    columns = {"waste_codes": [], "final_facility_id": None, "final_operation_code": None,
               "origin": {}, "route": {}, "transporters": [], **columns}
    before = {k: getattr(permit, k) for k in columns}
    result = session.execute(
        update(Permit).where(Permit.id == permit.id, Permit.status == "draft")
        .values(updated_at=utcnow(), **columns).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise InvalidTransition(Message.of("permit.draft_gone", N_("The draft was submitted or withdrawn meanwhile.")),
                                {"status": [Message.of("permit.draft_gone_field", N_("is no longer draft"))]})
    session.refresh(permit)
    audit.record(session, actor_id=actor.id, action="permit.draft_saved", entity="permit",
                 entity_id=permit.id, before=before, after=columns)
    return permit


def apply(session: Session, *, actor: User, body: dict[str, Any], today: date,
          min_notice_days: int = 0, reader: Session | None = None) -> tuple[Permit, Decision]:
    """A complete application, submitted at once: the permit and its decision.

    `reader`: a session beside `session`, which has not begun (the request's read session), in
    which the application is checked and decided before `session` writes anything. SQLite's one
    write lock and PostgreSQL's writer lock are then held for the writes alone, where the
    decision held them several milliseconds. Once `session` holds the lock, the decision stands
    if every facility it read is still as it read it (`decisions.still_current`); else it is made
    again there."""
    _require_role(actor, ("shipper",), "apply for a permit")
    columns = clean_application(reader or session, body, today=today, min_notice_days=min_notice_days)
    terms = Terms(**columns)
    ahead = decisions.evaluate_ahead(reader, terms, on=today) if reader is not None else None
    permit = Permit(organization_id=actor.organization_id, applicant_id=actor.id, status="draft",
                    **columns)
    insert_row(session, permit)  # the writer lock, from here to the commit
    if ahead is not None and not decisions.still_current(session, terms, ahead):
        ahead = None
    return permit, _submit(session, permit, terms, actor=actor, today=today, evaluation=ahead)


def submit(session: Session, *, actor: User, permit_id: int, today: date,
           min_notice_days: int = 0) -> tuple[Permit, Decision]:
    """Submit the actor's draft: every field is checked again, then the permit is decided."""
    _require_role(actor, ("shipper",), "submit an application")
    permit = get_permit(session, permit_id=permit_id, actor=actor)
    state.require("submit", permit.status)
    columns = clean_application(session, Terms.of(permit).to_body(), today=today,
                                min_notice_days=min_notice_days)
    return permit, _submit(session, permit, Terms(**columns), actor=actor, today=today)


def _submit(session: Session, permit: Permit, terms: Terms, *, actor: User, today: date,
            evaluation: decisions.Evaluation | None = None) -> Decision:
    """Decide `terms` (unless `evaluation`, current in `session`, decided them) and move the
    draft to the outcome, with the terms as checked."""
    if evaluation is None:
        evaluation = decisions.evaluate(session, terms, on=today)
    # The number follows the id, which the database hands out uniquely under any concurrency.
    values = {**terms.columns(), "number": f"PAR-{today.year}-{permit.id:06d}",
              "submitted_at": utcnow()}
    _move(session, permit, action="submit", to=evaluation.outcome, actor_id=actor.id,
          reason=_status_reason(evaluation), values=values)
    return decisions.record(session, permit_id=permit.id, terms=terms, evaluation=evaluation,
                            kind="submission", decided_by_id=None)


# --- the inspector's review --------------------------------------------------------------------

def approve(session: Session, *, actor: User, permit_id: int, today: date) -> tuple[Permit, Decision]:
    """An inspector approves an application under review, which every check must now meet."""
    _require_role(actor, OVERSEERS, "approve a permit")
    permit = get_permit(session, permit_id=permit_id, actor=actor)
    state.require("approve", permit.status, "approved")
    terms = Terms.of(permit)
    evaluation = decisions.evaluate(session, terms, on=today)
    if evaluation.outcome != "approved":
        raise ChecksNotMet(Message(decisions.CANNOT_APPROVE, {"unmet": evaluation.unmet[:5]}),
                           {"checks": evaluation.unmet})
    _move(session, permit, action="approve", to="approved", actor_id=actor.id)
    return permit, decisions.record(session, permit_id=permit.id, terms=terms, evaluation=evaluation,
                                    kind="inspector_approval", decided_by_id=actor.id)


def deny(session: Session, *, actor: User, permit_id: int, reason: str,
         today: date) -> tuple[Permit, Decision]:
    _require_role(actor, OVERSEERS, "deny a permit")
    reason = _reason(reason)
    permit = get_permit(session, permit_id=permit_id, actor=actor)
    state.require("deny", permit.status, "denied")
    terms = Terms.of(permit)
    # The record keeps the checks as the inspector saw them when denying.
    evaluation = decisions.evaluate(session, terms, on=today)
    _move(session, permit, action="deny", to="denied", actor_id=actor.id, reason=reason)
    return permit, decisions.record(
        session, permit_id=permit.id, terms=terms, evaluation=evaluation, kind="inspector_denial",
        decided_by_id=actor.id, outcome="denied", note=reason,
        extra_reasons=[decisions.denied_by_inspector(reason)])


def re_evaluate(session: Session, *, actor: User | None, permit_id: int, today: date,
                only_if_changed: bool = False) -> tuple[Permit, Decision | None]:
    """Decide an application under review again. The system (actor None) records a decision
    only when something changed; an inspector's request always records one."""
    _require_role(actor, OVERSEERS, "re-evaluate a permit")
    permit = get_permit(session, permit_id=permit_id, actor=actor)
    state.require("re_evaluate", permit.status)
    terms = Terms.of(permit)
    evaluation = decisions.evaluate(session, terms, on=today)
    if only_if_changed:
        standing = decisions.current_decision(session, permit.id)
        if standing is not None and _same(standing, evaluation):
            return permit, None
    _move(session, permit, action="re_evaluate", to=evaluation.outcome, actor_id=_actor_id(actor),
          reason=_status_reason(evaluation))
    _answer_requests(session, permit.id, evaluation)
    return permit, decisions.record(session, permit_id=permit.id, terms=terms, evaluation=evaluation,
                                    kind="re_evaluation", decided_by_id=_actor_id(actor))


def _same(decision: Decision, evaluation: decisions.Evaluation) -> bool:
    return decisions.same_content(evaluation, decision)


def request_evidence(session: Session, *, actor: User, permit_id: int, message: str,
                     standard: str | None = None) -> EvidenceRequest:
    """Ask the receiving facility for evidence; it sees the request on its pages and the API."""
    _require_role(actor, OVERSEERS, "request evidence")
    message = _text_field(message, "message")
    permit = get_permit(session, permit_id=permit_id, actor=actor)
    if permit.status != "under_review":
        raise InvalidTransition(
            Message.of("permit.evidence_under_review", N_(
                "Evidence is requested for an application under review; this one is %(status)s."),
                status=permit.status),
            {"status": [Message.of("permit.not_under_review", N_("is %(status)s, not under review"),
                                   status=permit.status)]})
    facility_id = permit.receiving_facility_id
    if standard:
        standing = decisions.current_decision(session, permit.id)
        checks = [c for c in (standing.checks if standing else []) if c["standard"] == standard]
        if not checks:
            raise InvalidApplication({"standard": [Message.of("permit.not_a_check", N_("%(standard)s is not one of this permit's checks"), standard=standard)]})
        short = [c for c in checks if c["verdict"] != "meets"] or checks
        facility_id = short[0].get("facility_id", facility_id)
    request = EvidenceRequest(permit_id=permit.id, facility_id=facility_id,
                              standard_code=standard or None, message=message,
                              requested_by_id=actor.id)
    session.add(request)
    session.flush()
    audit.record(session, actor_id=actor.id, action="permit.evidence_requested", entity="permit",
                 entity_id=permit.id, after={"request_id": request.id, "facility_id": facility_id,
                                             "standard": standard}, reason=message)
    return request


def _text_field(value: Any, name: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidApplication({name: [problems.problem(problems.REQUIRED)]})
    if len(text) > MAX_REASON:
        raise InvalidApplication({name: [problems.problem(problems.TOO_LONG, max=MAX_REASON)]})
    return text


def _close_requests(session: Session, permit_id: int, why: str) -> None:
    session.execute(
        update(EvidenceRequest)
        .where(EvidenceRequest.permit_id == permit_id, EvidenceRequest.status == "open")
        .values(status="closed", closed_at=utcnow(), closed_reason=why)
        .execution_options(synchronize_session=False))


def _answer_requests(session: Session, permit_id: int, evaluation: decisions.Evaluation) -> None:
    met = {c["standard"] for c in evaluation.checks if c["verdict"] == "meets"}
    if met:
        session.execute(
            update(EvidenceRequest)
            .where(EvidenceRequest.permit_id == permit_id, EvidenceRequest.status == "open",
                   EvidenceRequest.standard_code.in_(met))
            .values(status="answered", closed_at=utcnow(), closed_reason="the check now meets")
            .execution_options(synchronize_session=False))


# --- ending a permit ---------------------------------------------------------------------------

def withdraw(session: Session, *, actor: User, permit_id: int, reason: str | None = None) -> Permit:
    _require_role(actor, ("shipper",), "withdraw a permit")
    permit = get_permit(session, permit_id=permit_id, actor=actor)
    _move(session, permit, action="withdraw", to="withdrawn", actor_id=actor.id,
          reason=_reason(reason, required=False) or "withdrawn by the shipper")
    return permit


def revoke(session: Session, *, actor: User, permit_id: int, reason: str) -> Permit:
    _require_role(actor, OVERSEERS, "revoke a permit")
    reason = _reason(reason)
    permit = get_permit(session, permit_id=permit_id, actor=actor)
    _move(session, permit, action="revoke", to="revoked", actor_id=actor.id, reason=reason)
    return permit


def expire_due(session: Session, *, today: date) -> list[int]:
    """Permits whose validity ended before `today` expire (idempotent: run it daily)."""
    due = session.exec(select(Permit).where(Permit.status.in_(("approved", "on_hold", "suspended")),
                                            Permit.valid_to < today)).all()
    expired = []
    for permit in due:
        try:
            _move(session, permit, action="expire", to="expired", actor_id=None,
                  reason=f"the validity period ended on {permit.valid_to.isoformat()}")
        except InvalidTransition:  # changed meanwhile by someone else: nothing to expire
            continue
        expired.append(permit.id)
    return expired


# --- the facility cascade ----------------------------------------------------------------------

def _naming(facility_id: int, *statuses: str):
    return select(Permit).where(
        or_(Permit.receiving_facility_id == facility_id, Permit.final_facility_id == facility_id),
        Permit.status.in_(statuses)).order_by(Permit.id)


def suspend_for_facility(session: Session, *, facility: Facility, actor_id: int | None,
                         reason: str | None) -> list[int]:
    """Every approved (or held) permit naming the facility is suspended, in the caller's
    transaction."""
    why = f"the facility {facility.name} (id {facility.id}) is {facility.status}"
    why += f": {reason}" if reason else ""
    suspended = []
    for permit in session.exec(_naming(facility.id, "approved", "on_hold")).all():
        try:
            _move(session, permit, action="suspend", to="suspended", actor_id=actor_id, reason=why)
        except InvalidTransition:  # withdrawn or revoked meanwhile: nothing left to suspend
            continue
        suspended.append(permit.id)
    return suspended


def redecide_for_facility(session: Session, *, facility: Facility, actor_id: int | None,
                          today: date) -> list[int]:
    """The reinstated facility's suspended permits are decided again (or expire if past)."""
    redecided = []
    for permit in session.exec(_naming(facility.id, "suspended")).all():
        terms = Terms.of(permit)
        if _another_facility_inactive(session, terms, facility.id):
            continue  # still suspended because of the other facility it names
        if permit.valid_to < today:
            _move(session, permit, action="expire", to="expired", actor_id=actor_id,
                  reason=f"the validity period ended on {permit.valid_to.isoformat()}")
            continue
        evaluation = decisions.evaluate(session, terms, on=today)
        _move(session, permit, action="redecide", to=evaluation.outcome, actor_id=actor_id,
              reason=_status_reason(evaluation))
        decisions.record(session, permit_id=permit.id, terms=terms, evaluation=evaluation,
                         kind="reinstatement", decided_by_id=None)
        redecided.append(permit.id)
    return redecided


def _another_facility_inactive(session: Session, terms: Terms, reinstated_id: int) -> bool:
    others = [i for i in terms.facility_ids if i != reinstated_id]
    if not others:
        return False
    statuses = session.exec(select(Facility.status).where(Facility.id.in_(others))).all()
    return any(s != "active" for s in statuses)


def re_evaluate_for_facility(session: Session, *, facility: Facility, today: date) -> list[int]:
    """New verified evidence: the facility's applications under review are decided again."""
    changed = []
    for permit in session.exec(_naming(facility.id, "under_review")).all():
        _, decision = re_evaluate(session, actor=None, permit_id=permit.id, today=today,
                                  only_if_changed=True)
        if decision is not None:
            changed.append(permit.id)
    return changed
