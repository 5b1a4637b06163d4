"""Shipments over the API: log under a permit, confirm receipt, refusal, recovery and return,
list missed deadlines and resolve them, export as CSV."""
from __future__ import annotations

from typing import Any

from flask import current_app, request

from permits.accounts.auth import api_user
from permits.api import openapi
from permits.api.blueprint import api
from permits.api.common import json_body, paginate, parse_date
from permits.api.endpoint import endpoint
from permits.api.errors import validation_failed
from permits.core import db
from permits.shipments import deadlines, export
from permits.shipments import services as service
from permits.shipments.models import EXCEPTION_KINDS, Shipment, ShipmentException
from permits.shipments.queries import (
    exceptions_visible_to,
    shipments_of_permit,
    visible_permit,
    visible_shipment,
)
from standards import clock
from standards.errors import WrongType
from standards.vocabulary import kg_to_tonnes


def _tonnes(kg: int | None) -> float | None:
    return None if kg is None else kg_to_tonnes(kg)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def shipment_json(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.id,
        "permit_id": shipment.permit_id,
        "movement_document": shipment.movement_document,
        "carrier": shipment.carrier,
        "quantity_tonnes": _tonnes(shipment.quantity_kg),
        "departed_on": _iso(shipment.departed_on),
        "expected_arrival_on": _iso(shipment.expected_arrival_on),
        "status": shipment.status,
        "received_on": _iso(shipment.received_on),
        "received_tonnes": _tonnes(shipment.received_kg),
        "discrepancy": shipment.discrepancy,
        "refused_on": _iso(shipment.refused_on),
        "refused_tonnes": _tonnes(shipment.refused_kg),
        "refusal_reason": shipment.refusal_reason,
        "returned_on": _iso(shipment.returned_on),
        "completed_on": _iso(shipment.completed_on),
        "operation_code": shipment.recovery_operation_code,
        "overdue": deadlines.missed(shipment, clock.today()),
        "created_at": _iso(shipment.created_at),
        "updated_at": _iso(shipment.updated_at),
    }


def exception_json(row) -> dict[str, Any]:
    exception, shipment, permit = row
    return {
        "id": exception.id,
        "kind": exception.kind,
        "status": "open" if exception.is_open else "resolved",
        "shipment_id": shipment.id,
        "movement_document": shipment.movement_document,
        "permit_id": permit.id,
        "permit_number": permit.number,
        "due_on": _iso(exception.due_on),
        "detected_on": _iso(exception.detected_on),
        "resolved_at": _iso(exception.resolved_at),
        "resolution_note": exception.resolution_note,
    }


# Reading the body ------------------------------------------------------------------------

