"""Which audited events tell whom what: one handler per action, on the audit chain's `recorded`
signal, in the transaction of the event (so a rolled-back change leaves no notice).

Every other action (a shipment logged, a draft saved...) costs one dictionary lookup.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import func
from sqlmodel import Session, select

from facility_registry.models import EnforcementCase, Facility
from permits.audit import chain
from permits.audit.chain import RecordedEntry as AuditEntry
from permits.notifications import recipients
from permits.notifications.services import notify
from permits.permitting.decision_models import Decision
from permits.permitting.decisions import CHECK_NOT_MET
from permits.permitting.models import Permit
from permits.shipments.models import Shipment
from standards.messages import N_, Message, define

APPROVED = define("notice.permit_approved", N_("Application %(number)s was approved."))
DENIED = define("notice.permit_denied", N_("Application %(number)s was denied: %(unmet)s."))
DENIED_PLAIN = define("notice.permit_denied_plain", N_("Application %(number)s was denied."))
DENIED_BY_INSPECTOR = define("notice.permit_denied_by_inspector",
                             N_("Application %(number)s was denied by an inspector: %(note)s"))
AMENDMENT_APPROVED = define("notice.amendment_approved",
                            N_("The amendment of permit %(number)s was approved."))
AMENDMENT_DENIED = define("notice.amendment_denied",
                          N_("The amendment of permit %(number)s was denied."))
ON_HOLD = define("notice.permit_on_hold", N_(
    "Permit %(number)s is on hold: no load may leave until its facility meets every standard "
    "again (%(unmet)s)."))
RELEASED = define("notice.permit_released", N_(
    "Permit %(number)s is no longer on hold: every standard it was decided on is met again."))
SUSPENDED = define("notice.permit_suspended", N_(
    "Permit %(number)s is suspended: no load may leave under it."))
SUSPENDED_ONE_IN_TRANSIT = define("notice.permit_suspended_one_in_transit", N_(
    "Permit %(number)s is suspended: no load may leave under it, and one load already in transit "
    "under it is affected; contact the receiving facility and an inspector."))
SUSPENDED_IN_TRANSIT = define("notice.permit_suspended_in_transit", N_(
    "Permit %(number)s is suspended: no load may leave under it, and %(num)s loads already in "
    "transit under it are affected; contact the receiving facility and an inspector."))
FACILITY_SUSPENDED = define("notice.facility_suspended",
                            N_("The facility %(facility)s is suspended: %(reason)s"))
FACILITY_REINSTATED = define("notice.facility_reinstated",
                             N_("The facility %(facility)s is active again."))
EVIDENCE_REQUESTED = define("notice.evidence_requested", N_(
    "An inspector asks for evidence for application %(number)s: %(request)s"))
EVIDENCE_REQUESTED_FOR = define("notice.evidence_requested_for", N_(
    "An inspector asks for evidence of %(standard)s for application %(number)s: %(request)s"))
CONSENT_REQUESTED = define("notice.consent_requested", N_(
    "Permit %(number)s asks for the consent of %(country)s as %(kind)s."))
CONSENT_REQUESTED_TACIT = define("notice.consent_requested_tacit", N_(
    "Permit %(number)s asks for the consent of %(country)s as %(kind)s; without an objection "
    "it is tacit on %(tacit_on)s."))
CONSENT_GRANTED = define("notice.consent_granted", N_("%(country)s consented to permit %(number)s."))
CONSENT_OBJECTED = define("notice.consent_objected", N_("%(country)s objected to permit %(number)s."))
CONSENT_TACIT = define("notice.consent_tacit", N_(
    "No objection to permit %(number)s was recorded by %(tacit_on)s: the consent of %(country)s "
    "is now tacit."))
DEADLINE_MISSED = define("notice.deadline_missed", N_(
    "Missed deadline (%(kind)s): load %(document)s under permit %(number)s was due on %(due_on)s."))
CASE_OPENED = define("notice.case_opened", N_(
    "A petition opened case %(reference)s about %(facility)s; screening is due on %(due_on)s."))
CASE_OVERDUE = define("notice.case_overdue", N_(
    "Case %(reference)s is escalated: its %(status)s stage was due on %(due_on)s."))

HOLD_UPDATED = define("notice.permit_hold_updated", N_(
    "Permit %(number)s stays on hold for new reasons: %(unmet)s."))
HOLD_UPDATED_CASE_ONLY = define("notice.permit_hold_updated_case_only", N_(
    "Permit %(number)s meets every standard again but stays on hold while case %(reference)s "
    "is investigated."))
ON_HOLD_FOR_CASE = define("notice.permit_on_hold_for_case", N_(
    "Permit %(number)s is on hold while case %(reference)s is investigated: no load may leave "
    "under it until the case is closed."))
EXPIRED = define("notice.permit_expired", N_(
    "Permit %(number)s has expired: its validity ended on %(valid_to)s and no load may leave "
    "under it. Apply for a new permit to ship again."))

REVOKED = define("notice.permit_revoked", N_(
    "Permit %(number)s was revoked: no load may leave under it (loads already in transit under "
    "it: %(num)s). Reason: %(reason)s"))

log = logging.getLogger(__name__)
Handler = Callable[[Session, AuditEntry], None]
HANDLERS: dict[str, Handler] = {}


def on(*actions: str):
    def register(handler: Handler) -> Handler:
        for action in actions:
            HANDLERS[action] = handler
        return handler
    return register


def _permit(session: Session, permit_id) -> Permit | None:
    return session.get(Permit, int(permit_id)) if permit_id is not None else None


def _number(permit: Permit) -> str:
    return permit.number or f"#{permit.id}"


def _facilities_of(permit: Permit) -> list[int]:
    return [permit.receiving_facility_id, permit.final_facility_id]


def _unmet(checks: list[dict]) -> list[Message]:
    return [Message(CHECK_NOT_MET, {"standard": c["standard"], "verdict": c["verdict"]})
            for c in checks or [] if c.get("verdict") != "meets"]


# --- decisions --------------------------------------------------------------------------------

@on("decision.recorded")
def _decided(session: Session, entry: AuditEntry) -> None:
    after = entry.after or {}
    outcome = after.get("outcome")
    if outcome not in ("approved", "denied"):
        return  # under review: nothing decided yet
    decision = session.get(Decision, int(entry.entity_id))
    permit = _permit(session, after.get("permit_id"))
    if decision is None or permit is None:
        return
    number = _number(permit)
    if after.get("amendment_id") is not None:
        message = Message(AMENDMENT_APPROVED if outcome == "approved" else AMENDMENT_DENIED,
                          {"number": number})
    elif outcome == "approved":
        message = Message(APPROVED, {"number": number})
    elif decision.kind == "inspector_denial" and decision.note:
        message = Message(DENIED_BY_INSPECTOR, {"number": number, "note": decision.note})
    else:
        broken = [Message.from_dict(r["message"]) for r in decision.rules or []
                  if not r.get("met") and r.get("message")]
        unmet = [*broken, *_unmet(decision.checks)]
        message = (Message(DENIED, {"number": number, "unmet": unmet}) if unmet
                   else Message(DENIED_PLAIN, {"number": number}))
    notify(session, recipients.shippers(session, permit.organization_id), message,
           link=f"/permits/{permit.id}", skip_user_id=entry.actor_id)


# --- holds and suspensions --------------------------------------------------------------------

@on("permit.hold", "permit.release")
def _hold(session: Session, entry: AuditEntry) -> None:
    permit = _permit(session, entry.entity_id)
    if permit is None:
        return
    if entry.action == "permit.hold":
        message = Message(ON_HOLD, {"number": _number(permit),
                                    "unmet": _unmet((entry.after or {}).get("hold_checks"))})
    else:
        message = Message(RELEASED, {"number": _number(permit)})
    users = [*recipients.shippers(session, permit.organization_id),
             *recipients.facility_users(session, _facilities_of(permit))]
    notify(session, users, message, link=f"/permits/{permit.id}", skip_user_id=entry.actor_id)


@on("permit.update_hold", "permit.case_hold", "permit.case_release")
def _hold_changed(session: Session, entry: AuditEntry) -> None:
    """A hold that is placed by a case, or stays with other reasons: the people held up learn
    why it still holds (a case hold's release to approved is a plain release)."""
    permit = _permit(session, entry.entity_id)
    if permit is None:
        return
    after = entry.after or {}
    number = _number(permit)
    case = session.get(EnforcementCase, int(permit.hold_case_id)) if permit.hold_case_id else None
    reference = (case.reference or f"#{case.id}") if case is not None else ""
    if entry.action == "permit.case_release" and after.get("status") == "approved":
        message = Message(RELEASED, {"number": number})
    elif entry.action == "permit.case_hold":
        message = Message(ON_HOLD_FOR_CASE, {"number": number, "reference": reference})
    elif _same_reasons((entry.before or {}).get("hold_checks"), after.get("hold_checks")):
        return  # only the numbers moved (a new measurement of a standard still failing)
    elif after.get("hold_checks"):
        message = Message(HOLD_UPDATED, {"number": number, "unmet": _unmet(after["hold_checks"])})
    elif case is not None:
        message = Message(HOLD_UPDATED_CASE_ONLY, {"number": number, "reference": reference})
    else:
        return  # nothing a person can act on changed
    users = [*recipients.shippers(session, permit.organization_id),
             *recipients.facility_users(session, _facilities_of(permit))]
    notify(session, users, message, link=f"/permits/{permit.id}", skip_user_id=entry.actor_id)


def _same_reasons(before: list[dict] | None, after: list[dict] | None) -> bool:
    def key(checks):
        return sorted((c.get("facility_id"), c.get("standard"), c.get("verdict")) for c in checks or [])
    return bool(before) and key(before) == key(after)


@on("permit.expire")
def _expired(session: Session, entry: AuditEntry) -> None:
    permit = _permit(session, entry.entity_id)
    if permit is None:
        return
    users = [*recipients.shippers(session, permit.organization_id),
             *recipients.facility_users(session, _facilities_of(permit))]
    notify(session, users, Message(EXPIRED, {"number": _number(permit),
                                             "valid_to": permit.valid_to.isoformat()}),
           link=f"/permits/{permit.id}")


@on("permit.suspend", "permit.revoke")
def _permit_stopped(session: Session, entry: AuditEntry) -> None:
    permit = _permit(session, entry.entity_id)
    if permit is None:
        return
    # The loads already on the road are the ones nobody would otherwise hear about.
    in_transit = session.exec(select(func.count()).select_from(Shipment).where(
        Shipment.permit_id == permit.id, Shipment.status == "in_transit")).one()
    if entry.action == "permit.revoke":
        message = Message(REVOKED, {"number": _number(permit), "num": in_transit,
                                    "reason": entry.reason or ""})
    else:
        code = (SUSPENDED if not in_transit else SUSPENDED_ONE_IN_TRANSIT if in_transit == 1
                else SUSPENDED_IN_TRANSIT)
        message = Message(code, {"number": _number(permit), "num": in_transit})
    users = [*recipients.shippers(session, permit.organization_id),
             *recipients.facility_users(session, _facilities_of(permit))]
    notify(session, users, message, link=f"/permits/{permit.id}", skip_user_id=entry.actor_id)


@on("facility.suspended", "facility.reinstated")
def _facility_status(session: Session, entry: AuditEntry) -> None:
    facility = session.get(Facility, int(entry.entity_id))
    if facility is None:
        return
    if entry.action == "facility.suspended":
        message = Message(FACILITY_SUSPENDED, {"facility": facility.name, "reason": entry.reason or ""})
    else:
        message = Message(FACILITY_REINSTATED, {"facility": facility.name})
    notify(session, recipients.facility_users(session, [facility.id]), message,
           link="/my-facility", skip_user_id=entry.actor_id)


# --- evidence and consents --------------------------------------------------------------------

@on("permit.evidence_requested")
def _evidence_requested(session: Session, entry: AuditEntry) -> None:
    permit = _permit(session, entry.entity_id)
    after = entry.after or {}
    if permit is None:
        return
    params = {"number": _number(permit), "request": entry.reason or ""}
    message = (Message(EVIDENCE_REQUESTED_FOR, {**params, "standard": after["standard"]})
               if after.get("standard") else Message(EVIDENCE_REQUESTED, params))
    notify(session, recipients.facility_users(session, [after.get("facility_id")]), message,
           link="/review/evidence-requests", skip_user_id=entry.actor_id)


@on("consent.requested")
def _consent_requested(session: Session, entry: AuditEntry) -> None:
    after = entry.after or {}
    permit = _permit(session, after.get("permit_id"))
    if permit is None:
        return
    params = {"number": _number(permit), "country": after.get("country"), "kind": after.get("role")}
    message = (Message(CONSENT_REQUESTED_TACIT, {**params, "tacit_on": after["tacit_on"]})
               if after.get("tacit_on") else Message(CONSENT_REQUESTED, params))
    notify(session, recipients.authorities(session, after.get("country")), message,
           link=f"/permits/{permit.id}", skip_user_id=entry.actor_id)


@on("consent.recorded", "consent.revised", "consent.tacit")
def _consent_decided(session: Session, entry: AuditEntry) -> None:
    after = entry.after or {}
    permit = _permit(session, after.get("permit_id"))
    if permit is None or after.get("status") not in ("granted", "objected"):
        return
    params = {"number": _number(permit), "country": after.get("country")}
    code = CONSENT_GRANTED if after["status"] == "granted" else CONSENT_OBJECTED
    link = f"/permits/{permit.id}"
    notify(session, recipients.shippers(session, permit.organization_id), Message(code, params),
           link=link, skip_user_id=entry.actor_id)
    if entry.action == "consent.tacit":  # the authority let its wait run out
        notify(session, recipients.authorities(session, after.get("country")),
               Message(CONSENT_TACIT, {**params, "tacit_on": after.get("decided_on")}), link=link)


# --- missed deadlines and cases ---------------------------------------------------------------

@on("shipment_exception.opened")
def _deadline_missed(session: Session, entry: AuditEntry) -> None:
    after = entry.after or {}
    kind = after.get("kind")
    if kind not in ("receipt_overdue", "recovery_overdue", "return_overdue", "final_recovery_overdue"):
        return  # a return report is no missed deadline
    shipment = session.get(Shipment, int(after["shipment_id"]))
    permit = _permit(session, shipment.permit_id) if shipment else None
    if permit is None:
        return
    if kind == "return_overdue":  # the refused load goes back to the shipper
        users = recipients.shippers(session, permit.organization_id)
    elif kind == "final_recovery_overdue":
        users = recipients.facility_users(session, [permit.final_facility_id])
    else:
        users = recipients.facility_users(session, [permit.receiving_facility_id])
    message = Message(DEADLINE_MISSED, {"kind": kind, "document": shipment.movement_document,
                                        "number": _number(permit), "due_on": after.get("due_on")})
    notify(session, users, message, link=f"/shipments/{shipment.id}")


@on("case.petition", "case.stage_overdue")
def _case(session: Session, entry: AuditEntry) -> None:
    case = session.get(EnforcementCase, int(entry.entity_id))
    if case is None:
        return
    after = entry.after or {}
    if entry.action == "case.petition":
        facility = session.get(Facility, case.facility_id)
        message = Message(CASE_OPENED, {"reference": case.reference or f"#{case.id}",
                                        "facility": facility.name if facility else "",
                                        "due_on": after.get("screening_due")})
    else:
        message = Message(CASE_OVERDUE, {"reference": case.reference or f"#{case.id}",
                                          "status": after.get("stage"), "due_on": after.get("due_on")})
    notify(session, recipients.inspectors(session), message, link=f"/cases/desk/{case.id}")


def _on_recorded(entry: AuditEntry, *, session: Session, **_) -> None:
    handler = HANDLERS.get(entry.action)
    if handler is None:
        return
    # A notice that cannot be written must not undo the decision it is about: its own savepoint.
    try:
        with session.begin_nested():
            handler(session, entry)
    except Exception:  # noqa: BLE001 - logged with its traceback; the event stands
        log.exception("no notice for %s %s %s", entry.action, entry.entity, entry.entity_id)


chain.recorded.connect(_on_recorded, weak=False)
