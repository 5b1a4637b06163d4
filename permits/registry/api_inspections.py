"""Inspections and enforcement cases over the API (inspectors), and the public register."""
from __future__ import annotations

import base64
import binascii

from sqlmodel import select

from facility_registry import services
from facility_registry.inspections import (
    attachments_of,
    cases_of,
    findings_of,
    inspections_of,
)
from facility_registry.models import EnforcementCase, Facility, Inspection
from permits.api import openapi
from permits.api.blueprint import api
from permits.api.common import json_body, paginate
from permits.api.endpoint import endpoint
from permits.core import db
from permits.registry.api_shapes import actor, case_json, expect_types, iso
from standards.errors import WrongType

INSPECTION_TYPES = {"inspected_on": str, "outcome": str, "findings": list, "summary": str,
                    "attachments": list}
FINDING_TYPES = {"standard": str, "value": (int, float, bool, str), "unit": str, "basis": str}


def _uploads(raw: list) -> list[services.Upload]:
    uploads = []
    for i, item in enumerate(raw or []):
        field = f"attachments[{i}]"
        if not isinstance(item, dict):
            raise WrongType(f"{field} must be an object.", {field: ["must be an object"]})
        expect_types(item, {"filename": str, "content_type": str, "content_base64": str},
                     prefix=f"{field}.")
        try:
            content = base64.b64decode(item.get("content_base64") or "", validate=True)
        except (binascii.Error, ValueError):
            raise WrongType(f"{field}.content_base64 is not base64.",
                           {f"{field}.content_base64": ["is not base64"]}) from None
        uploads.append(services.Upload(item.get("filename") or "", item.get("content_type") or "",
                                       content))
    return uploads


@api.post("/v1/facilities/<int:facility_id>/inspections")
@endpoint("inspector", status=201)
def record_inspection(facility_id: int):
    body = json_body()
    expect_types(body, INSPECTION_TYPES)
    for i, finding in enumerate(body.get("findings") or []):
        if isinstance(finding, dict):
            expect_types(finding, FINDING_TYPES, prefix=f"findings[{i}].")
    inspection = services.record_inspection(
        db.session(), facility_id=facility_id, inspected_on=body.get("inspected_on"),
        outcome=body.get("outcome"), findings=body.get("findings"), summary=body.get("summary") or "",
        attachments=_uploads(body.get("attachments")), **actor())
    return _inspection_json(db.session(), inspection)


@api.get("/v1/facilities/<int:facility_id>/inspections")
@endpoint()
def list_inspections(facility_id: int):
    session = db.session()
    services.get_facility(session, facility_id)
    items = [_inspection_json(session, i) for i in inspections_of(session, facility_id)]
    return {"items": items, "total": len(items), "next": None,
            "cases": [case_json(c) for c in cases_of(session, facility_id)]}


def _inspection_json(session, inspection: Inspection) -> dict:
    findings = findings_of(session, [inspection.id])[inspection.id]
    attachments = attachments_of(session, [inspection.id])[inspection.id]
    return {
        "id": inspection.id, "facility_id": inspection.facility_id,
        "inspected_on": iso(inspection.inspected_on), "outcome": inspection.outcome,
        "summary": inspection.summary,
        "findings": [{"standard": f.standard_code, "value": f.value_entered, "unit": f.unit_entered,
                      "basis": f.basis, "evidence_id": f.evidence_id} for f in findings],
        "attachments": [{"id": a[0], "filename": a[1], "content_type": a[2], "size": a[3]}
                        for a in attachments],
    }


@api.post("/v1/enforcement-cases/<int:case_id>/notify")
@endpoint("admin", "inspector")
def notify_case(case_id: int):
    body = json_body()
    expect_types(body, {"notified_on": str})
    return case_json(services.notify_case(db.session(), case_id=case_id,
                                          notified_on=body.get("notified_on"), **actor()))


# --- the public register: statuses, inspection outcomes and case dates, no personal data ---

