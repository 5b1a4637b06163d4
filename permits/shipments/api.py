"""Shipments over the API: log under a permit, confirm receipt, refusal, recovery and return,
list missed deadlines and resolve them, export as CSV."""
from __future__ import annotations

from collections import namedtuple
from typing import Literal

from flask import current_app, request
from pydantic import Field
from sqlalchemy import select

from permits.accounts.auth import api_user
from permits.api import json_text
from permits.api.blueprint import api
from permits.api.common import json_answer, page_answer, page_asked, paginate
from permits.api.endpoint import endpoint
from permits.api.shapes import (
    Body,
    Day,
    InDate,
    Number,
    Page,
    Public,
    Query,
    Timestamp,
    WholeNumber,
)
from permits.core import db
from permits.shipments import deadlines, export
from permits.shipments import services as service
from permits.shipments.models import EXCEPTION_KINDS, SHIPMENT_STATUSES, Shipment, ShipmentException
from permits.shipments.queries import (
    PAGE_SEEN,
    PAGE_SEEN_AFTER,
    exceptions_visible_to,
    visible_page,
    visible_shipment,
)
from standards import clock
from standards.vocabulary import kg_to_tonnes

_TONNES = {"exclusiveMinimum": 0, "description": "metric tonnes, at most 3 decimals"}


def _tonnes(kg: int | None) -> float | None:
    return None if kg is None else kg_to_tonnes(kg)


# Shapes ----------------------------------------------------------------------------------

class ShipmentCreate(Body):
    quantity_tonnes: Number = Field(json_schema_extra=_TONNES)
    departed_on: InDate
    expected_arrival_on: InDate | None = Field(None, description="defaults to the departure date")
    movement_document: str = Field(description="unique", json_schema_extra={"maxLength": 64})
    carrier: str = Field(description="one of the permit's transporters")


class Receipt(Body):
    received_on: InDate
    quantity_tonnes: Number = Field(json_schema_extra={**_TONNES, "description": "what arrived"})
    refused_tonnes: Number | None = Field(None, description="part of what arrived that is refused",
                                          json_schema_extra={"minimum": 0})
    refusal_reason: str | None = Field(None, json_schema_extra={"maxLength": 1000})


class Refusal(Body):
    refused_on: InDate
    reason: str = Field(json_schema_extra={"maxLength": 1000})


class Recovery(Body):
    completed_on: InDate
    operation_code: str = Field(description="the permit's operation")


class Return(Body):
    returned_on: InDate
    reason: str | None = Field(None, description="why it came back (default: the refusal's reason)",
                               json_schema_extra={"maxLength": 2000})
    new_destination: str | None = Field(None, description="where the load goes now (default: its origin)",
                                        json_schema_extra={"maxLength": 500})


class ExceptionResolution(Body):
    note: str = Field(json_schema_extra={"maxLength": 2000})


class ShipmentPublic(Public):
    id: int
    permit_id: int
    movement_document: str
    carrier: str
    quantity_tonnes: float
    departed_on: Day
    expected_arrival_on: Day
    status: Literal[SHIPMENT_STATUSES]
    received_on: Day | None
    received_tonnes: float | None
    discrepancy: bool = Field(description="received differs from shipped beyond the tolerance")
    refused_on: Day | None
    refused_tonnes: float | None
    refusal_reason: str | None
    returned_on: Day | None
    completed_on: Day | None
    operation_code: str | None
    # After an interim operation: the final facility's receipt and its recovery or disposal.
    final_received_on: Day | None = None
    final_received_tonnes: float | None = None
    final_completed_on: Day | None = None
    final_operation_code: str | None = None
    overdue: list[Literal[EXCEPTION_KINDS]]
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, shipment: Shipment) -> ShipmentPublic:
        return cls(
            **{name: getattr(shipment, name) for name in (
                "id", "permit_id", "movement_document", "carrier", "departed_on", "expected_arrival_on",
                "status", "received_on", "discrepancy", "refused_on", "refusal_reason", "returned_on",
                "completed_on", "created_at", "updated_at", "final_received_on", "final_completed_on",
                "final_operation_code")},
            final_received_tonnes=_tonnes(shipment.final_received_kg),
            quantity_tonnes=_tonnes(shipment.quantity_kg), received_tonnes=_tonnes(shipment.received_kg),
            refused_tonnes=_tonnes(shipment.refused_kg), operation_code=shipment.recovery_operation_code,
            overdue=deadlines.missed(shipment, clock.today()))


