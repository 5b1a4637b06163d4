"""Facilities: creating and editing them, and their status (active, suspended, revoked).

A status change is a compare-and-swap UPDATE on the status that was read, so two concurrent
transitions cannot both succeed on either database; the loser gets `InvalidTransition`.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlmodel import Session, select

from facility_registry import events, validation
from facility_registry.announce import audited
from facility_registry.eligibility import refresh_standings
from facility_registry.errors import FacilityNotFound
from facility_registry.models import Facility, FacilityStatusChange, Inspection
from facility_registry.reference import Reference, load_reference
from standards import problems
from standards.clock import utcnow
from standards.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from standards.messages import N_, Message, define
from standards.processes import derive_processes, process_codes
from standards.vocabulary import OVERSEERS

EDITABLE = ("name", "country", "epa_id", "semarnat_nra", "canada_id", "address",
            "operations", "accepts", "processes", "annual_capacity_tonnes")
IDENTIFIERS = ("epa_id", "semarnat_nra", "canada_id")


def get_facility(session: Session, facility_id: int, *, fresh: bool = False) -> Facility:
    statement = select(Facility).where(Facility.id == facility_id)
    if fresh:  # re-read the row even if this session already holds the object
        statement = statement.execution_options(populate_existing=True)
    facility = session.exec(statement).first() if isinstance(facility_id, int) else None
    if facility is None:
        raise FacilityNotFound.on("facility_id", Message.of("registry.no_facility", N_("no facility with id %(id)s"), id=repr(facility_id)))
    return facility


def clean_facility(data: dict, reference: Reference) -> dict:
    """Every editable field checked at once; raises `ValidationFailed` naming each bad one."""
    clean = validation.collect({
        "name": lambda: validation.text(data.get("name"), "name", max_length=200),
        "country": lambda: validation.country(data.get("country")),
        "epa_id": lambda: validation.epa_id(data.get("epa_id")),
        "semarnat_nra": lambda: validation.registry_number(data.get("semarnat_nra"), "semarnat_nra"),
        "canada_id": lambda: validation.registry_number(data.get("canada_id"), "canada_id"),
        "address": lambda: validation.text(data.get("address"), "address", max_length=500),
        "operations": lambda: validation.code_list(
            data.get("operations"), "operations", reference.operation_codes, what="operation code"),
        "accepts": lambda: validation.code_list(
            data.get("accepts"), "accepts", reference.byproducts, what="byproduct"),
        "annual_capacity_tonnes": lambda: validation.number(
            data.get("annual_capacity_tonnes"), "annual_capacity_tonnes", allow_equal=False),
        "processes": lambda: validation.code_list(
            data.get("processes"), "processes", frozenset(process_codes()),
            what="receiving process"),
    })
    if not clean["processes"]:
        # Not declared: what the plant accepts and does says which processes it runs (a facility
        # cannot shed the rules of its process by naming none).
        clean["processes"] = derive_processes(clean["accepts"], clean["operations"])
    errors: dict[str, list[str]] = {}
    national = validation.NATIONAL_IDENTIFIER[clean["country"]]
    if not clean[national]:
        errors[national] = [Message.of("registry.national_id_required", N_("is required for a facility in %(country)s"),
                                       country=clean["country"])]
    if not clean["operations"]:
        errors["operations"] = [Message.of("registry.no_operations", N_("name at least one operation code (R1–R13, D1–D15)"))]
    if not clean["accepts"]:
        errors["accepts"] = [Message.of("registry.no_byproducts", N_("name at least one byproduct"))]
    if errors:
        raise ValidationFailed(problems.summary(errors), errors)
    return clean


def _check_identifiers_free(session: Session, clean: dict, *, except_id: int | None = None) -> None:
    for field in IDENTIFIERS:
        value = clean.get(field)
        if not value:
            continue
        statement = select(Facility.id).where(getattr(Facility, field) == value)
        if except_id is not None:
            statement = statement.where(Facility.id != except_id)
        other = session.exec(statement).first()
        if other is not None:
            raise Conflict.on(field, Message.of("registry.duplicate", N_(
                "already registered to facility %(other)s"), other=other), code="duplicate_identifier")


MAY_NOT = define("registry.may_not", N_("a %(role)s may not %(action)s"))
ROLE_MAY_NOT = define("registry.role_may_not", N_("%(role)s may not %(action)s"))
ACTIONS = {what: define("registry.action." + what.replace(" ", "_"), english) for what, english in (
    ("do this", N_("do this")), ("register a facility", N_("register a facility")),
    ("edit a facility", N_("edit a facility")), ("suspend a facility", N_("suspend a facility")),
    ("reinstate a facility", N_("reinstate a facility")), ("revoke a facility", N_("revoke a facility")),
    ("record evidence", N_("record evidence")), ("correct evidence", N_("correct evidence")),
    ("verify evidence", N_("verify evidence")))}


def require_role(actor_role: str, roles=OVERSEERS, what: str = "do this") -> None:
    if actor_role not in roles:
        action = Message(ACTIONS.get(what, ACTIONS["do this"]))
        raise NotAllowed(Message(MAY_NOT, {"role": actor_role, "action": action}),
                         {"role": [Message(ROLE_MAY_NOT, {"role": actor_role, "action": action})]})


def create_facility(session: Session, *, actor_id: int | None, actor_role: str,
                    **data) -> Facility:
    require_role(actor_role, what="register a facility")
    clean = clean_facility(data, load_reference(session))
    _check_identifiers_free(session, clean)
    facility = Facility(**clean, status="active", status_changed_at=utcnow())
    session.add(facility)
    session.flush()
    refresh_standings(session, [facility.id])
    audited(session, actor_id=actor_id, action="facility.create", entity="facility",
            entity_id=facility.id, after=facility_record(facility))
    return facility


def update_facility(session: Session, *, facility_id: int, actor_id: int | None,
                    actor_role: str, **changes) -> Facility:
    """Edit the descriptive fields; the status moves only through the transitions below."""
    require_role(actor_role, what="edit a facility")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationFailed.on(unknown[0], Message.of("registry.not_editable", N_("cannot be changed here")))
    facility = get_facility(session, facility_id)
    before = facility_record(facility)
    clean = clean_facility({**before, **changes}, load_reference(session))
    _check_identifiers_free(session, clean, except_id=facility.id)
    changed = {k: v for k, v in clean.items() if before.get(k) != v}
    if not changed:
        return facility
    for key, value in changed.items():
        setattr(facility, key, value)
    facility.updated_at = utcnow()
    session.add(facility)
    session.flush()
    refresh_standings(session, [facility.id])
    audited(session, actor_id=actor_id, action="facility.update", entity="facility",
            entity_id=facility.id, before={k: before[k] for k in changed}, after=changed)
    return facility


def facility_record(facility: Facility) -> dict:
    """The facility as its API and audit entries show it."""
    return {
        "id": facility.id,
        "name": facility.name,
        "country": facility.country,
        "epa_id": facility.epa_id,
        "semarnat_nra": facility.semarnat_nra,
        "canada_id": facility.canada_id,
        "address": facility.address,
        "operations": list(facility.operations or []),
        "accepts": list(facility.accepts or []),
        "processes": list(facility.processes or []),
        "annual_capacity_tonnes": facility.annual_capacity_tonnes,
        "status": facility.status,
    }


# --- status -------------------------------------------------------------------------------

def _transition(session: Session, facility: Facility, *, to: str, allowed_from: tuple[str, ...],
                reason: str, actor_id: int | None, inspection_id: int | None = None) -> None:
    observed = facility.status
    if observed not in allowed_from:
        raise InvalidTransition.on("status", Message.of("registry.cannot_become", N_("a %(status)s facility cannot become %(to)s"), status=observed, to=to))
    now = utcnow()
    result = session.execute(
        update(Facility)
        .where(Facility.id == facility.id, Facility.status == observed)
        .values(status=to, status_reason=reason, status_changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        # Someone else changed the status between our read and this write.
        raise InvalidTransition(Message.of("registry.changed_meanwhile", N_("status: the facility's status changed meanwhile; reload and try again")),
                                {"status": [Message.of("registry.changed_meanwhile_field", N_("changed meanwhile"))]})
    session.add(FacilityStatusChange(facility_id=facility.id, from_status=observed, to_status=to,
                                     reason=reason, at=now, actor_id=actor_id,
                                     inspection_id=inspection_id))
    session.flush()
    session.refresh(facility)
    audited(session, actor_id=actor_id, action=f"facility.{to}", entity="facility",
            entity_id=facility.id, before={"status": observed}, after={"status": to},
            reason=reason)


def _reason(reason) -> str:
    return validation.text(reason, "reason", max_length=1000)


def suspend_facility(session: Session, *, facility_id: int, reason: str, actor_id: int | None,
                     actor_role: str, inspection_id: int | None = None) -> Facility:
    require_role(actor_role, what="suspend a facility")
    reason = _reason(reason)
    facility = get_facility(session, facility_id, fresh=True)
    _transition(session, facility, to="suspended", allowed_from=("active",), reason=reason,
                actor_id=actor_id, inspection_id=inspection_id)
    events.facility_suspended.send(facility, session=session, actor_id=actor_id, reason=reason)
    return facility


def reinstate_facility(session: Session, *, facility_id: int, reason: str, actor_id: int | None,
                       actor_role: str) -> Facility:
    """Reinstatement takes a compliant inspection dated after the suspension's cause."""
    require_role(actor_role, what="reinstate a facility")
    reason = _reason(reason)
    facility = get_facility(session, facility_id, fresh=True)
    if facility.status == "suspended" and latest_clearing_inspection(session, facility) is None:
        raise InvalidTransition(Message.of("registry.reinstatement", N_("status: reinstatement takes a compliant inspection dated after the suspension")),
                                {"status": [Message.of("registry.reinstatement_field", N_("needs a later compliant inspection"))]})
    _transition(session, facility, to="active", allowed_from=("suspended",), reason=reason,
                actor_id=actor_id)
    events.facility_reinstated.send(facility, session=session, actor_id=actor_id, reason=reason)
    return facility


