"""The only place a petition's case changes: filing, screening, investigation, findings, the
remediation plan and closure. Each function validates, moves the case with a conditional
UPDATE on the stage it read, records the stage rows and the audit entry, flushes and never
commits. A confirmed violation suspends the facility through the registry's own service, so
the permits naming it are suspended by the same cascade as after an inspection.
"""
from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, select

from facility_registry import services as registry
from facility_registry import validation
from facility_registry.errors import FacilityNotFound
from facility_registry.inspections import Upload, case_reference, check_attachments
from facility_registry.models import CASE_CATEGORIES, EnforcementCase, Facility, Inspection
from permits.accounts.models import Organization
from permits.audit.chain import record as audit
from permits.cases import deadlines, state
from permits.cases.errors import CaseNotFound, InvalidPetition, InvalidStage, NotAllowed
from permits.cases.models import CaseStage, Petition, PetitionAttachment, RemediationAction
from permits.core.ids import is_record_id
from permits.permitting import holds
from permits.permitting.models import Permit
from standards import clock, problems
from standards.errors import ValidationFailed
from standards.messages import N_, Message
from standards.vocabulary import OVERSEERS

INSPECTOR_ROLES = frozenset(OVERSEERS)
MAX_ALLEGATION = 10_000
MAX_PETITION_ATTACHMENTS = 5
MAX_PLAN_ACTIONS = 20
MAX_PLAN_DAYS = 730  # a plan longer than two years is no rapid response
INVESTIGATION_METHODS = ("inspection", "evidence_request")
CLOSING_OUTCOMES = ("remedied", "violation_confirmed")
# A case closing so releases the permits it held; a confirmed violation suspended them instead.
RELEASING_OUTCOMES = ("unfounded", "remedied")
# While the case is being investigated (after screening, before the findings), it may hold the
# permits naming the facility.
HOLDING_STAGES = ("review_request", "investigation")
# A deliberately plain check: one @, no spaces, a dot in the domain. Delivery is the proof.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def _collect(checks: dict) -> dict:
    try:
        return validation.collect(checks)
    except ValidationFailed as exc:
        raise InvalidPetition(exc.message, exc.fields) from None


# --- filing --------------------------------------------------------------------------------

def file_petition(session: Session, *, facility_id, category, allegation, contact_email=None,
                  attachments: list[Upload] | None = None, today: date | None = None) -> EnforcementCase:
    """A petition from anyone, without an account: opens a case in `screening`."""
    today = today or clock.today()
    clean = _collect({
        "facility_id": lambda: _facility(session, facility_id).id,
        "category": lambda: _choice(category, "category", CASE_CATEGORIES),
        "allegation": lambda: validation.text(allegation, "allegation", max_length=MAX_ALLEGATION),
        "contact_email": lambda: _email(contact_email),
        "attachments": lambda: check_attachments(attachments, MAX_PETITION_ATTACHMENTS),
    })
    case = EnforcementCase(facility_id=clean["facility_id"], origin="petition",
                           category=clean["category"], stage="screening", opened_on=today)
    session.add(case)
    session.flush()
    case.reference = case_reference(case)
    petition = Petition(case_id=case.id, allegation=clean["allegation"],
                        contact_email=clean["contact_email"])
    session.add(petition)
    session.flush()
    for upload in clean["attachments"]:
        session.add(PetitionAttachment(
            petition_id=petition.id, filename=upload.filename, content_type=upload.content_type,
            size=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(),
            content=upload.content))
    stage = _start(session, case, "screening", today)
    # The petitioner's words and address stay out of the chain (it is never rewritten): a
    # hash of the allegation shows it was not altered after receipt.
    audit(session, actor_id=None, action="case.petition", entity="enforcement_case",
          entity_id=case.id, after={
              "reference": case.reference, "facility_id": case.facility_id,
              "category": case.category, "stage": case.stage, "screening_due": stage.due_on,
              "allegation_sha256": hashlib.sha256(clean["allegation"].encode()).hexdigest(),
              "attachments": len(clean["attachments"]),
              "contact_given": clean["contact_email"] is not None})
    return case


