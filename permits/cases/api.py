"""Cases over the API: petitions and the public case list (no token), and the inspectors'
moves through the stages."""
from __future__ import annotations

from flask import current_app, request
from sqlmodel import select

from facility_registry.models import EnforcementCase
from permits.api import openapi
from permits.api.blueprint import api
from permits.api.common import json_body, paginate, query_int
from permits.api.endpoint import endpoint
from permits.api.errors import validation_failed
from permits.cases import deadlines, services
from permits.cases.models import Petition, PetitionAttachment
from permits.cases.public import inspector_counts, iso, public_cases
from permits.cases.state import STAGES
from permits.core import db
from permits.core.extensions import limiter
from permits.registry.api_inspections import uploads_from_json
from permits.registry.api_shapes import actor, expect_types
from standards.clock import today
from standards.errors import NotFound, WrongType


def petition_limit() -> str:
    return current_app.config["PARITY_PETITION_RATE_LIMIT"]


@api.post("/v1/public/petitions")
@limiter.limit(petition_limit, methods=["POST"],
               error_message="Too many petitions from this address; try again later.")
@endpoint(is_public=True, status=201)
def file_petition():
    body = json_body()
    expect_types(body, {"facility_id": int, "category": str, "allegation": str,
                        "contact_email": str, "attachments": list})
    case = services.file_petition(
        db.session(), facility_id=body.get("facility_id"), category=body.get("category"),
        allegation=body.get("allegation"), contact_email=body.get("contact_email"),
        attachments=uploads_from_json(body.get("attachments")))
    return receipt(case)


def receipt(case: EnforcementCase) -> dict:
    stage = services.current_stage(db.session(), case)
    return {"reference": case.reference, "status": "received", "stage": case.stage,
            "facility_id": case.facility_id, "category": case.category,
            "received_on": iso(case.opened_on), "due": {"screening": iso(stage.due_on)}}


@api.get("/v1/public/cases")
@endpoint(is_public=True)
def list_public_cases():
    statement = select(EnforcementCase)
    facility_id = query_int("facility_id")
    if facility_id is not None:
        statement = statement.where(EnforcementCase.facility_id == facility_id)
    stage = request.args.get("stage")
    if stage:
        if stage not in STAGES:
            raise validation_failed({"stage": [f"must be one of {', '.join(STAGES)}"]})
        statement = statement.where(EnforcementCase.stage == stage)
    page = paginate(statement, EnforcementCase.id, lambda c: c)
    page["items"] = public_cases(db.session(), page["items"], today())
    return page


@api.get("/v1/public/cases/<reference>")
@endpoint(is_public=True)
def get_public_case(reference: str):
    session = db.session()
    case = session.exec(select(EnforcementCase).where(EnforcementCase.reference == reference)).first()
    if case is None:
        raise NotFound(f"No case with reference {reference}.")
    return public_cases(session, [case], today())[0]


@api.get("/v1/public/case-periods")
@endpoint(is_public=True)
def case_periods():
    return {"items": [{"stage": p.stage, "days": p.days, "starts": p.starts,
                       "citation": p.citation, "checked": p.checked} for p in deadlines.periods()]}


# --- the inspectors' side ------------------------------------------------------------------

def case_json(case: EnforcementCase) -> dict:
    """The full case for inspectors: the public view plus the petition as filed."""
    session = db.session()
    body = public_cases(session, [case], today())[0]
    body["id"] = case.id
    petition = session.exec(select(Petition).where(Petition.case_id == case.id)).first()
    if petition is not None:
        files = session.exec(select(PetitionAttachment.id, PetitionAttachment.filename,
                                    PetitionAttachment.content_type, PetitionAttachment.size)
                             .where(PetitionAttachment.petition_id == petition.id)).all()
        body["petition"] = {"allegation": petition.allegation,
                            "contact_email": petition.contact_email,
                            "received_at": iso(petition.received_at),
                            "attachments": [{"id": f[0], "filename": f[1], "content_type": f[2],
                                             "size": f[3]} for f in files]}
    return body


@api.get("/v1/cases")
@endpoint("inspector", "admin")
def list_cases():
    statement = select(EnforcementCase).where(EnforcementCase.origin == "petition")
    stage = request.args.get("stage")
    if stage:
        if stage not in STAGES:
            raise validation_failed({"stage": [f"must be one of {', '.join(STAGES)}"]})
        statement = statement.where(EnforcementCase.stage == stage)
    page = paginate(statement, EnforcementCase.id, lambda c: c)
    page["items"] = [case_json(c) for c in page["items"]]
    return page


@api.get("/v1/cases/dashboard")
@endpoint("inspector", "admin")
def dashboard():
    return inspector_counts(db.session(), today())


@api.get("/v1/cases/<int:case_id>")
@endpoint("inspector", "admin")
def get_case(case_id: int):
    return case_json(services.get_case(db.session(), case_id))


