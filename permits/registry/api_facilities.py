"""Facilities over the API: register, edit, list, read, status, eligibility, finder, carbon."""
from __future__ import annotations

from contextlib import contextmanager

from flask import request
from sqlmodel import select

from facility_registry import carbon, services
from facility_registry.eligibility import check_facility, find_facilities
from facility_registry.models import FACILITY_STATUSES, Facility
from permits.api import openapi
from permits.api.blueprint import api
from permits.api.common import json_body, page_limit, paginate, query_date
from permits.api.endpoint import endpoint
from permits.api.errors import validation_failed
from permits.core import db
from permits.registry.api_shapes import (
    SCHEMAS,
    actor,
    expect_types,
    facility_json,
    iso,
    require_own_facility,
)
from standards.clock import utcnow
from standards.errors import BadInput
from standards.vocabulary import COUNTRIES

FACILITY_TYPES = {"name": str, "country": str, "identifiers": dict, "address": str,
                  "operations": list, "accepts": list, "annual_capacity_tonnes": (int, float)}
IDENTIFIER_TYPES = {"epa_id": str, "semarnat_nra": str, "canada_id": str}


def _facility_fields(body: dict, *, partial: bool) -> dict:
    expect_types(body, FACILITY_TYPES)
    identifiers = body.get("identifiers") or {}
    expect_types(identifiers, IDENTIFIER_TYPES, prefix="identifiers.")
    fields = {k: body[k] for k in FACILITY_TYPES if k in body and k != "identifiers"}
    if "identifiers" in body or not partial:
        fields.update({k: identifiers.get(k) for k in IDENTIFIER_TYPES})
    unknown = sorted(set(body) - set(FACILITY_TYPES))
    if unknown:
        raise validation_failed({unknown[0]: ["is not a facility field"]})
    return fields


@contextmanager
def _identifiers_named_as_sent():
    """The registry names an identifier as the form's flat field (`epa_id`); this body nests
    it under `identifiers`, so an error names it `identifiers.epa_id`, as a wrong type does."""
    try:
        yield
    except BadInput as exc:  # not a 409: its fields name the facility's state
        exc.fields = {f"identifiers.{name}" if name in IDENTIFIER_TYPES else name: messages
                      for name, messages in exc.fields.items()}
        raise


@api.post("/v1/facilities")
@endpoint("admin", "inspector", status=201)
def create_facility():
    fields = _facility_fields(json_body(), partial=False)
    with _identifiers_named_as_sent():
        return facility_json(services.create_facility(db.session(), **actor(), **fields))


@api.patch("/v1/facilities/<int:facility_id>")
@endpoint("admin", "inspector")
def update_facility(facility_id: int):
    fields = _facility_fields(json_body(), partial=True)
    with _identifiers_named_as_sent():
        return facility_json(services.update_facility(db.session(), facility_id=facility_id,
                                                      **actor(), **fields))


@api.get("/v1/facilities")
@endpoint()
def list_facilities():
    statement = select(Facility)
    country, status = request.args.get("country"), request.args.get("status")
    if country:
        _one_of("country", country, COUNTRIES)
        statement = statement.where(Facility.country == country)
    if status:
        _one_of("status", status, FACILITY_STATUSES)
        statement = statement.where(Facility.status == status)
    byproduct = request.args.get("eligible_for")
    if byproduct:
        found = find_facilities(db.session(), byproduct=byproduct,
                                operation=request.args.get("operation") or None,
                                on=query_date() or utcnow().date(), country=country or None)
        statement = statement.where(Facility.id.in_([row.id for row, _ in found.eligible]))
    return paginate(statement, Facility.id, facility_json)


def _one_of(field: str, value: str, allowed) -> None:
    if value not in allowed:
        raise validation_failed({field: [f"must be one of {', '.join(allowed)}"]})


@api.get("/v1/facilities/<int:facility_id>")
@endpoint()
def get_facility(facility_id: int):
    session = db.session()
    facility = services.get_facility(session, facility_id)
    body = facility_json(facility)
    body["carbon"] = [{"year": r.year, "tonnes_co2e_per_tonne": r.tonnes_co2e_per_tonne,
                       "method": r.method} for r in carbon.reports_of(session, facility.id)]
    return body