def _facility(session: Session, facility_id) -> Facility:
    if facility_id is None or facility_id == "":
        raise validation.fail("facility_id", problems.problem(problems.REQUIRED))
    if isinstance(facility_id, str) and facility_id.isascii() and facility_id.isdigit():
        facility_id = int(facility_id)  # from a form
    if not is_record_id(facility_id):  # beyond the id column: no such facility
        raise validation.fail("facility_id", _no_facility(facility_id))
    try:
        return registry.get_facility(session, facility_id)
    except FacilityNotFound:
        raise validation.fail("facility_id", _no_facility(facility_id)) from None


def _no_facility(facility_id) -> Message:
    return Message.of("case.no_facility", N_("no facility with id %(id)s"), id=str(facility_id))


def _choice(value, field: str, allowed) -> str:
    if value not in allowed:
        raise validation.fail(field, problems.problem(problems.ONE_OF, choices=", ".join(allowed)))
    return value


def _email(value) -> str | None:
    clean = validation.text(value, "contact_email", max_length=254, required=False)
    if clean is not None and not _EMAIL.match(clean):
        raise validation.fail("contact_email", Message.of("case.not_an_email",
                                                          N_("is not an e-mail address")))
    return clean


# --- the stages ----------------------------------------------------------------------------

def get_case(session: Session, case_id) -> EnforcementCase:
    case = session.get(EnforcementCase, case_id) if isinstance(case_id, int) else None
    if case is None or case.origin != "petition":
        raise CaseNotFound.on("case_id", Message.of(
            "case.not_found", N_("no petition case with id %(id)s"), id=repr(case_id)))
    return case


def current_stage(session: Session, case: EnforcementCase) -> CaseStage | None:
    return session.exec(select(CaseStage).where(CaseStage.case_id == case.id,
                                                CaseStage.stage == case.stage)).first()


def _require_inspector(actor_role: str) -> None:
    if actor_role not in INSPECTOR_ROLES:
        raise NotAllowed.on("role", Message.of("case.inspectors_only",
                                               N_("only an inspector moves a case")))


def _start(session: Session, case: EnforcementCase, stage: str, today: date,
           due_on: date | None = None) -> CaseStage:
    row = CaseStage(case_id=case.id, stage=stage, started_on=today,
                    due_on=due_on or deadlines.due(stage, today))
    session.add(row)
    session.flush()
    return row


