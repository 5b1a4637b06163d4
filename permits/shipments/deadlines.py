"""Shipment deadlines: working days, the due date of each confirmation, and the daily sweep.

The rules (40 CFR 262 Subpart H, as DOMAIN.md states them):
- receipt is confirmed within 3 working days of arrival (until it arrives, of the expected
  arrival);
- recovery or disposal is confirmed within 30 days of completion, and no later than one
  year after receipt;
- a refused quantity is returned within 90 days of the refusal;
- after an interim operation, the final facility confirms recovery or disposal no later than
  one year after its own receipt.

Working days are Monday to Friday less the public holidays of the receiving facility's
country (and of its province or state, where one is recorded and the `holidays` package knows
it): the shipment keeps that calendar's name (`holiday_region`, "MX" or "CA-ON") from the day
it was logged, so that its deadline never moves with who reads it.

A missed deadline opens one `ShipmentException` per shipment and kind (a unique pair), so
the sweep may run any number of times a day, and a run after a pause catches up.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from permits.audit import chain as audit
from permits.shipments.models import Shipment, ShipmentException
from permits.shipments.state import FINAL_RECEIVED, IN_TRANSIT, RECEIVED
from standards.clock import add_months

RECEIPT_WORKING_DAYS = 3
RECOVERY_CONFIRMATION_DAYS = 30
RECOVERY_LIMIT_YEARS = 1
RETURN_DAYS = 90

RECEIPT_OVERDUE, RECOVERY_OVERDUE, RETURN_OVERDUE = "receipt_overdue", "recovery_overdue", "return_overdue"
RETURN_REPORTED = "return_reported"
FINAL_RECOVERY_OVERDUE = "final_recovery_overdue"


@lru_cache(maxsize=256)
def public_holidays(region: str | None, year: int) -> frozenset[date]:
    """The public holidays of `region` ("MX", "CA-ON": country, then province or state) in
    `year`; none for no region, or for one the `holidays` package does not know."""
    if not region:
        return frozenset()
    country, _, subdivision = region.partition("-")
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError:  # an unknown country or subdivision: weekends only
        return frozenset()
    return frozenset(calendar)


def is_working_day(day: date, region: str | None = None) -> bool:
    return day.weekday() < 5 and day not in public_holidays(region, day.year)


@lru_cache(maxsize=4096)  # a page of loads asks the same few days again and again
def add_working_days(start: date, days: int, region: str | None = None) -> date:
    """The day that ends `days` working days after `start` (start itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, region):
            remaining -= 1
    return day


def add_years(start: date, years: int) -> date:
    """The same calendar day `years` later; 29 February falls back to the 28th."""
    return add_months(start, 12 * years)


def holiday_region(facility) -> str | None:
    """The calendar a facility's deadlines follow: its country (facilities record no province
    or state yet; one given as `subdivision` is used)."""
    if facility is None:
        return None
    return region_of(facility.country, getattr(facility, "subdivision", None))


def region_of(country: str, subdivision: str | None = None) -> str:
    """The calendar of a country, or of its province or state ("MX", "CA-ON")."""
    return f"{country}-{subdivision}" if subdivision else country


# Due dates. Each is None while the rule does not apply to the shipment yet (or at all).

def receipt_due(shipment: Shipment) -> date:
    # The day it arrived (`Shipment.arrived_on`), spelled out: a plain row read for a page has
    # the columns but not the model's properties.
    arrived_on = shipment.received_on or shipment.refused_on
    return add_working_days(arrived_on or shipment.expected_arrival_on, RECEIPT_WORKING_DAYS,
                            shipment.holiday_region)


def recovery_due(shipment: Shipment) -> date | None:
    if shipment.received_on is None:
        return None
    limit = add_years(shipment.received_on, RECOVERY_LIMIT_YEARS)
    if shipment.completed_on is None:
        return limit
    return min(shipment.completed_on + timedelta(days=RECOVERY_CONFIRMATION_DAYS), limit)


def return_due(shipment: Shipment) -> date | None:
    if shipment.refused_kg <= 0 or shipment.refused_on is None:
        return None
    return shipment.refused_on + timedelta(days=RETURN_DAYS)


def final_recovery_due(shipment: Shipment) -> date | None:
    if shipment.final_received_on is None:
        return None
    return add_years(shipment.final_received_on, RECOVERY_LIMIT_YEARS)


def due_on(kind: str, shipment: Shipment) -> date | None:
    return {RECEIPT_OVERDUE: receipt_due, RECOVERY_OVERDUE: recovery_due, RETURN_OVERDUE: return_due,
            FINAL_RECOVERY_OVERDUE: final_recovery_due}[kind](shipment)