class ShipmentExceptionPublic(Public):
    id: int
    kind: Literal[EXCEPTION_KINDS]
    status: Literal["open", "resolved"]
    shipment_id: int
    movement_document: str
    permit_id: int
    permit_number: str | None
    due_on: Day
    detected_on: Day
    resolved_at: Timestamp | None
    resolution_note: str | None
    reason: str | None = Field(None, description="a return's report: why it came back")
    quantity_tonnes: float | None = None
    destination: str | None = None

    @classmethod
    def of(cls, row) -> ShipmentExceptionPublic:
        exception, shipment, permit = row
        return cls(id=exception.id, kind=exception.kind, status="open" if exception.is_open else "resolved",
                   shipment_id=shipment.id, movement_document=shipment.movement_document,
                   permit_id=permit.id, permit_number=permit.number, due_on=exception.due_on,
                   detected_on=exception.detected_on, resolved_at=exception.resolved_at,
                   resolution_note=exception.resolution_note, reason=exception.reason,
                   quantity_tonnes=_tonnes(exception.quantity_kg), destination=exception.destination)


class ExceptionFilter(Query):
    status: Literal["open", "resolved", "all"] = "open"


class ExportScope(Query):
    permit_id: WholeNumber | None = None
    organization_id: WholeNumber | None = None
    facility_id: WholeNumber | None = None


# Routes ----------------------------------------------------------------------------------

_CONFIRMATION = {"returns": ShipmentPublic, "errors": (404, 409)}


@api.post("/v1/permits/<int:permit_id>/shipments")
@endpoint("shipper", status=201, body=ShipmentCreate, returns=ShipmentPublic, errors=(409,))
def log_shipment(permit_id: int, body: ShipmentCreate):
    """Log a shipment under the caller's organization's approved permit"""
    shipment = service.log_shipment(
        db.session(), actor=api_user(), permit_id=permit_id,
        quantity_kg=service.kg_from_tonnes(body.quantity_tonnes), departed_on=body.departed_on,
        # API.md's contract predates the expected arrival: without one, the load is due the day it left.
        expected_arrival_on=body.expected_arrival_on or body.departed_on,
        movement_document=body.movement_document, carrier=body.carrier, today=clock.today(),
    )
    return ShipmentPublic.of(shipment)


def shipment_json(row, today) -> dict:
    """`ShipmentPublic.of(row)`'s JSON, written directly from a plain row (no model validated
    per item): the list's fifty items. tests/shipments/test_list_shape.py holds the two equal."""
    s = _Plain._make(row)  # a row's attributes by name cost a microsecond each; a tuple's do not
    return {
        "id": s.id, "permit_id": s.permit_id, "movement_document": s.movement_document,
        "carrier": s.carrier, "quantity_tonnes": kg_to_tonnes(s.quantity_kg),
        "departed_on": s.departed_on.isoformat(), "expected_arrival_on": s.expected_arrival_on.isoformat(),
        "status": s.status, "received_on": s.received_on and s.received_on.isoformat(),
        "received_tonnes": None if s.received_kg is None else kg_to_tonnes(s.received_kg),
        "discrepancy": s.discrepancy, "refused_on": s.refused_on and s.refused_on.isoformat(),
        "refused_tonnes": None if s.refused_kg is None else kg_to_tonnes(s.refused_kg),
        "refusal_reason": s.refusal_reason, "returned_on": s.returned_on and s.returned_on.isoformat(),
        "completed_on": s.completed_on and s.completed_on.isoformat(),
        "operation_code": s.recovery_operation_code,
        "final_received_on": s.final_received_on and s.final_received_on.isoformat(),
        "final_received_tonnes": (None if s.final_received_kg is None
                                  else kg_to_tonnes(s.final_received_kg)),
        "final_completed_on": s.final_completed_on and s.final_completed_on.isoformat(),
        "final_operation_code": s.final_operation_code,
        "overdue": deadlines.missed(s, today),
        "created_at": s.created_at.isoformat(), "updated_at": s.updated_at.isoformat(),
    }


@api.get("/v1/permits/<int:permit_id>/shipments")
@endpoint(returns=Page[ShipmentPublic], paged=True)
def list_permit_shipments(permit_id: int):
    """The permit's shipments, newest first"""
    session = db.session()
    statements, params, limit = page_asked(PAGE_SEEN, PAGE_SEEN_AFTER, {"permit_id": permit_id})
    permit, rows = visible_page(session, actor=api_user(), statements=statements, params=params)
    # Plain rows, not model instances, written as JSON directly: a page is only read, and the
    # unit of work's bookkeeping and a shape's validation of fifty items cost more than the page.
    # Each row's text is kept under the row as read and the day (its overdue flags): a page read
    # again and again converts and encodes only the rows that changed.
    today = clock.today()
    dialect = session.get_bind().dialect

    def item(row):
        return _ITEMS.get((today, row), lambda: shipment_json(_ROW.convert(dialect, row), today))

    return json_answer(page_answer(rows, limit=limit, total=permit.shipments, serialize=item))