def _move(session: Session, case: EnforcementCase, action: str, *, actor_id, today: date,
          decision: str, reasons: str | None = None, method: str | None = None,
          target: str | None = None, **changes) -> CaseStage | None:
    """End the current stage, move the case, start the next stage's clock; one audit entry."""
    source = case.stage
    target = target or state.require(action, source)
    result = session.execute(
        update(EnforcementCase).where(EnforcementCase.id == case.id, EnforcementCase.stage == source)
        .values(stage=target, **changes).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise InvalidStage.on("stage", Message.of(
            "case.moved_meanwhile", N_("the case moved meanwhile; reload it and try again")))
    ending = current_stage(session, case)
    if ending is not None:
        ending.completed_on, ending.decision, ending.actor_id = today, decision, actor_id
        ending.reasons, ending.method = reasons, method or ending.method
        session.add(ending)
    session.refresh(case)
    started = None
    if target in state.OPEN_STAGES and target != "remediation":
        started = _start(session, case, target, today)
    if target == "dismissed" or changes.get("outcome") in RELEASING_OUTCOMES:
        holds.release_for_case(session, case, today=today, actor_id=actor_id,
                               cause=f"case {case.reference} closed {changes.get('outcome') or target}")
    audit(session, actor_id=actor_id, action=f"case.{action}", entity="enforcement_case",
          entity_id=case.id, before={"stage": source},
          after={"stage": target, "decision": decision, "method": method,
                 "due_on": started.due_on if started else None, **changes}, reason=reasons)
    return started


def screen(session: Session, *, case_id, decision, reasons, actor_id, actor_role,
           today: date | None = None) -> EnforcementCase:
    """Accept (the facility's country is asked to review) or dismiss, with reasons either way."""
    _require_inspector(actor_role)
    case = get_case(session, case_id)
    today = today or clock.today()
    clean = _collect({"decision": lambda: _choice(decision, "decision", ("accept", "dismiss")),
                      "reasons": lambda: validation.text(reasons, "reasons", max_length=5000)})
    if clean["decision"] == "accept":
        _move(session, case, "accept", actor_id=actor_id, today=today, decision="accepted",
              reasons=clean["reasons"])
    else:
        _move(session, case, "dismiss", actor_id=actor_id, today=today, decision="dismissed",
              reasons=clean["reasons"], resolved_on=today)
    return case


def investigate(session: Session, *, case_id, method, country_agreed, request=None, actor_id,
                actor_role, today: date | None = None) -> EnforcementCase:
    """The review starts: by an inspection or a request for evidence. `country_agreed` records
    whether the facility's country agreed to review; without it Parity reviews on its own."""
    _require_inspector(actor_role)
    case = get_case(session, case_id)
    today = today or clock.today()
    clean = _collect({
        "method": lambda: _choice(method, "method", INVESTIGATION_METHODS),
        "country_agreed": lambda: validation.boolean(country_agreed, "country_agreed"),
        "request": lambda: validation.text(request, "request", max_length=5000,
                                           required=method == "evidence_request"),
    })
    _move(session, case, "investigate", actor_id=actor_id, today=today,
          decision="review_agreed" if clean["country_agreed"] else "no_agreement")
    stage = current_stage(session, case)
    stage.method, stage.reasons = clean["method"], clean["request"]
    session.add(stage)
    session.flush()
    return case


def record_findings(session: Session, *, case_id, violation, summary, inspection_id=None,
                    actor_id, actor_role, today: date | None = None) -> EnforcementCase:
    """No violation closes the case `unfounded`. A violation suspends the facility (the same
    service, and so the same permit cascade, as an inspection's violation) and asks for a
    remediation plan within its period."""
    _require_inspector(actor_role)
    case = get_case(session, case_id)
    today = today or clock.today()
    clean = _collect({
        "violation": lambda: validation.boolean(violation, "violation"),
        "summary": lambda: validation.text(summary, "summary", max_length=5000),
        "inspection_id": lambda: _inspection(session, case, inspection_id, violation),
    })
    state.require("findings", case.stage)
    if not clean["violation"]:
        _move(session, case, "findings", actor_id=actor_id, today=today, decision="unfounded",
              reasons=clean["summary"], target="closed", outcome="unfounded", resolved_on=today,
              inspection_id=clean["inspection_id"])
        return case
    _move(session, case, "findings", actor_id=actor_id, today=today, decision="violation",
          reasons=clean["summary"], target="remediation_plan", inspection_id=clean["inspection_id"])
    facility = registry.get_facility(session, case.facility_id, fresh=True)
    if facility.status == "active":
        registry.suspend_facility(
            session, facility_id=facility.id, actor_id=actor_id, actor_role=actor_role,
            reason=f"violation confirmed in case {case.reference} on {today.isoformat()}",
            inspection_id=clean["inspection_id"])
    return case


def _inspection(session: Session, case: EnforcementCase, inspection_id, violation) -> int | None:
    if inspection_id is None:
        return None
    found = session.get(Inspection, inspection_id) if is_record_id(inspection_id) else None
    if found is None or found.facility_id != case.facility_id:
        raise validation.fail("inspection_id", Message.of(
            "case.inspection_elsewhere", N_("is not an inspection of this case's facility")))
    if found.inspected_on < case.opened_on:
        raise validation.fail("inspection_id", Message.of(
            "case.inspection_too_early", N_("predates the petition")))
    if (found.outcome == "violation") != bool(violation is True or violation == "true"):
        raise validation.fail("inspection_id", Message.of(
            "case.inspection_contradicts", N_("found the facility %(status)s, which these "
                                              "findings contradict"), status=found.outcome))
    return found.id


def plan_remediation(session: Session, *, case_id, actions, actor_id, actor_role,
                     today: date | None = None) -> EnforcementCase:
    """The remediation plan: each action with its own deadline; the stage is due with the last."""
    _require_inspector(actor_role)
    case = get_case(session, case_id)
    today = today or clock.today()
    clean = _plan(actions, today)
    state.require("plan", case.stage)
    for position, (action, due_on) in enumerate(clean, start=1):
        session.add(RemediationAction(case_id=case.id, position=position, action=action,
                                      due_on=due_on))
    _move(session, case, "plan", actor_id=actor_id, today=today, decision="plan_set",
          reasons="; ".join(f"{a} (by {d.isoformat()})" for a, d in clean))
    _start(session, case, "remediation", today, due_on=max(d for _, d in clean))
    return case


def _plan(actions, today: date) -> list[tuple[str, date]]:
    if not isinstance(actions, list) or not actions:
        raise InvalidPetition.on("actions", Message.of(
            "case.plan_empty", N_("name at least one action with its due date")))
    if len(actions) > MAX_PLAN_ACTIONS:
        raise InvalidPetition.on("actions", Message.of(
            "case.plan_too_long", N_("at most %(max)s actions"), max=MAX_PLAN_ACTIONS))
    clean, errors = [], {}
    latest = today + timedelta(days=MAX_PLAN_DAYS)
    for i, item in enumerate(actions):
        item = item if isinstance(item, dict) else {}
        try:
            text = validation.text(item.get("action"), f"actions[{i}].action", max_length=1000)
        except ValidationFailed as exc:
            errors.update(exc.fields)
            text = None
        due_on = _future_date(item.get("due_on"), f"actions[{i}].due_on", today, latest, errors)
        if text and due_on:
            clean.append((text, due_on))
    if errors:
        raise InvalidPetition.fields_(errors)
    return clean


def _future_date(value, field: str, today: date, latest: date, errors: dict) -> date | None:
    try:
        day = value if isinstance(value, date) else validation.iso_date(str(value or ""))
    except ValueError:
        errors[field] = [problems.problem(problems.DATE)]
        return None
    if not today < day <= latest:
        errors[field] = [Message.of("case.plan_due_window", N_(
            "must be after %(first_on)s and no later than %(last_on)s"),
            first_on=today.isoformat(), last_on=latest.isoformat())]
        return None
    return day


def close_case(session: Session, *, case_id, outcome, summary, actor_id, actor_role,
               today: date | None = None) -> EnforcementCase:
    """`remedied` once the facility is active again (a compliant inspection reinstated it);
    `violation_confirmed` when the plan failed or the case ends with the violation standing."""
    _require_inspector(actor_role)
    case = get_case(session, case_id)
    today = today or clock.today()
    clean = _collect({"outcome": lambda: _choice(outcome, "outcome", CLOSING_OUTCOMES),
                      "summary": lambda: validation.text(summary, "summary", max_length=5000)})
    state.require("close", case.stage)
    if clean["outcome"] == "remedied":
        facility = registry.get_facility(session, case.facility_id, fresh=True)
        if facility.status != "active":
            raise InvalidStage.on("outcome", Message.of("case.not_yet_remedied", N_(
                "the facility is still %(status)s: a compliant inspection reinstates it before "
                "the case is remedied"), status=facility.status))
    _move(session, case, "close", actor_id=actor_id, today=today, decision=clean["outcome"],
          reasons=clean["summary"], outcome=clean["outcome"], resolved_on=today)
    return case


def hold_permits(session: Session, *, case_id, organization_id=None, actor_id, actor_role,
                 today: date | None = None) -> list[Permit]:
    """While the case is investigated, hold the approved permits naming its facility (of one
    shipper, `organization_id`, or of every shipper): no shipment leaves under them until the
    case closes. Returns the permits it put on hold."""
    _require_inspector(actor_role)
    case = get_case(session, case_id)
    today = today or clock.today()
    if case.stage not in HOLDING_STAGES:
        raise InvalidStage.on("stage", Message.of(
            "case.hold_stage", N_("a case in %(stage)s holds no permits; it must be in %(stages)s"),
            stage=case.stage, stages=" or ".join(HOLDING_STAGES)))
    if organization_id is not None and (
            not is_record_id(organization_id) or session.get(Organization, organization_id) is None):
        raise InvalidPetition.on("organization_id", Message.of(
            "case.no_organization", N_("no shipper organization with id %(id)s"), id=organization_id))
    statement = select(Permit).where(
        or_(Permit.receiving_facility_id == case.facility_id,
            Permit.final_facility_id == case.facility_id),
        Permit.status.in_(holds.HELD_OR_APPROVED), Permit.valid_to >= today,
        Permit.hold_case_id.is_(None))
    if organization_id is not None:
        statement = statement.where(Permit.organization_id == organization_id)
    held = [p for p in session.exec(statement.order_by(Permit.id)).all()
            if holds.hold_for_case(session, p, case, today=today, actor_id=actor_id)]
    audit(session, actor_id=actor_id, action="case.hold_permits", entity="enforcement_case",
          entity_id=case.id, after={"organization_id": organization_id,
                                    "permits": [p.number for p in held]})
    return held