def is_late(due: date | None, done_on: date | None, today: date) -> bool:
    """Done after the due date, or not done and the due date has passed. The due day itself is in time."""
    if due is None:
        return False
    return (done_on or today) > due


def missed(shipment: Shipment, today: date) -> list[str]:
    """The deadlines this shipment is past today and still owes (for overdue flags on pages)."""
    kinds = []
    if shipment.receipt_confirmed_at is None and today > receipt_due(shipment):
        kinds.append(RECEIPT_OVERDUE)
    if shipment.status == RECEIVED and is_late(recovery_due(shipment), None, today):
        kinds.append(RECOVERY_OVERDUE)
    if shipment.returned_on is None and is_late(return_due(shipment), None, today):
        kinds.append(RETURN_OVERDUE)
    if shipment.status == FINAL_RECEIVED and is_late(final_recovery_due(shipment), None, today):
        kinds.append(FINAL_RECOVERY_OVERDUE)
    return kinds


def open_exception(session: Session, *, shipment: Shipment, kind: str, due: date,
                   today: date, **details) -> ShipmentException | None:
    """Open the exception unless this shipment already has one of this kind (then None).
    `details` are a return report's reason, quantity_kg and destination."""
    if _has_exception(session, shipment.id, kind):
        return None
    exception = ShipmentException(kind=kind, shipment_id=shipment.id, due_on=due, detected_on=today,
                                  **details)
    try:
        # A savepoint, so that losing a race with another sweep costs this row and not the caller's transaction.
        with session.begin_nested():
            session.add(exception)
            session.flush()
    except IntegrityError:
        return None
    audit.record(session, actor_id=None, action="shipment_exception.opened", entity="shipment_exception",
                 entity_id=exception.id,
                 after={"kind": kind, "shipment_id": shipment.id, "due_on": due, "detected_on": today,
                        **details})
    return exception


def _has_exception(session: Session, shipment_id: int, kind: str) -> bool:
    return session.exec(
        select(ShipmentException.id).where(ShipmentException.shipment_id == shipment_id,
                                           ShipmentException.kind == kind)
    ).first() is not None


def _without_exception(kind: str):
    return ~exists().where(ShipmentException.shipment_id == Shipment.id, ShipmentException.kind == kind)


def _latest_start_overdue(today: date, working_days: int) -> date:
    """The last arrival date whose receipt deadline is already past on `today`, counting
    weekends only: holidays only move a deadline later, so this bound takes in every shipment
    late by its own calendar (`missed` then decides exactly)."""
    day = today - timedelta(days=1)
    while add_working_days(day, working_days) >= today:
        day -= timedelta(days=1)
    return day


def _candidates(today: date):
    """Per kind, a query narrowing to shipments that may be late (exactness is checked in Python)."""
    receipt = select(Shipment).where(
        Shipment.status == IN_TRANSIT,
        Shipment.expected_arrival_on <= _latest_start_overdue(today, RECEIPT_WORKING_DAYS),
        _without_exception(RECEIPT_OVERDUE))
    recovery = select(Shipment).where(
        Shipment.status == RECEIVED,
        Shipment.received_on < add_years(today, -RECOVERY_LIMIT_YEARS),
        _without_exception(RECOVERY_OVERDUE))
    returned = select(Shipment).where(
        Shipment.refused_kg > 0,
        Shipment.returned_on.is_(None),
        Shipment.refused_on < today - timedelta(days=RETURN_DAYS),
        _without_exception(RETURN_OVERDUE))
    final = select(Shipment).where(
        Shipment.status == FINAL_RECEIVED,
        Shipment.final_received_on < add_years(today, -RECOVERY_LIMIT_YEARS),
        _without_exception(FINAL_RECOVERY_OVERDUE))
    return ((RECEIPT_OVERDUE, receipt), (RECOVERY_OVERDUE, recovery), (RETURN_OVERDUE, returned),
            (FINAL_RECOVERY_OVERDUE, final))


def sweep_deadlines(session: Session, today: date) -> list[ShipmentException]:
    """Open an exception for every deadline that has passed by `today`; return the ones opened.

    Flushes, never commits (the caller owns the transaction). Confirmations that come in
    late are caught when they are recorded (see services.shipments); the sweep finds the
    ones that have not come in at all.
    """
    opened = []
    for kind, query in _candidates(today):
        for shipment in session.exec(query.order_by(Shipment.id)).all():
            if kind not in missed(shipment, today):
                continue
            exception = open_exception(session, shipment=shipment, kind=kind,
                                       due=due_on(kind, shipment), today=today)
            if exception is not None:
                opened.append(exception)
    return opened