@api.get("/v1/public/facilities")
@endpoint(is_public=True)
def public_facilities():
    session = db.session()
    page = paginate(select(Facility), Facility.id, lambda f: f)
    facilities = page["items"]
    ids = [f.id for f in facilities]
    outcomes: dict[int, list] = {i: [] for i in ids}
    cases: dict[int, list] = {i: [] for i in ids}
    if ids:
        for row in session.exec(select(Inspection.facility_id, Inspection.inspected_on, Inspection.outcome)
                                .where(Inspection.facility_id.in_(ids))
                                .order_by(Inspection.inspected_on.desc())):
            outcomes[row[0]].append({"inspected_on": iso(row[1]), "outcome": row[2]})
        for case in session.exec(select(EnforcementCase).where(EnforcementCase.facility_id.in_(ids))
                                 .order_by(EnforcementCase.opened_on.desc())):
            cases[case.facility_id].append(_public_case(case))
    page["items"] = [{"id": f.id, "name": f.name, "country": f.country, "status": f.status,
                      "status_changed_at": iso(f.status_changed_at),
                      "inspections": outcomes[f.id], "enforcement_cases": cases[f.id]}
                     for f in facilities]
    return page


def _public_case(case: EnforcementCase) -> dict:
    return {"opened_on": iso(case.opened_on), "notified_on": iso(case.notified_on),
            "resolved_on": iso(case.resolved_on), "days_to_resolution": case.days_to_resolution}


_FACILITY_ID = {"name": "facility_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_INSPECTION = {
    "type": "object", "required": ["id", "facility_id", "inspected_on", "outcome", "findings"],
    "properties": {
        "id": {"type": "integer"}, "facility_id": {"type": "integer"},
        "inspected_on": {"type": "string", "format": "date"},
        "outcome": {"type": "string", "enum": ["compliant", "violation"]},
        "summary": {"type": "string"}, "findings": {"type": "array", "items": {"type": "object"}},
        "attachments": {"type": "array", "items": {"type": "object"}},
    },
}

OPENAPI = {
    "paths": {
        "/api/v1/facilities/{facility_id}/inspections": {
            "post": {"summary": "Record an inspection; a violation suspends the facility at once",
                     "parameters": [_FACILITY_ID],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "required": ["inspected_on", "outcome"],
                         "properties": {
                             "inspected_on": {"type": "string", "format": "date"},
                             "outcome": {"type": "string", "enum": ["compliant", "violation"]},
                             "summary": {"type": "string"},
                             "findings": {"type": "array", "items": {"type": "object", "properties": {
                                 "standard": {"type": "string"}, "value": {"type": ["number", "boolean"]},
                                 "unit": {"type": "string"}, "basis": {"type": "string"}}}},
                             "attachments": {"type": "array", "items": {"type": "object", "properties": {
                                 "filename": {"type": "string"},
                                 "content_type": {"type": "string",
                                                  "enum": ["application/pdf", "image/png", "image/jpeg"]},
                                 "content_base64": {"type": "string"}}}}}}}}},
                     "responses": {"201": openapi.json_response("the inspection", {"$ref": "#/components/schemas/Inspection"}),
                                   **openapi.error_responses(400, 401, 403, 404, 409, 422)}},
            "get": {"summary": "A facility's inspections and enforcement cases", "parameters": [_FACILITY_ID],
                    "responses": {"200": openapi.json_response("inspections", {"type": "object"}),
                                  **openapi.error_responses(401, 404)}},
        },
        "/api/v1/enforcement-cases/{case_id}/notify": {
            "post": {"summary": "Record the day the facility was notified of its case",
                     "parameters": [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "required": ["notified_on"],
                         "properties": {"notified_on": {"type": "string", "format": "date"}}}}}},
                     "responses": {"200": openapi.json_response("the case", {"$ref": "#/components/schemas/EnforcementCase"}),
                                   **openapi.error_responses(400, 401, 403, 404, 409, 422)}},
        },
        "/api/v1/public/facilities": {
            "get": {"summary": "The public register: statuses, inspection outcomes, enforcement case dates",
                    "security": [],
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}},
                                   {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": openapi.json_response("a page of facilities",
                                                               openapi.page_of("#/components/schemas/PublicFacility")),
                                  **openapi.error_responses(400)}},
        },
    },
    "schemas": {
        "Inspection": _INSPECTION,
        "PublicFacility": {
            "type": "object", "required": ["id", "name", "country", "status", "inspections", "enforcement_cases"],
            "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}, "country": {"type": "string"},
                "status": {"type": "string"}, "status_changed_at": {"type": ["string", "null"]},
                "inspections": {"type": "array", "items": {"type": "object"}},
                "enforcement_cases": {"type": "array", "items": {"type": "object"}},
            },
        },
    },
}