@api.get("/v1/facilities/<int:facility_id>/eligibility")
@endpoint()
def facility_eligibility(facility_id: int):
    session = db.session()
    facility = services.get_facility(session, facility_id)
    byproduct = _required_arg("byproduct")
    on = query_date() or utcnow().date()
    result = check_facility(session, facility, byproduct, on,
                            operation=request.args.get("operation") or None)
    return {"facility_id": facility.id, "byproduct": byproduct, "on": on.isoformat(),
            **result.to_dict()}


def _required_arg(name: str) -> str:
    value = (request.args.get(name) or "").strip()
    if not value:
        raise validation_failed({name: ["is required"]}, f"{name} is required.")
    return value


@api.get("/v1/finder")
@endpoint()
def finder():
    """Where can I ship? Eligible facilities, then the others with why not (each list paged)."""
    byproduct, operation = _required_arg("byproduct"), _required_arg("operation")
    country = request.args.get("country") or None
    if country:
        _one_of("country", country, COUNTRIES)
    on = query_date() or utcnow().date()
    found = find_facilities(db.session(), byproduct=byproduct, operation=operation, on=on,
                            country=country)
    limit = page_limit()
    return {
        "byproduct": byproduct, "operation": operation, "on": on.isoformat(),
        "eligible": {"total": len(found.eligible), "items": [
            {"facility": _row_json(row)} for row, _ in found.eligible[:limit]]},
        "ineligible": {"total": len(found.ineligible), "items": [
            {"facility": _row_json(row), "reasons": list(reasons)}
            for row, reasons in found.ineligible[:limit]]},
    }


def _row_json(row) -> dict:
    return {"id": row.id, "name": row.name, "country": row.country, "status": row.status}


def _reason() -> str:
    body = json_body()
    expect_types(body, {"reason": str})
    return body.get("reason")


@api.post("/v1/facilities/<int:facility_id>/suspend")
@endpoint("admin", "inspector")
def suspend_facility(facility_id: int):
    return facility_json(services.suspend_facility(
        db.session(), facility_id=facility_id, reason=_reason(), **actor()))


@api.post("/v1/facilities/<int:facility_id>/reinstate")
@endpoint("admin", "inspector")
def reinstate_facility(facility_id: int):
    return facility_json(services.reinstate_facility(
        db.session(), facility_id=facility_id, reason=_reason(), **actor()))


@api.post("/v1/facilities/<int:facility_id>/revoke")
@endpoint("admin", "inspector")
def revoke_facility(facility_id: int):
    return facility_json(services.revoke_facility(
        db.session(), facility_id=facility_id, reason=_reason(), **actor()))


@api.post("/v1/facilities/<int:facility_id>/carbon")
@endpoint("admin", "inspector", "facility", status=201)
def report_carbon(facility_id: int):
    require_own_facility(facility_id)
    body = json_body()
    expect_types(body, {"year": int, "tonnes_co2e_per_tonne": (int, float), "method": str})
    report = services.record_carbon(db.session(), facility_id=facility_id, **actor(),
                                    year=body.get("year"),
                                    tonnes_co2e_per_tonne=body.get("tonnes_co2e_per_tonne"),
                                    method=body.get("method"))
    return {"id": report.id, "facility_id": report.facility_id, "year": report.year,
            "tonnes_co2e_per_tonne": report.tonnes_co2e_per_tonne, "method": report.method,
            "created_at": iso(report.created_at)}


