"""Shipments as CSV, streamed a batch of rows at a time so that a million rows never sit in memory.

The export reads on a connection of its own rather than the request's session: on SQLite it
begins DEFERRED, so a long download never holds the write lock, and on PostgreSQL
`yield_per` makes it a server-side cursor.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from flask import Response, stream_with_context
from sqlalchemy import Select, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from facility_registry.models import Facility
from permits.accounts.models import Organization, User
from permits.core.db import READ_ONLY_OPTION
from permits.core.ids import is_record_id
from permits.permitting.models import Permit
from permits.shipments.models import Shipment
from permits.shipments.queries import not_found, only_visible_to, visible_permit
from permits.shipments.state import invalid
from standards import problems
from standards.messages import N_, Message
from standards.vocabulary import OVERSEERS, kg_to_exact_tonnes

BATCH = 1000

COLUMNS = (
    "shipment_id", "permit_number", "organization", "receiving_facility", "movement_document", "carrier",
    "quantity_tonnes", "departed_on", "expected_arrival_on", "status", "received_on", "received_tonnes",
    "discrepancy", "refused_on", "refused_tonnes", "refusal_reason", "returned_on", "completed_on",
    "operation_code",
)
# Text typed by people; a spreadsheet would run a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Scope:
    """Which shipments: those of one permit, one organization or one receiving facility."""

    permit_id: int | None = None
    organization_id: int | None = None
    facility_id: int | None = None

    def filename(self) -> str:
        for name in ("permit_id", "organization_id", "facility_id"):
            value = getattr(self, name)
            if value is not None:
                return f"shipments-{name.removesuffix('_id')}-{value}.csv"
        return "shipments.csv"


SCOPES = ("permit_id", "organization_id", "facility_id")


def scope_from(args: Mapping[str, str], *, actor: User) -> Scope:
    """One of `permit_id`, `organization_id`, `facility_id`; a shipper or facility user may omit
    it and gets their own organization's or facility's shipments."""
    given = {name: args[name] for name in SCOPES if args.get(name)}
    if not given and actor.role == "shipper":
        return Scope(organization_id=actor.organization_id)
    if not given and actor.role == "facility":
        return Scope(facility_id=actor.facility_id)
    if len(given) != 1:
        raise invalid("permit_id", Message.of("shipment.export_scope", N_(
            "give exactly one of permit_id, organization_id or facility_id")))
    name, raw = given.popitem()
    try:
        record_id = int(raw)
    except ValueError as exc:
        raise invalid(name, problems.problem(problems.WHOLE)) from exc
    if not is_record_id(record_id):  # no such record; SQLite could not even compare it
        raise not_found(name.removesuffix("_id"))
    return Scope(**{name: record_id})


def authorize(session: Session, *, actor: User, scope: Scope) -> None:
    """404 for a scope the actor may not see: another organization's permit, another facility."""
    if scope.permit_id is not None:
        visible_permit(session, actor=actor, permit_id=scope.permit_id)
    if actor.role in OVERSEERS:
        _require_exists(session, scope)
        return
    if scope.organization_id is not None and not (
            actor.role == "shipper" and scope.organization_id == actor.organization_id):
        raise not_found("organization")
    if scope.facility_id is not None and not (
            actor.role == "facility" and scope.facility_id == actor.facility_id):
        raise not_found("facility")


def _require_exists(session: Session, scope: Scope) -> None:
    """An overseer may export anyone's shipments, but of a record that exists: an empty CSV
    for a mistyped id would read as "nothing moved"."""
    for model, record_id, name in ((Organization, scope.organization_id, "organization"),
                                   (Facility, scope.facility_id, "facility")):
        if record_id is not None and session.get(model, record_id) is None:
            raise not_found(name)


def statement(*, actor: User, scope: Scope) -> Select:
    """The rows, as plain columns (no ORM objects), oldest first; always within what the actor may see."""
    query = (
        select(Shipment.id, Permit.number, Organization.name, Facility.name, Shipment.movement_document,
               Shipment.carrier, Shipment.quantity_kg, Shipment.departed_on, Shipment.expected_arrival_on,
               Shipment.status, Shipment.received_on, Shipment.received_kg, Shipment.discrepancy,
               Shipment.refused_on, Shipment.refused_kg, Shipment.refusal_reason, Shipment.returned_on,
               Shipment.completed_on, Shipment.recovery_operation_code)
        .join(Permit, Permit.id == Shipment.permit_id)
        .join(Organization, Organization.id == Permit.organization_id)
        .join(Facility, Facility.id == Permit.receiving_facility_id)
        .order_by(Shipment.id)
    )
    if scope.permit_id is not None:
        query = query.where(Shipment.permit_id == scope.permit_id)
    if scope.organization_id is not None:
        query = query.where(Permit.organization_id == scope.organization_id)
    if scope.facility_id is not None:
        query = query.where(Permit.receiving_facility_id == scope.facility_id)
    # Belt and braces behind `authorize`: a shipper's or facility's export never leaves its own rows.
    return only_visible_to(actor, query)


def _tonnes(kg: int | None) -> str:
    return "" if kg is None else format(kg_to_exact_tonnes(kg), "f")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _line(row) -> list[str]:
    (shipment_id, number, organization, facility, document, carrier, quantity_kg, departed, expected,
     status, received_on, received_kg, discrepancy, refused_on, refused_kg, reason, returned_on,
     completed_on, operation) = row
    return [
        str(shipment_id), _cell(number), _cell(organization), _cell(facility), _cell(document),
        _cell(carrier), _tonnes(quantity_kg), _cell(departed), _cell(expected), status, _cell(received_on),
        _tonnes(received_kg), _cell(discrepancy), _cell(refused_on), _tonnes(refused_kg or None),
        _cell(reason), _cell(returned_on), _cell(completed_on), _cell(operation),
    ]


def _render(lines: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return buffer.getvalue()


def csv_chunks(engine: Engine, query: Select, *, batch: int = BATCH) -> Iterator[str]:
    """The header, then one chunk of CSV text per batch of rows; the query runs at the first chunk."""
    yield _render([list(COLUMNS)])
    with engine.execution_options(**{READ_ONLY_OPTION: True}).connect() as connection:
        result = connection.execution_options(yield_per=batch).execute(query)
        for rows in result.partitions():
            yield _render(_line(row) for row in rows)


def csv_response(engine: Engine, query: Select, scope: Scope) -> Response:
    response = Response(stream_with_context(csv_chunks(engine, query)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{scope.filename()}"'
    return response