def _act(case_id: int, service, types: dict, fields: tuple[str, ...]):
    body = json_body()
    expect_types(body, types)
    case = service(db.session(), case_id=case_id, **{f: body.get(f) for f in fields}, **actor())
    return case_json(case)


@api.post("/v1/cases/<int:case_id>/screening")
@endpoint("inspector", "admin")
def screen(case_id: int):
    return _act(case_id, services.screen, {"decision": str, "reasons": str}, ("decision", "reasons"))


@api.post("/v1/cases/<int:case_id>/investigation")
@endpoint("inspector", "admin")
def investigate(case_id: int):
    return _act(case_id, services.investigate,
                {"method": str, "country_agreed": bool, "request": str},
                ("method", "country_agreed", "request"))


@api.post("/v1/cases/<int:case_id>/findings")
@endpoint("inspector", "admin")
def findings(case_id: int):
    return _act(case_id, services.record_findings,
                {"violation": bool, "summary": str, "inspection_id": int},
                ("violation", "summary", "inspection_id"))


@api.post("/v1/cases/<int:case_id>/remediation")
@endpoint("inspector", "admin")
def remediation(case_id: int):
    body = json_body()
    expect_types(body, {"actions": list})
    for i, item in enumerate(body.get("actions") or []):
        if not isinstance(item, dict):
            raise WrongType(f"actions[{i}] must be an object.", {f"actions[{i}]": ["must be an object"]})
        expect_types(item, {"action": str, "due_on": str}, prefix=f"actions[{i}].")
    case = services.plan_remediation(db.session(), case_id=case_id, actions=body.get("actions"),
                                     **actor())
    return case_json(case)


@api.post("/v1/cases/<int:case_id>/close")
@endpoint("inspector", "admin")
def close(case_id: int):
    return _act(case_id, services.close_case, {"outcome": str, "summary": str},
                ("outcome", "summary"))


# --- OpenAPI ---------------------------------------------------------------------------------