_ID = {"name": "facility_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_REF = {"$ref": "#/components/schemas/Facility"}
_REASON_BODY = {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Reason"}}}}


def _transition_doc(summary: str) -> dict:
    return {"post": {"summary": summary, "parameters": [_ID], "requestBody": _REASON_BODY,
                     "responses": {"200": openapi.json_response("the facility", _REF),
                                   **openapi.error_responses(400, 401, 403, 404, 409, 422)}}}


OPENAPI = {
    "paths": {
        "/api/v1/facilities": {
            "post": {"summary": "Register a receiving facility (admin, inspector)",
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/FacilityInput"}}}},
                     "responses": {"201": openapi.json_response("the facility", _REF),
                                   **openapi.error_responses(400, 401, 403, 409, 422)}},
            "get": {"summary": "Facilities, newest first",
                    "parameters": [
                        {"name": "country", "in": "query", "schema": {"type": "string", "enum": list(COUNTRIES)}},
                        {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(FACILITY_STATUSES)}},
                        {"name": "eligible_for", "in": "query", "schema": {"type": "string"},
                         "description": "only facilities eligible for this byproduct"},
                        {"name": "operation", "in": "query", "schema": {"type": "string"}},
                        {"name": "on", "in": "query", "schema": {"type": "string", "format": "date"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                        {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": openapi.json_response("a page of facilities",
                                                               openapi.page_of("#/components/schemas/Facility")),
                                  **openapi.error_responses(400, 401, 422)}},
        },
        "/api/v1/facilities/{facility_id}": {
            "get": {"summary": "One facility, with its carbon reports", "parameters": [_ID],
                    "responses": {"200": openapi.json_response("the facility", _REF),
                                  **openapi.error_responses(401, 404)}},
            "patch": {"summary": "Edit a facility's descriptive fields (admin, inspector)",
                      "parameters": [_ID],
                      "requestBody": {"required": True, "content": {"application/json": {
                          "schema": {"$ref": "#/components/schemas/FacilityInput"}}}},
                      "responses": {"200": openapi.json_response("the facility", _REF),
                                    **openapi.error_responses(400, 401, 403, 404, 409, 422)}},
        },
        "/api/v1/facilities/{facility_id}/eligibility": {
            "get": {"summary": "May this facility receive this byproduct on this day, and why",
                    "parameters": [_ID,
                                   {"name": "byproduct", "in": "query", "required": True, "schema": {"type": "string"}},
                                   {"name": "on", "in": "query", "schema": {"type": "string", "format": "date"}},
                                   {"name": "operation", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": openapi.json_response(
                        "checks and reasons", {"$ref": "#/components/schemas/Eligibility"}),
                        **openapi.error_responses(400, 401, 404, 422)}},
        },
        "/api/v1/finder": {
            "get": {"summary": "Where can I ship? Eligible facilities and why the others are not",
                    "parameters": [
                        {"name": "byproduct", "in": "query", "required": True, "schema": {"type": "string"}},
                        {"name": "operation", "in": "query", "required": True, "schema": {"type": "string"}},
                        {"name": "country", "in": "query", "schema": {"type": "string"}},
                        {"name": "on", "in": "query", "schema": {"type": "string", "format": "date"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": openapi.json_response("the finder's answer", {
                        "type": "object", "required": ["eligible", "ineligible"],
                        "properties": {"byproduct": {"type": "string"}, "operation": {"type": "string"},
                                       "on": {"type": "string"},
                                       "eligible": {"type": "object"}, "ineligible": {"type": "object"}}}),
                        **openapi.error_responses(400, 401, 422)}},
        },
        "/api/v1/facilities/{facility_id}/suspend": _transition_doc("Suspend a facility"),
        "/api/v1/facilities/{facility_id}/reinstate": _transition_doc(
            "Reinstate a suspended facility (needs a later compliant inspection)"),
        "/api/v1/facilities/{facility_id}/revoke": _transition_doc("Revoke a facility (final)"),
        "/api/v1/facilities/{facility_id}/carbon": {
            "post": {"summary": "Report carbon intensity for a year (t CO2e per t processed)",
                     "parameters": [_ID],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "required": ["year", "tonnes_co2e_per_tonne", "method"],
                         "properties": {"year": {"type": "integer"},
                                        "tonnes_co2e_per_tonne": {"type": "number"},
                                        "method": {"type": "string"}}}}}},
                     "responses": {"201": openapi.json_response("the report", {"type": "object"}),
                                   **openapi.error_responses(400, 401, 403, 404, 409, 422)}},
        },
    },
    "schemas": SCHEMAS,
}