def _fields(required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """The body's fields: every missing required one named at once, unknown ones refused."""
    body = json_body()
    missing = {name: ["is required"] for name in required if body.get(name) in (None, "")}
    if missing:
        raise validation_failed(missing)
    unknown = sorted(set(body) - set(required) - set(optional))
    if unknown:
        raise validation_failed({unknown[0]: ["is not a field of this request"]})
    return body


def _text(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise WrongType(f"{name} must be a string.", {name: ["must be a string"]})
    return value


def _kg(body: dict, name: str) -> int:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WrongType(f"{name} must be a number of tonnes.", {name: ["must be a number"]})
    return service.kg_from_tonnes(value, field=name)


# Routes ----------------------------------------------------------------------------------

@api.post("/v1/permits/<int:permit_id>/shipments")
@endpoint("shipper", status=201)
def log_shipment(permit_id: int):
    body = _fields(("quantity_tonnes", "departed_on", "movement_document", "carrier"),
                   ("expected_arrival_on",))
    departed_on = parse_date(body["departed_on"], "departed_on")
    expected = body.get("expected_arrival_on")
    shipment = service.log_shipment(
        db.session(), actor=api_user(), permit_id=permit_id, quantity_kg=_kg(body, "quantity_tonnes"),
        departed_on=departed_on,
        # API.md's contract predates the expected arrival: without one, the load is due the day it left.
        expected_arrival_on=parse_date(expected, "expected_arrival_on") if expected else departed_on,
        movement_document=_text(body, "movement_document"), carrier=_text(body, "carrier"), today=clock.today(),
    )
    return shipment_json(shipment)


@api.get("/v1/permits/<int:permit_id>/shipments")
@endpoint()
def list_permit_shipments(permit_id: int):
    visible_permit(db.session(), actor=api_user(), permit_id=permit_id)
    return paginate(shipments_of_permit(permit_id), Shipment.id, shipment_json)


@api.get("/v1/shipments/<int:shipment_id>")
@endpoint()
def get_shipment(shipment_id: int):
    shipment, _permit = visible_shipment(db.session(), actor=api_user(), shipment_id=shipment_id)
    return shipment_json(shipment)


@api.post("/v1/shipments/<int:shipment_id>/receipt")
@endpoint("facility", "inspector")
def confirm_receipt(shipment_id: int):
    body = _fields(("received_on", "quantity_tonnes"), ("refused_tonnes", "refusal_reason"))
    refused = body.get("refused_tonnes")
    shipment = service.receive_shipment(
        db.session(), actor=api_user(), shipment_id=shipment_id,
        received_on=parse_date(body["received_on"], "received_on"), received_kg=_kg(body, "quantity_tonnes"),
        refused_kg=_kg(body, "refused_tonnes") if refused not in (None, 0) else 0,
        refusal_reason=_text(body, "refusal_reason"),
        tolerance_percent=current_app.config["PARITY_RECEIPT_TOLERANCE_PERCENT"], today=clock.today(),
    )
    return shipment_json(shipment)


@api.post("/v1/shipments/<int:shipment_id>/refusal")
@endpoint("facility", "inspector")
def confirm_refusal(shipment_id: int):
    body = _fields(("refused_on", "reason"))
    shipment = service.refuse_shipment(
        db.session(), actor=api_user(), shipment_id=shipment_id,
        refused_on=parse_date(body["refused_on"], "refused_on"), reason=_text(body, "reason"), today=clock.today(),
    )
    return shipment_json(shipment)


@api.post("/v1/shipments/<int:shipment_id>/recovery")
@endpoint("facility", "inspector")
def confirm_recovery(shipment_id: int):
    body = _fields(("completed_on", "operation_code"))
    shipment = service.recover_shipment(
        db.session(), actor=api_user(), shipment_id=shipment_id,
        completed_on=parse_date(body["completed_on"], "completed_on"),
        operation_code=_text(body, "operation_code"), today=clock.today(),
    )
    return shipment_json(shipment)


@api.post("/v1/shipments/<int:shipment_id>/return")
@endpoint("shipper", "inspector")
def confirm_return(shipment_id: int):
    body = _fields(("returned_on",))
    shipment = service.return_shipment(
        db.session(), actor=api_user(), shipment_id=shipment_id,
        returned_on=parse_date(body["returned_on"], "returned_on"), today=clock.today(),
    )
    return shipment_json(shipment)


@api.get("/v1/shipment-exceptions")
@endpoint()
def list_exceptions():
    state = request.args.get("status", "open")
    if state not in ("open", "resolved", "all"):
        raise validation_failed({"status": ["must be one of open, resolved, all"]})
    return paginate(exceptions_visible_to(api_user(), state=state), ShipmentException.id, exception_json)


@api.post("/v1/shipment-exceptions/<int:exception_id>/resolve")
@endpoint("inspector")
def resolve_exception(exception_id: int):
    body = _fields(("note",))
    session = db.session()
    exception = service.resolve_exception(session, actor=api_user(), exception_id=exception_id,
                                          note=_text(body, "note"))
    rows = exceptions_visible_to(api_user(), state="all").where(ShipmentException.id == exception.id)
    return exception_json(session.exec(rows).one())


@api.get("/v1/shipments/export")
@endpoint()
def export_shipments():
    actor = api_user()
    scope = export.scope_from(request.args, actor=actor)
    export.authorize(db.session(), actor=actor, scope=scope)
    return export.csv_response(db.engine(), export.statement(actor=actor, scope=scope), scope)


# The contract ----------------------------------------------------------------------------

def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _id_param(name: str) -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}]


