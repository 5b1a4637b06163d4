"""The one place a shipment changes: logging it under a permit's caps, and each confirmation.

Every function is keyword-only, takes the session and the acting user, validates, changes
state, writes its audit entry and flushes; the caller commits once. `today` is passed in
(the web and the API pass the UTC date) so that deadlines and "not in the future" are testable.

The permit's caps are enforced by ONE conditional UPDATE that adds the shipment to the
permit's running totals only while they stay within the permit: concurrent requests
serialize on the permit's row (PostgreSQL) or on the write lock (SQLite), and each
re-checks the caps against the totals the others left. A refused quantity that comes back
is NOT given back to the cap: the permit consented to so much leaving, and a load that left
and returned still left (conservative; a new notice is the way to ship more).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import bindparam, exists, func, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from facility_registry.models import Facility
from permits.accounts.models import User
from permits.audit import chain as audit
from permits.consents import waits as consent_waits
from permits.core import db
from permits.permitting import holds
from permits.permitting.models import Permit
from permits.shipments import deadlines
from permits.shipments.models import Shipment, ShipmentException
from permits.shipments.queries import (
    can_confirm,
    can_confirm_final,
    can_confirm_return,
    can_see,
    forbidden,
    not_found,
)
from permits.shipments.state import (
    FIELD_SENTENCE,
    INTERIM_COMPLETED,
    FacilityNotEquivalent,
    conflict,
    invalid,
    next_state,
)
from standards import codes, problems
from standards.clock import utcnow
from standards.errors import Conflict, ValidationFailed, WrongType
from standards.messages import N_, Message, define
from standards.vocabulary import KG_PER_TONNE, kg_to_tonnes, tonnes_to_kg

MAX_SHIPMENT_KG = 1_000_000_000  # a million tonnes: beyond any load, and within a 32-bit column
# The longest text each kind of field takes (the model's column widths).
DOCUMENT_LENGTH, REASON_LENGTH, NOTE_LENGTH, DESTINATION_LENGTH = 64, 1000, 2000, 500


def kg_from_tonnes(value: Any, *, field: str = "quantity_tonnes") -> int:
    """Tonnes as given (a number, up to 3 decimals) to the whole kilograms they are stored as."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise WrongType(Message(FIELD_SENTENCE, {"field": field, "problem": problems.problem(problems.NUMBER)}),
                        {field: [problems.problem(problems.NUMBER)]})
    try:
        tonnes = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise invalid(field, problems.problem(problems.NUMBER)) from exc
    if not tonnes.is_finite() or tonnes <= 0:
        raise invalid(field, problems.problem(problems.GREATER_THAN, minimum=0))
    # The ceiling before any arithmetic: "1e999999" tonnes overflows Decimal's context.
    if tonnes > MAX_SHIPMENT_KG // KG_PER_TONNE:
        raise invalid(field, Message.of("application.max_tonnes", N_("must be at most %(max)s tonnes"),
                                        max=MAX_SHIPMENT_KG // KG_PER_TONNE))
    # Exact comparison: multiplying a tiny "1e-999999" into kilograms would underflow to 0 kg.
    if tonnes != tonnes.quantize(Decimal("0.001")):
        raise invalid(field, Message.of("shipment.decimals", N_("must have at most 3 decimals (whole kilograms)")))
    return tonnes_to_kg(tonnes)


def _text(value: str | None, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise invalid(field, problems.problem(problems.REQUIRED))
    if len(value) > limit:
        raise invalid(field, problems.problem(problems.TOO_LONG, max=limit))
    return value


# "cannot be before the departure (2026-11-02)", by what comes first.
_NOT_BEFORE = {
    "departure": define("shipment.before_departure", N_("cannot be before the departure (%(date)s)")),
    "receipt": define("shipment.before_receipt", N_("cannot be before the receipt (%(date)s)")),
    "refusal": define("shipment.before_refusal", N_("cannot be before the refusal (%(date)s)")),
    "interim_completion": define("shipment.before_interim_completion",
                                 N_("cannot be before the interim operation's completion (%(date)s)")),
    "final_receipt": define("shipment.before_final_receipt",
                            N_("cannot be before the final facility's receipt (%(date)s)")),
}


def _date_between(value: date, field: str, *, earliest: date | None, earliest_name: str, today: date) -> date:
    if value > today:
        raise invalid(field, problems.problem(problems.NOT_FUTURE))
    if earliest is not None and value < earliest:
        raise invalid(field, Message(_NOT_BEFORE[earliest_name], {"date": earliest.isoformat()}))
    return value


# Logging a shipment ---------------------------------------------------------------------

def log_shipment(
    session: Session,
    *,
    actor: User,
    permit_id: int,
    quantity_kg: int,
    departed_on: date,
    expected_arrival_on: date,
    movement_document: str,
    carrier: str,
    today: date,
) -> Shipment:
    """Log a load before it leaves, under the actor's organization's permit, within its quantity
    and shipment caps; `departed_on` is its planned departure (today or later)."""
    if actor.role != "shipper":
        raise forbidden(Message.of("shipment.only_shipper", N_("Only the permit's shipper logs its shipments.")))
    permit, region = _permit_and_region(session, actor=actor, permit_id=permit_id)
    document = _text(movement_document, "movement_document", DOCUMENT_LENGTH)
    carrier_name = _carrier_on_permit(permit, carrier)
    if not 0 < quantity_kg <= MAX_SHIPMENT_KG:
        raise invalid("quantity_tonnes", problems.problem(problems.GREATER_THAN, minimum=0))
    # A load is logged before it leaves (the movement document travels with it): its planned
    # departure is today or later, and within the permit's validity (the caps' UPDATE checks that).
    if departed_on < today:
        raise invalid("departed_on", Message.of("shipment.departure_past", N_(
            "must be today or later (today is %(date)s): log a load before it leaves"),
            date=today.isoformat()))
    if expected_arrival_on < departed_on:
        raise invalid("expected_arrival_on", Message.of("shipment.arrival_before_departure", N_("cannot be before the departure")))

    # The order matters on PostgreSQL. The row first: it locks nothing others wait for. The
    # audit entry second: it takes the audit chain's lock, which every audited write takes. The
    # capped UPDATE last: it locks the permit's row until commit. Taking the chain's lock before
    # the row's is the order the registry's cascades take them in (a facility's suspension audits,
    # then suspends its permits), so the two can never wait on each other in a deadlock.
    values = _new_shipment(
        permit_id=permit.id, movement_document=document, carrier=carrier_name, quantity_kg=quantity_kg,
        departed_on=departed_on, expected_arrival_on=expected_arrival_on, logged_by_id=actor.id,
        holiday_region=region,
    )
    session.flush()  # anything pending first (the audit entry records what was written before it)
    connection = session.connection()
    after = {"permit_id": permit.id, "movement_document": document, "carrier": carrier_name,
             "quantity_kg": quantity_kg, "departed_on": departed_on,
             "expected_arrival_on": expected_arrival_on, "status": values["status"]}
    caps = {"permit_id": permit.id, "kg": quantity_kg, "departed_on": departed_on, "now": utcnow()}
    # The hot statements go on the DBAPI cursor (permits.core.db.Prepared). If the caps refuse the
    # load, the transaction rolls back, and the audit entry with it.
    integrity_error = connection.dialect.dbapi.IntegrityError
    try:
        if connection.dialect.name == "postgresql":
            # One round trip, the writer lock sent first: the row, its entry linked to the chain
            # in SQL (the row's id read back with currval), the capped UPDATE.
            entry = audit.linked_entry(actor_id=actor.id, action="shipment.logged",
                                       entity="shipment", after=after, id_in_sql=True)
            inserted, linked, taken = db.run_together(connection, [
                (_INSERT_SHIPMENT, values), (_LINKED_ENTRY, entry), (_TAKE_FROM_CAPS, caps)])
            entry_id, entry = linked[0][0], audit.linked_values(entry, linked[0])
        else:  # two by two: the row and the chain's head, then the entry and the capped UPDATE
            inserted, head = db.run_together(connection, [(_INSERT_SHIPMENT, values), (audit.HEAD, {})])
            entry = audit.next_entry(head[0] if head else None, actor_id=actor.id,
                                     action="shipment.logged", entity="shipment",
                                     entity_id=inserted[0][0], after=after)
            written, taken = db.run_together(connection, [(audit.INSERT, entry), (_TAKE_FROM_CAPS, caps)])
            entry_id = written[0][0]
    except integrity_error as exc:  # the unique index is the check: no read-then-insert race
        if "movement_document" not in str(exc):
            raise
        raise invalid("movement_document", Message.of("shipment.document_used", N_("is already used by another shipment"))) from exc
    values["id"] = inserted[0][0]
    shipment = db.detached(Shipment, values)  # as if loaded: its id is the row's
    audit.appended(session, entry_id, entry)
    facilities = _take_from_caps(session, permit=permit, kg=quantity_kg, departed_on=departed_on,
                                 row=taken[0] if taken else None)
    # Continuous equivalence, checked last: the capped UPDATE holds the permit's row, so an
    # evidence change that puts the permit on hold commits either before this reads the evidence
    # (and is seen) or after this shipment (which then left while the facility still met). The
    # facilities' stamps come from that UPDATE, so a verdict remembered under them is the one
    # the evidence would give now.
    _require_equivalence(session, permit=permit, departed_on=departed_on, facilities=facilities)
    return shipment


# The shipment's audit entry on PostgreSQL, linked in SQL; the id is the row's just inserted.
_LINKED_ENTRY = audit.linked_insert(entity_id=func.currval(func.pg_get_serial_sequence("shipment", "id")))
_SHIPMENT_KEYS = tuple(column.key for column in Shipment.__table__.c if column.key != "id")
_INSERT_SHIPMENT = db.Prepared(insert(Shipment.__table__).returning(Shipment.__table__.c.id),
                               keys=_SHIPMENT_KEYS)
# Each column's default as the model declares it (a factory is called per row, as the model's
# constructor calls it).
_SHIPMENT_DEFAULTS = {key: Shipment.model_fields[key] for key in _SHIPMENT_KEYS}


def _new_shipment(**given) -> dict:
    """A new shipment's every column but its id: `given`, the model's defaults for the rest."""
    values = {}
    for key, field in _SHIPMENT_DEFAULTS.items():
        if key in given:
            values[key] = given[key]
        elif field.default_factory is not None:
            values[key] = field.default_factory()
        else:
            values[key] = field.default
    return values


# The permit with its receiving facility's calendar, in one query (built once: it runs on every
# shipment). Only the columns logging a load reads: the permit comes back detached, and one of
# the others (its origin, route, hold's reasons and checks, timestamps) would raise
# DetachedInstanceError if read, never a stale value.
_PERMIT_COLUMNS = tuple(column for column in Permit.__table__.c if column.key not in {
    "waste_codes", "origin", "route", "hold_reasons", "hold_checks", "status_reason",
    "created_at", "updated_at", "submitted_at"})
_PERMIT_KEYS = tuple(column.key for column in _PERMIT_COLUMNS)
_PERMIT_AND_FACILITY = db.Prepared(
    select(*_PERMIT_COLUMNS, Facility.country).join(Facility, Facility.id == Permit.receiving_facility_id)
    .where(Permit.id == bindparam("permit_id"))
)


def _permit_and_region(session: Session, *, actor: User, permit_id: int) -> tuple[Permit, str | None]:
    """The permit `actor` may see (else 404) and whose public holidays its loads' deadlines skip.

    What is read here (who may see the permit, its transporters, the standards it was decided
    on, its facilities) does not change once it is approved; what does (its status, validity,
    consent, totals, the facility's status) the capped UPDATE checks again in the transaction.
    So on SQLite the read goes before the transaction, on a pooled connection of its own (one
    SELECT reads one snapshot): SQLite's one write lock is then held only for the writes. On
    PostgreSQL it is the transaction's first statement, and locks nothing."""
    params = {"permit_id": permit_id}
    bind = session.get_bind()
    if bind.dialect.name == "sqlite" and isinstance(bind, Engine) and not session.in_transaction():
        pooled = bind.raw_connection()
        try:
            row = _PERMIT_AND_FACILITY.first_on(bind.dialect, pooled.dbapi_connection, params)
        finally:
            pooled.close()
    else:
        row = _PERMIT_AND_FACILITY.first(session.connection(), params)
    if row is None:
        raise not_found("permit")
    permit = db.detached(Permit, dict(zip(_PERMIT_KEYS, row, strict=False)))
    if not can_see(actor, permit):
        raise not_found("permit")
    # Facilities record no province or state yet: the calendar is the country's.
    return permit, deadlines.region_of(row[-1])


def _require_equivalence(session: Session, *, permit: Permit, departed_on: date,
                         facilities: list[tuple] | None = None) -> None:
    """409 `facility_not_equivalent` with the checks not met on the departure date."""
    unmet = holds.unmet_checks(session, permit, departed_on, facilities=facilities)
    if not unmet:
        return
    listed = "; ".join(holds.reasons_for(unmet)[:5])
    raise FacilityNotEquivalent(
        f"On {departed_on.isoformat()} the permit's facility does not meet every standard the "
        f"permit was decided on: {listed}.",
        {"departed_on": [f"the facility is not U.S.-equivalent on {departed_on.isoformat()}"]},
        checks=unmet)


def _carrier_on_permit(permit: Permit, carrier: str | None) -> str:
    """The transporter as the permit names it; a carrier not on the permit needs a new notice."""
    wanted = (carrier or "").strip().casefold()
    names = [str(t.get("name", "")).strip() for t in permit.transporters or []]
    for name in names:
        if name and name.casefold() == wanted:
            return name
    if not wanted:
        raise invalid("carrier", problems.problem(problems.REQUIRED))
    listed = ", ".join(n for n in names if n) or "none"
    raise invalid("carrier", Message.of("shipment.carrier", N_(
        "must be one of the permit's transporters (%(listed)s)"), listed=listed))


def _facility_facts(facility_id, name: str):
    """What the shipment-time check keys its remembered verdict on (`verdicts`), read with the
    capped UPDATE: in the same statement, so as the check's own reads would see it."""
    return [select(column).where(Facility.id == facility_id).scalar_subquery().label(f"{name}_{label}")
            for label, column in (("stamp", Facility.equivalence_stamp), ("processes", Facility.processes))]


# The cap, as ONE conditional UPDATE: the WHERE clause is the check, evaluated by the database
# against the row as the previous writer left it (never read-then-write in Python). Built once,
# with bound parameters, because it runs on every shipment.
_TAKE_FROM_CAPS = db.Prepared(
    update(Permit)
    .where(
        Permit.id == bindparam("permit_id"),
        Permit.status == "approved",
        # No load moves before every country asked has consented, nor after a consent ran out.
        Permit.consent_status == "granted",
        or_(Permit.consent_until.is_(None), Permit.consent_until >= bindparam("departed_on")),
        exists().where(Facility.id == Permit.receiving_facility_id, Facility.status == "active"),
        Permit.valid_from <= bindparam("departed_on"),
        Permit.valid_to >= bindparam("departed_on"),
        Permit.used_kg + bindparam("kg") <= Permit.quantity_kg,
        Permit.shipments_used + 1 <= Permit.shipments_planned,
    )
    .values(used_kg=Permit.used_kg + bindparam("kg"), shipments_used=Permit.shipments_used + 1,
            updated_at=bindparam("now"))
    .returning(Permit.used_kg, Permit.shipments_used, Permit.receiving_facility_id,
               Permit.final_facility_id, *_facility_facts(Permit.receiving_facility_id, "receiving"),
               *_facility_facts(Permit.final_facility_id, "final"))
)


def _take_from_caps(session: Session, *, permit: Permit, kg: int, departed_on: date,
                    row: tuple | None) -> list[tuple]:
    """The load added to the permit's totals (`row`: what _TAKE_FROM_CAPS, run on the session's
    connection, returned), or which rule stopped it; the facts of the permit's facilities the
    shipment-time check keys on."""
    if row is None:
        raise _why_refused(session, permit_id=permit.id, kg=kg, departed_on=departed_on)
    (used_kg, shipments_used, receiving_id, final_id, receiving_stamp, receiving_processes,
     final_stamp, final_processes) = row
    set_committed_value(permit, "used_kg", used_kg)
    set_committed_value(permit, "shipments_used", shipments_used)
    facilities = [(receiving_id, receiving_stamp, tuple(holds.as_list(receiving_processes)))]
    if final_id is not None:
        facilities.append((final_id, final_stamp, tuple(holds.as_list(final_processes))))
    return facilities


def _why_refused(session: Session, *, permit_id: int, kg: int, departed_on: date) -> Conflict:
    # Read afresh: the UPDATE saw the newest committed totals, and so must the explanation.
    current = session.execute(
        select(Permit.status, Permit.valid_from, Permit.valid_to, Permit.quantity_kg, Permit.used_kg,
               Permit.shipments_planned, Permit.shipments_used, Permit.consent_status,
               Permit.consent_until, Facility.status.label("facility_status"))
        .join(Facility, Facility.id == Permit.receiving_facility_id)
        .where(Permit.id == permit_id)
    ).one()
    if current.status == "on_hold":
        held = session.execute(select(Permit.hold_since, Permit.hold_reasons)
                               .where(Permit.id == permit_id)).one()
        why = "; ".join(held.hold_reasons or [])
        return conflict("permit_not_active", Message.of("shipment.permit_on_hold", N_(
            "The permit is on hold since %(since)s: its facility no longer meets every standard "
            "it was decided on (%(why)s); shipments need an approved permit."),
            since=held.hold_since, why=why))
    if current.status != "approved":
        return conflict("permit_not_active", Message.of("shipment.permit_not_active", N_(
            "The permit is %(status)s; shipments need an approved permit."), status=current.status))
    refusal = _consent_refusal(session, permit_id, current.consent_status, current.consent_until,
                               departed_on)
    if refusal is not None:
        return refusal
    if current.facility_status != "active":
        return conflict("facility_suspended", Message.of("shipment.facility_not_active", N_(
            "The receiving facility is %(status)s; nothing may be shipped to it."),
            status=current.facility_status))
    if not current.valid_from <= departed_on <= current.valid_to:
        return Conflict(Message.of("shipment.outside_validity", N_(
            "The permit is valid from %(valid_from)s to %(valid_to)s; a departure on %(departed_on)s "
            "is outside it."), valid_from=str(current.valid_from), valid_to=str(current.valid_to),
            departed_on=str(departed_on)),
            {"departed_on": [Message.of("shipment.outside_validity_field", N_(
                "is outside the permit's validity"))]}, code="outside_validity")
    if current.used_kg + kg > current.quantity_kg:
        remaining = kg_to_tonnes(current.quantity_kg - current.used_kg)
        return Conflict(Message.of("shipment.quantity_exceeded", N_(
            "The permit allows %(allowed)s t and %(used)s t have been shipped; %(remaining)s t "
            "remain, less than %(tonnes)s t."), allowed=float(kg_to_tonnes(current.quantity_kg)),
            used=float(kg_to_tonnes(current.used_kg)), remaining=float(remaining),
            tonnes=float(kg_to_tonnes(kg))),
            {"quantity_tonnes": [Message.of("shipment.remaining", N_(
                "at most %(remaining)s t remain on the permit"), remaining=float(remaining))]},
            code="quantity_exceeded")
    if current.shipments_used + 1 > current.shipments_planned:
        return conflict("shipments_exceeded", Message.of("shipment.all_logged", N_(
            "All %(count)s shipments the permit allows have been logged."),
            count=current.shipments_planned))
    return conflict("permit_changed", Message.of("shipment.permit_changed", N_(
        "The permit changed while the shipment was being logged; try again.")))


def _consent_refusal(session: Session, permit_id: int, status: str, until: date | None,
                     departed_on: date) -> Conflict | None:
    if status == "objected":
        return conflict("consent_objected", Message.of("shipment.consent_objected", N_(
            "A country objected to this permit (%(objection)s); no load may move under it."),
            objection=consent_waits.objection(session, permit_id)))
    if status != "granted":
        return conflict("consent_pending", Message.of("shipment.consent_pending", N_(
            "The permit waits for the consent of %(countries)s; no load may move before every one "
            "has consented."), countries=", ".join(consent_waits.pending_countries(
                session, [permit_id]).get(permit_id, [])) or "—"))
    if until is not None and departed_on > until:
        return Conflict(Message.of("shipment.consent_expired", N_(
            "A consent runs out on %(valid_to)s; a departure on %(departed_on)s needs it renewed."),
            valid_to=until.isoformat(), departed_on=departed_on.isoformat()),
            {"departed_on": [Message.of("shipment.consent_expired_field", N_(
                "is after the consent's end, %(valid_to)s"), valid_to=until.isoformat())]},
            code="consent_pending")
    return None


# Confirmations --------------------------------------------------------------------------

def _locked_row(session: Session, model, row_id: int):
    """The row, locked on PostgreSQL (SQLite's write transaction already serializes) and read
    afresh even if the session holds it: the checks that follow must see the committed state."""
    return session.execute(
        select(model).where(model.id == row_id)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _locked(session: Session, shipment_id: int) -> tuple[Shipment, Permit]:
    shipment = _locked_row(session, Shipment, shipment_id)
    if shipment is None:
        raise not_found()
    return shipment, session.get(Permit, shipment.permit_id)


def _confirmable(session: Session, *, actor: User, shipment_id: int, may,
                 event: str) -> tuple[Shipment, Permit, str]:
    """The locked shipment, its permit, and the status `event` moves it to, if `actor` may."""
    shipment, permit = _locked(session, shipment_id)
    if not may(actor, permit):
        # 403 even to those who cannot see the shipment: a confirmation is refused for who
        # is asking, and the design fixes that answer.
        raise forbidden(_WHO_CONFIRMS[may])
    return shipment, permit, next_state(shipment, event)


_WHO_CONFIRMS = {
    can_confirm: "Only the receiving facility's own users, or an inspector, confirm this shipment.",
    can_confirm_final: "Only the final facility's own users, or an inspector, confirm what it "
                       "received after the interim operation.",
    can_confirm_return: "Only the permit's shipper, or an inspector, confirms that a refused load is back.",
}


_TRACKED = ("status", "received_on", "received_kg", "discrepancy", "refused_on", "refused_kg",
            "refusal_reason", "returned_on", "completed_on", "recovery_operation_code",
            "final_received_on", "final_received_kg", "final_completed_on", "final_operation_code")


def _snapshot(shipment: Shipment) -> dict[str, Any]:
    return {name: getattr(shipment, name) for name in _TRACKED}


def _confirm(session: Session, *, actor: User, shipment: Shipment, changes: dict[str, Any],
             action: str, deadline: str | None, done_on: date, today: date,
             reason: str | None = None) -> Shipment:
    """Write one confirmation: its changes, its audit entry (the tracked fields that moved),
    and a deadline exception when it came after `deadline` was due."""
    before = _snapshot(shipment)
    for name, value in changes.items():
        setattr(shipment, name, value)
    shipment.updated_at = utcnow()
    session.add(shipment)
    session.flush()
    after = _snapshot(shipment)
    changed = [name for name in _TRACKED if before[name] != after[name]]
    audit.record(session, actor_id=actor.id, action=action, entity="shipment", entity_id=shipment.id,
                 before={n: before[n] for n in changed}, after={n: after[n] for n in changed}, reason=reason)
    due = deadlines.due_on(deadline, shipment) if deadline else None
    if deadlines.is_late(due, done_on, today):
        deadlines.open_exception(session, shipment=shipment, kind=deadline, due=due, today=today)
    return shipment


def is_discrepancy(*, shipped_kg: int, received_kg: int, tolerance_percent: float) -> bool:
    """More than `tolerance_percent` of the shipped quantity missing or extra; the tolerance itself is fine."""
    return abs(received_kg - shipped_kg) * 100 > Decimal(str(tolerance_percent)) * shipped_kg


def receive_shipment(
    session: Session,
    *,
    actor: User,
    shipment_id: int,
    received_on: date,
    received_kg: int,
    tolerance_percent: float,
    today: date,
    refused_kg: int = 0,
    refusal_reason: str | None = None,
) -> Shipment:
    """Confirm receipt of what arrived; part of it may be refused at once (a partial refusal)."""
    shipment, _permit, target = _confirmable(session, actor=actor, shipment_id=shipment_id,
                                             may=can_confirm, event="receive")
    _date_between(received_on, "received_on", earliest=shipment.departed_on,
                  earliest_name="departure", today=today)
    if received_kg <= 0:
        raise invalid("quantity_tonnes", problems.problem(problems.GREATER_THAN, minimum=0))
    if refused_kg < 0:
        raise invalid("refused_tonnes", Message.of("shipment.negative", N_("cannot be negative")))
    if refused_kg >= received_kg:
        raise invalid("refused_tonnes", Message.of("shipment.refused_too_much", N_(
            "must be less than the quantity received (to turn the whole load away, record a refusal)")))
    reason = _text(refusal_reason, "refusal_reason", REASON_LENGTH) if refused_kg else None

    changes = {"status": target, "received_on": received_on, "received_kg": received_kg,
               "discrepancy": is_discrepancy(shipped_kg=shipment.quantity_kg, received_kg=received_kg,
                                             tolerance_percent=tolerance_percent),
               "receipt_confirmed_at": utcnow()}
    if refused_kg:
        changes.update(refused_on=received_on, refused_kg=refused_kg, refusal_reason=reason)
    return _confirm(session, actor=actor, shipment=shipment, changes=changes,
                    action="shipment.received", reason=reason,
                    deadline=deadlines.RECEIPT_OVERDUE, done_on=today, today=today)


def refuse_shipment(
    session: Session, *, actor: User, shipment_id: int, refused_on: date, reason: str, today: date,
) -> Shipment:
    """The whole load is turned away at the gate; it must go back to the shipper."""
    shipment, _permit, target = _confirmable(session, actor=actor, shipment_id=shipment_id,
                                             may=can_confirm, event="refuse")
    _date_between(refused_on, "refused_on", earliest=shipment.departed_on,
                  earliest_name="departure", today=today)
    reason = _text(reason, "reason", REASON_LENGTH)

    changes = {"status": target, "refused_on": refused_on, "refused_kg": shipment.quantity_kg,
               "refusal_reason": reason, "receipt_confirmed_at": utcnow()}
    return _confirm(session, actor=actor, shipment=shipment, changes=changes,
                    action="shipment.refused", reason=reason,
                    deadline=deadlines.RECEIPT_OVERDUE, done_on=today, today=today)


def recover_shipment(
    session: Session, *, actor: User, shipment_id: int, completed_on: date, operation_code: str, today: date,
) -> Shipment:
    """The certificate of recovery or disposal, by the permit's own operation. After an interim
    operation the shipment stays open until the final facility confirms (see `interim`)."""
    shipment, permit, target = _confirmable(session, actor=actor, shipment_id=shipment_id,
                                            may=can_confirm, event="recover")
    if codes.is_interim(permit.operation_code):
        target = INTERIM_COMPLETED
    _date_between(completed_on, "completed_on", earliest=shipment.received_on,
                  earliest_name="receipt", today=today)
    code = (operation_code or "").strip().upper()
    if code != permit.operation_code:
        raise ValidationFailed(
            Message.of("shipment.operation_mismatch", N_("The permit is for operation %(operation)s, not %(given)s."),
                       operation=permit.operation_code, given=code or "none"),
            {"operation_code": [Message.of("shipment.operation_field", N_(
                "must be the permit's operation, %(operation)s"), operation=permit.operation_code)]},
            code="operation_mismatch")

    changes = {"status": target, "completed_on": completed_on, "recovery_operation_code": code,
               "recovery_confirmed_at": utcnow()}
    return _confirm(session, actor=actor, shipment=shipment, changes=changes,
                    action="shipment.recovered",
                    deadline=deadlines.RECOVERY_OVERDUE, done_on=today, today=today)


def return_shipment(
    session: Session, *, actor: User, shipment_id: int, returned_on: date, today: date,
    reason: str | None = None, new_destination: str | None = None,
) -> Shipment:
    """The refused quantity is back with the shipper (it is not given back to the permit's cap).

    Every return opens its exception report at once, late or not (262.83(e)): why the load came
    back (the refusal's reason unless another is given), how much, and where it goes now."""
    shipment, permit, target = _confirmable(session, actor=actor, shipment_id=shipment_id,
                                            may=can_confirm_return, event="return")
    _date_between(returned_on, "returned_on", earliest=shipment.refused_on,
                  earliest_name="refusal", today=today)
    why = _text(reason, "reason", NOTE_LENGTH) if (reason or "").strip() else shipment.refusal_reason
    origin = (permit.origin or {}).get("name") or "the shipper's site"
    destination = (_text(new_destination, "new_destination", DESTINATION_LENGTH)
                   if (new_destination or "").strip() else f"back to the origin: {origin}")

    # Late or not by the day the load came back, not by the day the return is recorded.
    returned = _confirm(session, actor=actor, shipment=shipment,
                        changes={"status": target, "returned_on": returned_on},
                        action="shipment.returned",
                        deadline=deadlines.RETURN_OVERDUE, done_on=returned_on, today=today)
    deadlines.open_exception(session, shipment=returned, kind=deadlines.RETURN_REPORTED,
                             due=deadlines.return_due(returned), today=today, reason=why,
                             quantity_kg=returned.refused_kg, destination=destination)
    return returned


# Exceptions ------------------------------------------------------------------------------

def resolve_exception(session: Session, *, actor: User, exception_id: int, note: str) -> ShipmentException:
    """An inspector closes a missed deadline, saying how it was settled."""
    if actor.role != "inspector":
        raise forbidden(Message.of("shipment.only_inspector", N_("Only an inspector resolves a shipment exception.")))
    exception = _locked_row(session, ShipmentException, exception_id)
    if exception is None:
        raise not_found("exception")
    if exception.resolved_at is not None:
        raise conflict("already_resolved", Message.of("shipment.already_resolved", N_("This exception is already resolved.")))
    note = _text(note, "note", NOTE_LENGTH)
    exception.resolved_at, exception.resolution_note, exception.resolved_by_id = utcnow(), note, actor.id
    session.add(exception)
    session.flush()
    audit.record(session, actor_id=actor.id, action="shipment_exception.resolved",
                 entity="shipment_exception", entity_id=exception.id,
                 before={"resolved": False}, after={"resolved": True}, reason=note)
    return exception