_SHIPMENT = Shipment.__table__
# Compiled once: how a shipment row as read converts (the page itself is read by PAGE_SEEN).
_ROW = db.Prepared(select(*_SHIPMENT.c))
assert _SHIPMENT.c[0].name == "id"
_Plain = namedtuple("_Plain", [column.name for column in _SHIPMENT.c])
_ITEMS = json_text.KeptText()


@api.get("/v1/shipments/<int:shipment_id>")
@endpoint(returns=ShipmentPublic)
def get_shipment(shipment_id: int):
    """One shipment"""
    shipment, _permit = visible_shipment(db.session(), actor=api_user(), shipment_id=shipment_id)
    return ShipmentPublic.of(shipment)


@api.post("/v1/shipments/<int:shipment_id>/receipt")
@endpoint("facility", "inspector", body=Receipt, **_CONFIRMATION)
def confirm_receipt(shipment_id: int, body: Receipt):
    """Confirm receipt (the receiving facility's users, or an inspector); part may be refused"""
    refused = body.refused_tonnes
    shipment = service.receive_shipment(
        db.session(), actor=api_user(), shipment_id=shipment_id, received_on=body.received_on,
        received_kg=service.kg_from_tonnes(body.quantity_tonnes),
        refused_kg=service.kg_from_tonnes(refused, field="refused_tonnes") if refused not in (None, 0) else 0,
        refusal_reason=body.refusal_reason,
        tolerance_percent=current_app.config["PARITY_RECEIPT_TOLERANCE_PERCENT"], today=clock.today(),
    )
    return ShipmentPublic.of(shipment)


@api.post("/v1/shipments/<int:shipment_id>/refusal")
@endpoint("facility", "inspector", body=Refusal, **_CONFIRMATION)
def confirm_refusal(shipment_id: int, body: Refusal):
    """Refuse the whole load (the receiving facility's users, or an inspector)"""
    shipment = service.refuse_shipment(
        db.session(), actor=api_user(), shipment_id=shipment_id, refused_on=body.refused_on,
        reason=body.reason, today=clock.today())
    return ShipmentPublic.of(shipment)


@api.post("/v1/shipments/<int:shipment_id>/recovery")
@endpoint("facility", "inspector", body=Recovery, **_CONFIRMATION)
def confirm_recovery(shipment_id: int, body: Recovery):
    """Confirm recovery or disposal by the permit's operation (the receiving facility's users, or an inspector)"""
    shipment = service.recover_shipment(
        db.session(), actor=api_user(), shipment_id=shipment_id, completed_on=body.completed_on,
        operation_code=body.operation_code, today=clock.today())
    return ShipmentPublic.of(shipment)


@api.post("/v1/shipments/<int:shipment_id>/return")
@endpoint("shipper", "inspector", body=Return, **_CONFIRMATION)
def confirm_return(shipment_id: int, body: Return):
    """Confirm that the refused quantity is back (the shipper, or an inspector)"""
    shipment = service.return_shipment(
        db.session(), actor=api_user(), shipment_id=shipment_id, returned_on=body.returned_on,
        today=clock.today(), reason=body.reason, new_destination=body.new_destination)
    return ShipmentPublic.of(shipment)


@api.get("/v1/shipment-exceptions")
@endpoint(query=ExceptionFilter, returns=Page[ShipmentExceptionPublic], paged=True)
def list_exceptions(query: ExceptionFilter):
    """Missed shipment deadlines: all for inspectors, one's own for shippers and facilities"""
    return paginate(exceptions_visible_to(api_user(), state=query.status), ShipmentException.id,
                    ShipmentExceptionPublic.of)


@api.post("/v1/shipment-exceptions/<int:exception_id>/resolve")
@endpoint("inspector", body=ExceptionResolution, returns=ShipmentExceptionPublic, errors=(404, 409))
def resolve_exception(exception_id: int, body: ExceptionResolution):
    """Resolve a missed deadline with a note (inspector)"""
    session = db.session()
    exception = service.resolve_exception(session, actor=api_user(), exception_id=exception_id,
                                          note=body.note)
    rows = exceptions_visible_to(api_user(), state="all").where(ShipmentException.id == exception.id)
    return ShipmentExceptionPublic.of(session.exec(rows).one())


@api.get("/v1/shipments/export")
@endpoint(query=ExportScope, errors=(404,),
          media={"text/csv": {"schema": {"type": "string"}}})
def export_shipments(query: ExportScope):
    """Shipments of a permit, an organization or a facility as CSV (streamed)"""
    actor = api_user()
    scope = export.scope_from(request.args, actor=actor)
    export.authorize(db.session(), actor=actor, scope=scope)
    return export.csv_response(db.engine(), export.statement(actor=actor, scope=scope), scope)