def _post(summary: str, *, param: str, body: str, status: int = 200, answer: str = "Shipment",
          errors: tuple[int, ...] = (409, 422)) -> dict[str, Any]:
    return {"post": {
        "summary": summary,
        "parameters": _id_param(param) + [{"name": "Idempotency-Key", "in": "header", "required": False,
                                           "schema": {"type": "string", "maxLength": 255}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref(body)}}},
        "responses": {str(status): openapi.json_response(summary, _ref(answer)),
                      **openapi.error_responses(400, 401, 403, 404, *errors)},
    }}


_DATE = {"type": "string", "format": "date"}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
_TONNES = {"type": "number", "exclusiveMinimum": 0, "description": "metric tonnes, at most 3 decimals"}
_NULLABLE_TONNES = {"type": ["number", "null"], "minimum": 0}

OPENAPI = {
    "paths": {
        "/api/v1/permits/{permit_id}/shipments": {
            **_post("Log a shipment under the caller's organization's approved permit",
                    param="permit_id", body="ShipmentCreate", status=201),
            "get": {
                "summary": "The permit's shipments, newest first",
                "parameters": _id_param("permit_id") + [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": openapi.json_response("shipments", openapi.page_of("#/components/schemas/Shipment")),
                              **openapi.error_responses(401, 404)},
            },
        },
        "/api/v1/shipments/{shipment_id}": {"get": {
            "summary": "One shipment",
            "parameters": _id_param("shipment_id"),
            "responses": {"200": openapi.json_response("the shipment", _ref("Shipment")),
                          **openapi.error_responses(401, 404)},
        }},
        "/api/v1/shipments/{shipment_id}/receipt": _post(
            "Confirm receipt (the receiving facility's users, or an inspector); part may be refused",
            param="shipment_id", body="Receipt"),
        "/api/v1/shipments/{shipment_id}/refusal": _post(
            "Refuse the whole load (the receiving facility's users, or an inspector)",
            param="shipment_id", body="Refusal"),
        "/api/v1/shipments/{shipment_id}/recovery": _post(
            "Confirm recovery or disposal by the permit's operation (the receiving facility's users, "
            "or an inspector)", param="shipment_id", body="Recovery"),
        "/api/v1/shipments/{shipment_id}/return": _post(
            "Confirm that the refused quantity is back (the shipper, or an inspector)",
            param="shipment_id", body="Return"),
        "/api/v1/shipment-exceptions": {"get": {
            "summary": "Missed shipment deadlines: all for inspectors, one's own for shippers and facilities",
            "parameters": [{"name": "status", "in": "query",
                            "schema": {"type": "string", "enum": ["open", "resolved", "all"], "default": "open"}},
                           *openapi.PAGE_PARAMETERS],
            "responses": {"200": openapi.json_response(
                "exceptions", openapi.page_of("#/components/schemas/ShipmentException")),
                **openapi.error_responses(401, 422)},
        }},
        "/api/v1/shipment-exceptions/{exception_id}/resolve": _post(
            "Resolve a missed deadline with a note (inspector)", param="exception_id",
            body="ExceptionResolution", answer="ShipmentException"),
        "/api/v1/shipments/export": {"get": {
            "summary": "Shipments of a permit, an organization or a facility as CSV (streamed)",
            "parameters": [{"name": n, "in": "query", "schema": {"type": "integer"}} for n in export.SCOPES],
            "responses": {"200": {"description": "CSV, one row per shipment",
                                  "content": {"text/csv": {"schema": {"type": "string"}}}},
                          **openapi.error_responses(401, 404, 422)},
        }},
    },
    "schemas": {
        "ShipmentCreate": {
            "type": "object",
            "required": ["quantity_tonnes", "departed_on", "movement_document", "carrier"],
            "additionalProperties": False,
            "properties": {
                "quantity_tonnes": _TONNES,
                "departed_on": _DATE,
                "expected_arrival_on": {**_DATE, "description": "defaults to the departure date"},
                "movement_document": {"type": "string", "maxLength": 64, "description": "unique"},
                "carrier": {"type": "string", "description": "one of the permit's transporters"},
            },
        },
        "Receipt": {
            "type": "object", "required": ["received_on", "quantity_tonnes"], "additionalProperties": False,
            "properties": {"received_on": _DATE, "quantity_tonnes": {**_TONNES, "description": "what arrived"},
                           "refused_tonnes": {"type": "number", "minimum": 0,
                                              "description": "part of what arrived that is refused"},
                           "refusal_reason": {"type": "string", "maxLength": 1000}},
        },
        "Refusal": {
            "type": "object", "required": ["refused_on", "reason"], "additionalProperties": False,
            "properties": {"refused_on": _DATE, "reason": {"type": "string", "maxLength": 1000}},
        },
        "Recovery": {
            "type": "object", "required": ["completed_on", "operation_code"], "additionalProperties": False,
            "properties": {"completed_on": _DATE,
                           "operation_code": {"type": "string", "description": "the permit's operation"}},
        },
        "Return": {
            "type": "object", "required": ["returned_on"], "additionalProperties": False,
            "properties": {"returned_on": _DATE},
        },
        "ExceptionResolution": {
            "type": "object", "required": ["note"], "additionalProperties": False,
            "properties": {"note": {"type": "string", "maxLength": 2000}},
        },
        "Shipment": {
            "type": "object",
            "required": ["id", "permit_id", "movement_document", "carrier", "quantity_tonnes", "departed_on",
                         "expected_arrival_on", "status", "discrepancy", "overdue"],
            "properties": {
                "id": {"type": "integer"}, "permit_id": {"type": "integer"},
                "movement_document": {"type": "string"}, "carrier": {"type": "string"},
                "quantity_tonnes": {"type": "number"}, "departed_on": _DATE, "expected_arrival_on": _DATE,
                "status": {"type": "string", "enum": ["in_transit", "received", "refused", "recovered", "returned"]},
                "received_on": _NULLABLE_DATE, "received_tonnes": _NULLABLE_TONNES,
                "discrepancy": {"type": "boolean", "description": "received differs from shipped beyond the tolerance"},
                "refused_on": _NULLABLE_DATE, "refused_tonnes": _NULLABLE_TONNES,
                "refusal_reason": {"type": ["string", "null"]}, "returned_on": _NULLABLE_DATE,
                "completed_on": _NULLABLE_DATE, "operation_code": {"type": ["string", "null"]},
                "overdue": {"type": "array", "items": {"type": "string", "enum": list(EXCEPTION_KINDS)}},
                "created_at": {"type": "string"}, "updated_at": {"type": "string"},
            },
        },
        "ShipmentException": {
            "type": "object",
            "required": ["id", "kind", "status", "shipment_id", "due_on", "detected_on"],
            "properties": {
                "id": {"type": "integer"}, "kind": {"type": "string", "enum": list(EXCEPTION_KINDS)},
                "status": {"type": "string", "enum": ["open", "resolved"]},
                "shipment_id": {"type": "integer"}, "movement_document": {"type": "string"},
                "permit_id": {"type": "integer"}, "permit_number": {"type": ["string", "null"]},
                "due_on": _DATE, "detected_on": _DATE, "resolved_at": {"type": ["string", "null"]},
                "resolution_note": {"type": ["string", "null"]},
            },
        },
    },
}
