"""Reminders before a deadline: a daily scheduler job finds the deadlines falling due within
their lead time and tells the people who must act, once per deadline and lead.

Lead times (days before the due day), and why:
- receipt confirmation: 1. It falls due 3 working days after arrival, so a week ahead the load
  is usually still on the road; the day before is the useful word.
- recovery, final recovery and return: 7 and 1. Long deadlines (30 days after completion, a
  year after receipt, 90 days after a refusal): a week leaves time to finish the operation or
  book the return, the day before is the last call.
- tacit consent: 7 and 1. The authority has a week to object before silence becomes consent.
- case stages: 7 and 1, to the inspectors (cases are not assigned to one of them).
- permit validity: 30 and 7. A new application is reviewed and asks the importing and transit
  countries again (Canada's tacit wait alone is 30 days): a month ahead is when to apply.

Each deadline gets only the nearest lead that covers it on the day (a deadline first seen
2 days ahead gets its 7-day reminder, not both), and a `Reminder` row per (kind, subject,
due day, lead): its unique key makes a re-run, a catch-up after a restart or a second scheduler
running at the same moment tell nobody twice. A deadline that moves (a load arrives late, a
recovery is completed) is a new due day and is announced again.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, insert, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from facility_registry.models import EnforcementCase
from permits.accounts.models import User
from permits.cases.models import CaseStage
from permits.consents.models import Consent
from permits.notifications import recipients
from permits.notifications.models import Reminder
from permits.notifications.services import notify
from permits.permitting.models import Permit
from permits.shipments import deadlines
from permits.shipments.models import Shipment
from permits.shipments.state import FINAL_RECEIVED, IN_TRANSIT, RECEIVED
from standards.clock import add_months, utcnow
from standards.messages import N_, Message, define

LEADS: dict[str, tuple[int, ...]] = {
    "receipt": (1,),
    "recovery": (7, 1),
    "return": (7, 1),
    "final_recovery": (7, 1),
    "tacit_consent": (7, 1),
    "case_stage": (7, 1),
    "permit_expiry": (30, 7),
}

RECEIPT_DUE = define("notice.reminder_receipt", N_(
    "Reminder: confirm the receipt of load %(document)s under permit %(number)s by %(due_on)s."))
RECOVERY_DUE = define("notice.reminder_recovery", N_(
    "Reminder: confirm the recovery or disposal of load %(document)s under permit %(number)s "
    "by %(due_on)s."))
RETURN_DUE = define("notice.reminder_return", N_(
    "Reminder: the refused part of load %(document)s under permit %(number)s must be back by "
    "%(due_on)s."))
FINAL_RECOVERY_DUE = define("notice.reminder_final_recovery", N_(
    "Reminder: confirm the final recovery or disposal of load %(document)s under permit "
    "%(number)s by %(due_on)s."))
TACIT_DUE = define("notice.reminder_tacit_consent", N_(
    "Reminder: unless %(country)s objects, its consent to permit %(number)s becomes tacit on "
    "%(due_on)s."))
CASE_STAGE_DUE = define("notice.reminder_case_stage", N_(
    "Reminder: the %(status)s stage of case %(reference)s is due on %(due_on)s."))
PERMIT_EXPIRY_DUE = define("notice.reminder_permit_expiry", N_(
    "Permit %(number)s is valid until %(due_on)s: apply for a new permit in time for the loads "
    "that follow."))


@dataclass
class Deadline:
    kind: str
    subject_id: int
    due_on: date
    message: Message
    link: str
    users: list[User] = field(default_factory=list)


def lead_for(kind: str, due_on: date, today: date) -> int | None:
    """The nearest lead time covering the deadline today (None: not yet, or already past)."""
    left = (due_on - today).days
    fitting = [lead for lead in LEADS[kind] if 0 <= left <= lead]
    return min(fitting) if fitting else None


def send_due(session: Session, today: date) -> list[Deadline]:
    """Tell whoever must act of every deadline within its lead time and not yet announced at
    that lead; the deadlines announced now. Flushes, never commits (the job's transaction)."""
    sent = []
    for deadline in _deadlines(session, today):
        lead = lead_for(deadline.kind, deadline.due_on, today)
        if lead is None or not _claim(session, deadline, lead, today):
            continue
        notify(session, deadline.users, deadline.message, link=deadline.link)
        sent.append(deadline)
    return sent


def _claim(session: Session, deadline: Deadline, lead: int, today: date) -> bool:
    """Take the reminder's row; False when it was taken already (here or by another scheduler:
    on PostgreSQL the second INSERT waits for the first transaction and then fails)."""
    try:
        with session.begin_nested():
            session.execute(insert(Reminder).values(
                kind=deadline.kind, subject_id=deadline.subject_id, due_on=deadline.due_on,
                lead_days=lead, sent_on=today, recipients=len(deadline.users), created_at=utcnow()))
    except IntegrityError:
        return False
    return True


def _deadlines(session: Session, today: date) -> Iterator[Deadline]:
    yield from _shipment_deadlines(session, today)
    yield from _tacit_consents(session, today)
    yield from _case_stages(session, today)
    yield from _permit_expiries(session, today)


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _horizon(kind: str, today: date) -> date:
    return today + timedelta(days=max(LEADS[kind]))


# --- shipments --------------------------------------------------------------------------------

def _shipment_deadlines(session: Session, today: date) -> Iterator[Deadline]:
    # Narrowed in SQL to the loads whose deadline can fall within the leads, decided in Python
    # by the same due-date functions the sweep uses (working days and holidays).
    week = _horizon("recovery", today)
    candidates = select(Shipment, Permit).join(Permit, Permit.id == Shipment.permit_id).where(or_(
        and_(Shipment.status == IN_TRANSIT, Shipment.receipt_confirmed_at.is_(None),
             Shipment.expected_arrival_on <= _horizon("receipt", today),
             Shipment.expected_arrival_on >= today - timedelta(days=21)),
        and_(Shipment.status == RECEIVED, Shipment.recovery_confirmed_at.is_(None),
             or_(Shipment.received_on.between(add_months(today, -12), add_months(week, -12)),
                 Shipment.completed_on.between(today - _days(deadlines.RECOVERY_CONFIRMATION_DAYS),
                                               week - _days(deadlines.RECOVERY_CONFIRMATION_DAYS)))),
        and_(Shipment.refused_kg > 0, Shipment.returned_on.is_(None),
             Shipment.refused_on.between(today - _days(deadlines.RETURN_DAYS),
                                         week - _days(deadlines.RETURN_DAYS))),
        and_(Shipment.status == FINAL_RECEIVED, Shipment.final_recovery_confirmed_at.is_(None),
             Shipment.final_received_on.between(add_months(today, -12), add_months(week, -12))),
    )).order_by(Shipment.id)
    for shipment, permit in session.exec(candidates).all():
        for kind, due in _due_days(shipment):
            if due is None or lead_for(kind, due, today) is None:
                continue
            params = {"document": shipment.movement_document, "number": permit.number or f"#{permit.id}",
                      "due_on": due.isoformat()}
            yield Deadline(kind, shipment.id, due, Message(_SHIPMENT_MESSAGES[kind], params),
                           f"/shipments/{shipment.id}", _shipment_people(session, kind, permit))


_SHIPMENT_MESSAGES = {"receipt": RECEIPT_DUE, "recovery": RECOVERY_DUE, "return": RETURN_DUE,
                      "final_recovery": FINAL_RECOVERY_DUE}


def _due_days(shipment: Shipment) -> list[tuple[str, date | None]]:
    due = []
    if shipment.status == IN_TRANSIT and shipment.receipt_confirmed_at is None:
        due.append(("receipt", deadlines.receipt_due(shipment)))
    if shipment.status == RECEIVED and shipment.recovery_confirmed_at is None:
        due.append(("recovery", deadlines.recovery_due(shipment)))
    if shipment.returned_on is None:
        due.append(("return", deadlines.return_due(shipment)))
    if shipment.status == FINAL_RECEIVED and shipment.final_recovery_confirmed_at is None:
        due.append(("final_recovery", deadlines.final_recovery_due(shipment)))
    return due


def _shipment_people(session: Session, kind: str, permit: Permit) -> list[User]:
    if kind == "return":  # the refused load goes back to its shipper
        return recipients.shippers(session, permit.organization_id)
    if kind == "final_recovery":
        return recipients.facility_users(session, [permit.final_facility_id])
    return recipients.facility_users(session, [permit.receiving_facility_id])


# --- consents, cases, permits -----------------------------------------------------------------

def _tacit_consents(session: Session, today: date) -> Iterator[Deadline]:
    pending = session.exec(
        select(Consent, Permit).join(Permit, Permit.id == Consent.permit_id)
        .where(Consent.status == "pending", Consent.tacit_on.is_not(None),
               Consent.tacit_on >= today, Consent.tacit_on <= _horizon("tacit_consent", today))
        .order_by(Consent.id)).all()
    for consent, permit in pending:
        params = {"country": consent.country, "number": permit.number or f"#{permit.id}",
                  "due_on": consent.tacit_on.isoformat()}
        yield Deadline("tacit_consent", consent.id, consent.tacit_on, Message(TACIT_DUE, params),
                       f"/permits/{permit.id}", recipients.authorities(session, consent.country))


def _case_stages(session: Session, today: date) -> Iterator[Deadline]:
    open_stages = session.exec(
        select(CaseStage, EnforcementCase).join(EnforcementCase, EnforcementCase.id == CaseStage.case_id)
        .where(CaseStage.completed_on.is_(None), CaseStage.due_on >= today,
               CaseStage.due_on <= _horizon("case_stage", today),
               EnforcementCase.stage == CaseStage.stage)
        .order_by(CaseStage.id)).all()
    people = recipients.inspectors(session) if open_stages else []
    for stage, case in open_stages:
        params = {"status": stage.stage, "reference": case.reference or f"#{case.id}",
                  "due_on": stage.due_on.isoformat()}
        yield Deadline("case_stage", stage.id, stage.due_on, Message(CASE_STAGE_DUE, params),
                       f"/cases/desk/{case.id}", people)


def _permit_expiries(session: Session, today: date) -> Iterator[Deadline]:
    ending = session.exec(
        select(Permit).where(Permit.status.in_(("approved", "on_hold")), Permit.valid_to >= today,
                             Permit.valid_to <= _horizon("permit_expiry", today))
        .order_by(Permit.id)).all()
    for permit in ending:
        params = {"number": permit.number or f"#{permit.id}", "due_on": permit.valid_to.isoformat()}
        people = [*recipients.shippers(session, permit.organization_id),
                  *recipients.facility_users(session, [permit.receiving_facility_id,
                                                       permit.final_facility_id])]
        yield Deadline("permit_expiry", permit.id, permit.valid_to,
                       Message(PERMIT_EXPIRY_DUE, params), f"/permits/{permit.id}", people)