_DATE = {"type": "string", "format": "date"}
_NULL_DATE = {"type": ["string", "null"], "format": "date"}
_STAGE = {
    "type": "object", "required": ["stage", "started_on", "due_on", "completed_on", "met", "overdue"],
    "properties": {"stage": {"type": "string"}, "started_on": _DATE, "due_on": _NULL_DATE,
                   "completed_on": _NULL_DATE, "decision": {"type": ["string", "null"]},
                   "method": {"type": ["string", "null"]}, "met": {"type": ["boolean", "null"]},
                   "overdue": {"type": "boolean"}, "days_late": {"type": "integer"}},
}
_PUBLIC_CASE_PROPERTIES = {
    "reference": {"type": ["string", "null"]},
    "facility": {"type": "object", "required": ["id", "name", "country"],
                 "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                "country": {"type": "string"}}},
    "origin": {"type": "string", "enum": ["inspection", "petition"]},
    "category": {"type": ["string", "null"]},
    "stage": {"type": "string", "enum": list(STAGES)},
    "opened_on": _DATE, "closed_on": _NULL_DATE, "days_open": {"type": "integer"},
    "overdue": {"type": "boolean"}, "deadlines_missed": {"type": "integer"},
    "outcome": {"type": ["string", "null"]},
    "screening_reasons": {"type": ["string", "null"]},
    "stages": {"type": "array", "items": _STAGE},
    "remedy": {"type": "array", "items": {"type": "object", "required": ["action", "due_on"],
                                          "properties": {"action": {"type": "string"},
                                                         "due_on": _DATE}}},
}
_PUBLIC_CASE = {"type": "object", "additionalProperties": False,
                "required": ["reference", "facility", "category", "stage", "opened_on",
                             "days_open", "overdue", "outcome", "stages"],
                "properties": _PUBLIC_CASE_PROPERTIES}
_CASE = {"type": "object", "required": ["id", "reference", "stage", "stages"],
         "properties": {**_PUBLIC_CASE_PROPERTIES, "id": {"type": "integer"},
                        "petition": {"type": "object"}}}
_CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _move(summary: str, properties: dict, required: list[str]) -> dict:
    return {"post": {"summary": summary, "parameters": [_CASE_ID],
                     "requestBody": _body({"type": "object", "required": required,
                                           "properties": properties}),
                     "responses": {"200": openapi.json_response("the case", {"$ref": "#/components/schemas/Case"}),
                                   **openapi.error_responses(403, 409, 422)}}}


OPENAPI = {
    "paths": {
        "/api/v1/public/petitions": {"post": {
            "summary": "File a petition about a facility (no token; limited per address)",
            "security": [],
            "requestBody": _body({"type": "object", "required": ["facility_id", "category", "allegation"],
                                  "properties": {
                                      "facility_id": {"type": "integer"},
                                      "category": {"type": "string", "enum": ["environmental", "occupational"]},
                                      "allegation": {"type": "string", "maxLength": services.MAX_ALLEGATION},
                                      "contact_email": {"type": "string",
                                                        "description": "never published"},
                                      "attachments": {"type": "array", "maxItems": services.MAX_PETITION_ATTACHMENTS,
                                                      "items": {"type": "object", "properties": {
                                                          "filename": {"type": "string"},
                                                          "content_type": {"type": "string", "enum": [
                                                              "application/pdf", "image/png", "image/jpeg"]},
                                                          "content_base64": {"type": "string"}}}}}}),
            "responses": {"201": openapi.json_response("the receipt: the reference to follow the case", {
                "type": "object", "required": ["reference", "status", "due"],
                "properties": {"reference": {"type": "string"}, "status": {"type": "string", "enum": ["received"]},
                               "stage": {"type": "string"}, "facility_id": {"type": "integer"},
                               "category": {"type": "string"}, "received_on": _DATE,
                               "due": {"type": "object", "properties": {"screening": _DATE}}}}),
                **openapi.error_responses(400, 422, 429)}}},
        "/api/v1/public/cases": {"get": {
            "summary": "Every case: facility, category, stage, dates, deadlines met or missed, outcome (no token)",
            "security": [],
            "parameters": [{"name": "facility_id", "in": "query", "schema": {"type": "integer"}},
                           {"name": "stage", "in": "query", "schema": {"type": "string", "enum": list(STAGES)}},
                           *openapi.PAGE_PARAMETERS],
            "responses": {"200": openapi.json_response("a page of cases", openapi.page_of("#/components/schemas/PublicCase"))}}},
        "/api/v1/public/cases/{reference}": {"get": {
            "summary": "One case by its reference (no token)", "security": [],
            "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": openapi.json_response("the case", {"$ref": "#/components/schemas/PublicCase"})}}},
        "/api/v1/public/case-periods": {"get": {
            "summary": "The period of each stage and the text it comes from (no token)", "security": [],
            "responses": {"200": openapi.json_response("the periods", {
                "type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {
                    "type": "object", "required": ["stage", "days", "citation"],
                    "properties": {"stage": {"type": "string"}, "days": {"type": ["integer", "null"]},
                                   "starts": {"type": "string"}, "citation": {"type": "string"},
                                   "checked": {"type": "string"}}}}}})}}},
        "/api/v1/cases": {"get": {
            "summary": "Petition cases with the petitions as filed (inspectors)",
            "parameters": [{"name": "stage", "in": "query", "schema": {"type": "string", "enum": list(STAGES)}},
                           *openapi.PAGE_PARAMETERS],
            "responses": {"200": openapi.json_response("a page of cases", openapi.page_of("#/components/schemas/Case")),
                          **openapi.error_responses(403)}}},
        "/api/v1/cases/dashboard": {"get": {
            "summary": "Counts for the inspectors' dashboard: open cases, overdue and escalated stages",
            "responses": {"200": openapi.json_response("the counts", {
                "type": "object", "required": ["open_cases", "overdue_stages", "escalated_stages", "awaiting_screening"],
                "properties": {k: {"type": "integer"} for k in (
                    "open_cases", "overdue_stages", "escalated_stages", "awaiting_screening")}}),
                **openapi.error_responses(403)}}},
        "/api/v1/cases/{case_id}": {"get": {
            "summary": "One petition case (inspectors)", "parameters": [_CASE_ID],
            "responses": {"200": openapi.json_response("the case", {"$ref": "#/components/schemas/Case"}),
                          **openapi.error_responses(403)}}},
        "/api/v1/cases/{case_id}/screening": _move(
            "Screening: accept (the facility's country is asked to review) or dismiss, with reasons",
            {"decision": {"type": "string", "enum": ["accept", "dismiss"]}, "reasons": {"type": "string"}},
            ["decision", "reasons"]),
        "/api/v1/cases/{case_id}/investigation": _move(
            "The review starts: an inspection or a request for evidence",
            {"method": {"type": "string", "enum": list(services.INVESTIGATION_METHODS)},
             "country_agreed": {"type": "boolean"}, "request": {"type": "string"}},
            ["method", "country_agreed"]),
        "/api/v1/cases/{case_id}/findings": _move(
            "Findings: none closes the case unfounded; a violation suspends the facility and its permits",
            {"violation": {"type": "boolean"}, "summary": {"type": "string"},
             "inspection_id": {"type": "integer"}},
            ["violation", "summary"]),
        "/api/v1/cases/{case_id}/remediation": _move(
            "The remediation plan: actions with their own deadlines",
            {"actions": {"type": "array", "items": {"type": "object", "required": ["action", "due_on"],
                                                    "properties": {"action": {"type": "string"},
                                                                   "due_on": _DATE}}}},
            ["actions"]),
        "/api/v1/cases/{case_id}/close": _move(
            "Close: remedied (facility reinstated) or violation_confirmed",
            {"outcome": {"type": "string", "enum": list(services.CLOSING_OUTCOMES)},
             "summary": {"type": "string"}},
            ["outcome", "summary"]),
    },
    "schemas": {"PublicCase": _PUBLIC_CASE, "Case": _CASE},
}
