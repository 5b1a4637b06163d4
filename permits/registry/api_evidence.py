"""Evidence over the API: record, list with its history, correct (supersede), verify, queue."""
from __future__ import annotations

import base64
import re

from flask import request

from facility_registry import services
from facility_registry.evidence import get_evidence, history
from permits.api import openapi
from permits.api.blueprint import api
from permits.api.common import bad_cursor, json_body, page_limit
from permits.api.endpoint import endpoint
from permits.core import db
from permits.core.ids import MAX_ID
from permits.registry.api_shapes import actor, evidence_json, expect_types, require_own_facility
from standards.errors import ValidationFailed

EVIDENCE_TYPES = {"standard": str, "kind": str, "value": (int, float, bool, str),
                  "unit": str, "basis": str, "observed_on": str, "source": str}


def _evidence_body(*, correction: bool = False) -> dict:
    body = json_body()
    types = {**EVIDENCE_TYPES, "reason": str} if correction else EVIDENCE_TYPES
    expect_types(body, types)
    unknown = sorted(set(body) - set(types))
    if unknown:
        raise ValidationFailed(f"{unknown[0]} is not an evidence field.",
                       {unknown[0]: ["is not an evidence field"]})
    return body


@api.post("/v1/facilities/<int:facility_id>/evidence")
@endpoint("admin", "inspector", "facility", status=201)
def record_evidence(facility_id: int):
    require_own_facility(facility_id)
    body = _evidence_body()
    entry = services.record_evidence(db.session(), facility_id=facility_id, **actor(), **body)
    return evidence_json(entry)


@api.get("/v1/facilities/<int:facility_id>/evidence")
@endpoint()
def list_evidence(facility_id: int):
    session = db.session()
    services.get_facility(session, facility_id)
    rows = history(session, facility_id)
    standard = request.args.get("standard")
    items = [evidence_json(e, by) for e, by in rows if not standard or e.standard_code == standard]
    return {"items": items, "total": len(items), "next": None}


@api.post("/v1/evidence/<int:evidence_id>/supersede")
@endpoint("admin", "inspector", "facility", status=201)
def supersede_evidence(evidence_id: int):
    session = db.session()
    require_own_facility(get_evidence(session, evidence_id).facility_id)
    body = _evidence_body(correction=True)
    reason = body.pop("reason", None)
    entry = services.supersede_evidence(session, evidence_id=evidence_id, reason=reason,
                                        **actor(), **body)
    return evidence_json(entry)


@api.post("/v1/evidence/<int:evidence_id>/verify")
@endpoint("admin", "inspector")
def verify_evidence(evidence_id: int):
    return evidence_json(services.verify_evidence(db.session(), evidence_id=evidence_id, **actor()))


@api.get("/v1/evidence/unverified")
@endpoint("admin", "inspector")
def unverified_evidence():
    """The inspectors' queue: standing unverified entries, oldest first."""
    limit, offset = page_limit(), _offset()
    rows, total = services.unverified_queue(db.session(), limit=limit, offset=offset)
    items = [{**evidence_json(entry), "facility_name": facility.name} for entry, facility in rows]
    more = offset + len(rows) < total
    return {"items": items, "total": total, "next": _cursor(offset + len(rows)) if more else None}


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset() -> int:
    raw = request.args.get("cursor")
    if not raw:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(raw.encode()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        raise bad_cursor() from None
    # An offset this API gave out is a row count: digits, and never past the id range.
    if kind != "offset" or not re.fullmatch(r"[0-9]{1,10}", value) or int(value) > MAX_ID:
        raise bad_cursor()
    return int(value)


_EVIDENCE = {"$ref": "#/components/schemas/Evidence"}
_BODY = {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/EvidenceInput"}}}}
_FACILITY_ID = {"name": "facility_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_EVIDENCE_ID = {"name": "evidence_id", "in": "path", "required": True, "schema": {"type": "integer"}}

OPENAPI = {
    "paths": {
        "/api/v1/facilities/{facility_id}/evidence": {
            "post": {"summary": "Record a binding limit or a measurement (a facility user's stays "
                                "unverified until an inspector verifies it)",
                     "parameters": [_FACILITY_ID], "requestBody": _BODY,
                     "responses": {"201": openapi.json_response("the entry", _EVIDENCE),
                                   **openapi.error_responses(400, 401, 403, 404, 422)}},
            "get": {"summary": "Every entry of a facility, superseded ones included",
                    "parameters": [_FACILITY_ID, {"name": "standard", "in": "query",
                                                  "schema": {"type": "string"}}],
                    "responses": {"200": openapi.json_response("the history",
                                                               openapi.page_of("#/components/schemas/Evidence")),
                                  **openapi.error_responses(401, 404)}},
        },
        "/api/v1/evidence/{evidence_id}/supersede": {
            "post": {"summary": "Correct an entry: a new entry that supersedes it, with a reason",
                     "parameters": [_EVIDENCE_ID],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "allOf": [{"$ref": "#/components/schemas/EvidenceInput"},
                                   {"type": "object", "required": ["reason"],
                                    "properties": {"reason": {"type": "string"}}}]}}}},
                     "responses": {"201": openapi.json_response("the correction", _EVIDENCE),
                                   **openapi.error_responses(400, 401, 403, 404, 409, 422)}},
        },
        "/api/v1/evidence/{evidence_id}/verify": {
            "post": {"summary": "Verify an entry (inspector, admin)", "parameters": [_EVIDENCE_ID],
                     "responses": {"200": openapi.json_response("the entry", _EVIDENCE),
                                   **openapi.error_responses(401, 403, 404, 409)}},
        },
        "/api/v1/evidence/unverified": {
            "get": {"summary": "Unverified entries still standing, oldest first",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}},
                                   {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": openapi.json_response("the queue",
                                                               openapi.page_of("#/components/schemas/Evidence")),
                                  **openapi.error_responses(400, 401, 403)}},
        },
    },
}