def revoke_facility(session: Session, *, facility_id: int, reason: str, actor_id: int | None,
                    actor_role: str) -> Facility:
    """Revocation is final. Permits naming the facility are suspended like on a suspension."""
    require_role(actor_role, what="revoke a facility")
    reason = _reason(reason)
    facility = get_facility(session, facility_id, fresh=True)
    _transition(session, facility, to="revoked", allowed_from=("active", "suspended"),
                reason=reason, actor_id=actor_id)
    events.facility_suspended.send(facility, session=session, actor_id=actor_id, reason=reason)
    return facility


def suspension_cause_date(session: Session, facility: Facility) -> date | None:
    """The day the current suspension's cause happened: the newest violating inspection, or the
    day of the suspension itself when an inspector suspended by hand."""
    change = session.exec(
        select(FacilityStatusChange)
        .where(FacilityStatusChange.facility_id == facility.id,
               FacilityStatusChange.to_status == "suspended")
        .order_by(FacilityStatusChange.at.desc(), FacilityStatusChange.id.desc())
    ).first()
    if change is None:
        return None
    violation = session.exec(
        select(Inspection.inspected_on)
        .where(Inspection.facility_id == facility.id, Inspection.outcome == "violation")
        .order_by(Inspection.inspected_on.desc())
    ).first()
    if change.inspection_id is not None:  # suspended by a violation: its date is the cause
        return violation
    return max(change.at.date(), violation) if violation is not None else change.at.date()


def latest_clearing_inspection(session: Session, facility: Facility) -> Inspection | None:
    """A compliant inspection dated after the suspension's cause, if there is one."""
    cause = suspension_cause_date(session, facility)
    statement = select(Inspection).where(
        Inspection.facility_id == facility.id, Inspection.outcome == "compliant")
    if cause is not None:
        statement = statement.where(Inspection.inspected_on > cause)
    return session.exec(statement.order_by(Inspection.inspected_on.desc())).first()


def status_history(session: Session, facility_id: int) -> list[FacilityStatusChange]:
    return list(session.exec(
        select(FacilityStatusChange).where(FacilityStatusChange.facility_id == facility_id)
        .order_by(FacilityStatusChange.at, FacilityStatusChange.id)
    ).all())
