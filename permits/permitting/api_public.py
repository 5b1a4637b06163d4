"""The public register of permits: numbers, statuses, decisions and their hashes, no personal data.

No token is needed. Who applied, the transporters and the origin's name are left out; the
receiving facility is a registered business and is named.
"""
from __future__ import annotations

from typing import Any

from flask import request
from sqlmodel import select

from facility_registry.models import Facility
from permits.api import openapi
from permits.api.blueprint import api
from permits.api.common import paginate
from permits.api.endpoint import endpoint
from permits.api.errors import validation_failed
from permits.core import db
from permits.permitting import decisions
from permits.permitting.api_shapes import iso
from permits.permitting.decision_models import Decision
from permits.permitting.models import PERMIT_STATUSES, Permit
from standards.errors import NotFound
from standards.vocabulary import kg_to_tonnes as tonnes

PUBLIC_STATUSES = tuple(s for s in PERMIT_STATUSES if s != "draft")


def public_permit(permit: Permit, facility: Facility, decision: Decision | None, *,
                  full: bool = False) -> dict[str, Any]:
    body = {
        "number": permit.number,
        "status": permit.status,
        "byproduct": permit.byproduct,
        "waste_codes": permit.waste_codes,
        "quantity_tonnes": tonnes(permit.quantity_kg),
        "used_tonnes": tonnes(permit.used_kg),
        "shipments_planned": permit.shipments_planned,
        "valid_from": iso(permit.valid_from),
        "valid_to": iso(permit.valid_to),
        "operation_code": permit.operation_code,
        "origin_country": (permit.origin or {}).get("country"),
        "transit_countries": (permit.route or {}).get("transit_countries", []),
        "receiving_facility": {"id": facility.id, "name": facility.name,
                               "country": facility.country, "status": facility.status},
        "decision": None,
    }
    if decision is not None:
        body["decision"] = {
            "outcome": decision.outcome, "decided_at": iso(decision.decided_at),
            "standards_version": decision.standards_version,
            "record_hash": decision.record_hash, "reasons": decision.reasons}
        if full:
            recomputed = decisions.record_hash(decision)
            body["decision"].update(checks=decision.checks, rules=decision.rules)
            body["verification"] = {"record_hash": decision.record_hash,
                                    "recomputed_hash": recomputed,
                                    "matches": recomputed == decision.record_hash}
    return body


@api.get("/v1/public/permits")
@endpoint(is_public=True)
def public_permits():
    statement = (select(Permit, Facility).join(Facility, Facility.id == Permit.receiving_facility_id)
                 .where(Permit.status != "draft"))
    status = request.args.get("status")
    if status:
        if status not in PUBLIC_STATUSES:
            raise validation_failed({"status": [f"must be one of {', '.join(PUBLIC_STATUSES)}"]})
        statement = statement.where(Permit.status == status)
    page = paginate(statement, Permit.id, lambda row: row)
    standing = decisions.current_decisions(db.session(), [p.id for p, _ in page["items"]])
    page["items"] = [public_permit(p, f, standing.get(p.id)) for p, f in page["items"]]
    return page


@api.get("/v1/public/permits/<number>")
@endpoint(is_public=True)
def public_permit_by_number(number: str):
    session = db.session()
    row = session.exec(
        select(Permit, Facility).join(Facility, Facility.id == Permit.receiving_facility_id)
        .where(Permit.number == number, Permit.status != "draft")).first()
    if row is None:
        raise NotFound(f"No permit numbered {number}.")
    permit, facility = row
    return public_permit(permit, facility, decisions.current_decision(session, permit.id),
                         full=True)


_PUBLIC_DECISION = {
    "type": ["object", "null"],
    "required": ["outcome", "decided_at", "standards_version", "record_hash", "reasons"],
    "properties": {
        "outcome": {"type": "string", "enum": ["approved", "denied", "under_review"]},
        "decided_at": {"type": "string", "format": "date-time"},
        "standards_version": {"type": "string"},
        "record_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "reasons": {"type": "array", "items": {"type": "string"}},
        "checks": {"type": "array", "items": {"$ref": "#/components/schemas/Check"}},
        "rules": {"type": "array", "items": {"$ref": "#/components/schemas/Rule"}},
    },
}
_PUBLIC_PERMIT = {
    "type": "object",
    "required": ["number", "status", "byproduct", "quantity_tonnes", "valid_from", "valid_to",
                 "receiving_facility", "decision"],
    "additionalProperties": False,
    "properties": {
        "number": {"type": "string"}, "status": {"type": "string", "enum": list(PUBLIC_STATUSES)},
        "byproduct": {"type": "string"}, "waste_codes": {"type": "array", "items": {"type": "string"}},
        "quantity_tonnes": {"type": "number"}, "used_tonnes": {"type": "number"},
        "shipments_planned": {"type": "integer"},
        "valid_from": {"type": "string", "format": "date"},
        "valid_to": {"type": "string", "format": "date"},
        "operation_code": {"type": "string"}, "origin_country": {"type": ["string", "null"]},
        "transit_countries": {"type": "array", "items": {"type": "string"}},
        "receiving_facility": {"type": "object", "required": ["id", "name", "country", "status"],
                               "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                              "country": {"type": "string"},
                                              "status": {"type": "string"}}},
        "decision": _PUBLIC_DECISION,
        "verification": {"type": "object", "required": ["record_hash", "recomputed_hash", "matches"],
                         "properties": {"record_hash": {"type": "string"},
                                        "recomputed_hash": {"type": "string"},
                                        "matches": {"type": "boolean"}}},
    },
}

OPENAPI = {
    "paths": {
        "/api/v1/public/permits": {"get": {
            "summary": "The public register of permits and their decisions (no token)",
            "security": [],
            "parameters": [{"name": "status", "in": "query",
                            "schema": {"type": "string", "enum": list(PUBLIC_STATUSES)}},
                           {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                           {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": openapi.json_response(
                "a page of the register", openapi.page_of("#/components/schemas/PublicPermit")),
                **openapi.error_responses(400, 422)}}},
        "/api/v1/public/permits/{number}": {"get": {
            "summary": "One permit, its checks, and whether its decision record still verifies",
            "security": [],
            "parameters": [{"name": "number", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": openapi.json_response(
                "the permit", {"$ref": "#/components/schemas/PublicPermit"}),
                **openapi.error_responses(404)}}},
    },
    "schemas": {"PublicPermit": _PUBLIC_PERMIT},
}
