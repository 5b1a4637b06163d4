"""Permits over the API: apply (or save a draft), read, list, submit, withdraw, and the
inspector's review: approve, deny, re-evaluate, request evidence, revoke."""
from __future__ import annotations

from typing import Any

from flask import current_app, request
from sqlmodel import select

from permits.accounts.auth import api_user
from permits.api import openapi
from permits.api.blueprint import api
from permits.api.common import json_body, paginate
from permits.api.endpoint import endpoint
from permits.api.errors import validation_failed
from permits.core import db
from permits.permitting import decisions
from permits.permitting import services as service
from permits.permitting.api_shapes import SCHEMAS, decision_json, permit_json, request_json
from permits.permitting.decision_models import REQUEST_STATUSES, EvidenceRequest
from permits.permitting.models import PERMIT_STATUSES, Permit
from permits.permitting.rules import Terms
from standards import clock
from standards.errors import WrongType
from standards.vocabulary import OVERSEERS


def _notice_days() -> int:
    return int(current_app.config.get("PARITY_MIN_NOTICE_DAYS", 0))


def optional_body() -> dict[str, Any]:
    """The JSON object body of an action whose body may be left out."""
    return json_body() if request.get_data(cache=True).strip() else {}


def _string_field(body: dict, name: str) -> Any:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise WrongType(f"{name} must be a string.", {name: ["must be a string"]})
    return value


# JSON types of an application's fields: the API refuses a string for a number with a 400
# (the pages send text, which the shared rules in permit_rules read).
APPLICATION_TYPES: dict[str, tuple[type, ...]] = {
    "byproduct": (str,), "waste_codes": (list,), "quantity_tonnes": (int, float),
    "shipments_planned": (int,), "valid_from": (str,), "valid_to": (str,),
    "receiving_facility_id": (int,), "operation_code": (str,), "final_facility_id": (int,),
    "final_operation_code": (str,), "origin": (dict,), "route": (dict,), "transporters": (list,),
}
_TYPE_NAMES = {str: "a string", list: "a list", dict: "an object", int: "a whole number",
               float: "a number"}


def check_types(body: dict[str, Any]) -> dict[str, Any]:
    """400 `wrong_type` naming every field whose JSON type is wrong (null counts as absent)."""
    wrong = {}
    for name, types in APPLICATION_TYPES.items():
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, types)):
            wrong[name] = [f"must be {' or '.join(_TYPE_NAMES[t] for t in types)}"]
    if wrong:
        first = next(iter(wrong))
        raise WrongType(f"{first} {wrong[first][0]}.", wrong)
    return body


def _full(permit: Permit) -> dict[str, Any]:
    return permit_json(permit, decisions.current_decision(db.session(), permit.id))


@api.post("/v1/permits")
@endpoint("shipper", status=201)
def apply_for_permit():
    body = check_types(json_body())
    draft = body.pop("draft", False)
    if not isinstance(draft, bool):
        raise WrongType("draft must be true or false.",
                       {"draft": ["must be true or false"]})
    session, user = db.session(), api_user()
    if draft:
        return permit_json(service.save_draft(session, actor=user, body=body, today=clock.today()), None)
    permit, decision = service.apply(session, actor=user, body=body, today=clock.today(),
                                     min_notice_days=_notice_days())
    return permit_json(permit, decision)


@api.get("/v1/permits")
@endpoint()
def list_permits():
    statement = select(Permit).where(service.visible_to(api_user()))
    status = request.args.get("status")
    if status:
        if status not in PERMIT_STATUSES:
            raise validation_failed({"status": [f"must be one of {', '.join(PERMIT_STATUSES)}"]})
        statement = statement.where(Permit.status == status)
    page = paginate(statement, Permit.id, lambda permit: permit)
    standing = decisions.current_decisions(db.session(), [p.id for p in page["items"]])
    page["items"] = [permit_json(p, standing.get(p.id), full=False) for p in page["items"]]
    return page


@api.get("/v1/permits/<int:permit_id>")
@endpoint()
def get_permit(permit_id: int):
    return _full(service.get_permit(db.session(), permit_id=permit_id, actor=api_user()))


@api.patch("/v1/permits/<int:permit_id>")
@endpoint("shipper")
def update_draft(permit_id: int):
    """Change some fields of a draft; a field set to null is cleared."""
    session, user = db.session(), api_user()
    permit = service.get_permit(session, permit_id=permit_id, actor=user)
    body = {**Terms.of(permit).to_body(), **check_types(json_body())}
    return permit_json(service.save_draft(session, actor=user, body=body, today=clock.today(),
                                          permit_id=permit_id), None)


@api.post("/v1/permits/<int:permit_id>/submit")
@endpoint("shipper")
def submit_permit(permit_id: int):
    permit, decision = service.submit(db.session(), actor=api_user(), permit_id=permit_id,
                                      today=clock.today(), min_notice_days=_notice_days())
    return permit_json(permit, decision)


@api.post("/v1/permits/<int:permit_id>/withdraw")
@endpoint("shipper")
def withdraw_permit(permit_id: int):
    reason = _string_field(optional_body(), "reason")
    return _full(service.withdraw(db.session(), actor=api_user(), permit_id=permit_id,
                                  reason=reason))


@api.post("/v1/permits/<int:permit_id>/revoke")
@endpoint(*OVERSEERS)
def revoke_permit(permit_id: int):
    reason = _string_field(json_body(), "reason")
    return _full(service.revoke(db.session(), actor=api_user(), permit_id=permit_id,
                                reason=reason))


@api.post("/v1/permits/<int:permit_id>/approve")
@endpoint(*OVERSEERS)
def approve_permit(permit_id: int):
    permit, decision = service.approve(db.session(), actor=api_user(), permit_id=permit_id,
                                       today=clock.today())
    return permit_json(permit, decision)


@api.post("/v1/permits/<int:permit_id>/deny")
@endpoint(*OVERSEERS)
def deny_permit(permit_id: int):
    reason = _string_field(json_body(), "reason")
    permit, decision = service.deny(db.session(), actor=api_user(), permit_id=permit_id,
                                    reason=reason, today=clock.today())
    return permit_json(permit, decision)


@api.post("/v1/permits/<int:permit_id>/re-evaluate")
@endpoint(*OVERSEERS)
def re_evaluate_permit(permit_id: int):
    permit, decision = service.re_evaluate(db.session(), actor=api_user(), permit_id=permit_id,
                                           today=clock.today())
    return permit_json(permit, decision)


@api.get("/v1/permits/<int:permit_id>/decisions")
@endpoint()
def permit_decisions(permit_id: int):
    session = db.session()
    permit = service.get_permit(session, permit_id=permit_id, actor=api_user())
    items = [decision_json(d) for d in reversed(decisions.history(session, permit.id))]
    return {"items": items, "total": len(items), "next": None}


@api.post("/v1/permits/<int:permit_id>/evidence-requests")
@endpoint(*OVERSEERS, status=201)
def request_evidence(permit_id: int):
    body = json_body()
    created = service.request_evidence(
        db.session(), actor=api_user(), permit_id=permit_id,
        message=_string_field(body, "message"), standard=_string_field(body, "standard"))
    return request_json(created)


@api.get("/v1/evidence-requests")
@endpoint("inspector", "admin", "facility")
def list_evidence_requests():
    """Inspectors see every request; a facility user those addressed to its facility."""
    user = api_user()
    statement = select(EvidenceRequest)
    if user.role == "facility":
        statement = statement.where(EvidenceRequest.facility_id == user.facility_id)
    status = request.args.get("status")
    if status:
        if status not in REQUEST_STATUSES:
            raise validation_failed({"status": [f"must be one of {', '.join(REQUEST_STATUSES)}"]})
        statement = statement.where(EvidenceRequest.status == status)
    return paginate(statement, EvidenceRequest.id, request_json)


# --- OpenAPI -------------------------------------------------------------------------------------

def _id(name: str = "permit_id") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _body(ref: str, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{ref}"}}}}


_IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
                "schema": {"type": "string", "maxLength": 255},
                "description": "the same key with the same body replays the first response"}
_PERMIT = openapi.json_response("the permit and its standing decision",
                                {"$ref": "#/components/schemas/Permit"})


def _action(summary: str, body: str | None = None, *, errors=(400, 401, 403, 404, 409, 422),
            required: bool = True) -> dict:
    operation = {"summary": summary, "parameters": [_id(), _IDEMPOTENCY],
                 "responses": {"200": _PERMIT, **openapi.error_responses(*errors)}}
    if body:
        operation["requestBody"] = _body(body, required)
    return {"post": operation}


OPENAPI = {
    "paths": {
        "/api/v1/permits": {
            "post": {
                "summary": "Apply for a permit (decided at once), or save a draft",
                "parameters": [_IDEMPOTENCY],
                "requestBody": _body("PermitApplication"),
                "responses": {"201": _PERMIT, **openapi.error_responses(400, 401, 403, 422)},
            },
            "get": {
                "summary": "Permits the caller may see, newest first",
                "parameters": [
                    {"name": "status", "in": "query", "schema": {"type": "string",
                                                                 "enum": list(PERMIT_STATUSES)}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": openapi.json_response(
                    "a page of permits", openapi.page_of("#/components/schemas/PermitListItem")),
                    **openapi.error_responses(400, 401, 422)},
            },
        },
        "/api/v1/permits/{permit_id}": {
            "get": {"summary": "One permit with its standing decision", "parameters": [_id()],
                    "responses": {"200": _PERMIT, **openapi.error_responses(401, 404)}},
            "patch": {"summary": "Change fields of a draft (null clears a field)",
                      "parameters": [_id()], "requestBody": _body("PermitChanges"),
                      "responses": {"200": _PERMIT,
                                    **openapi.error_responses(400, 401, 403, 404, 409, 422)}},
        },
        "/api/v1/permits/{permit_id}/submit": _action("Submit a draft: it is decided at once"),
        "/api/v1/permits/{permit_id}/withdraw": _action(
            "Withdraw an application or permit (its shipper)", "Reason", required=False),
        "/api/v1/permits/{permit_id}/revoke": _action("Revoke a permit (inspector, admin)", "Reason"),
        "/api/v1/permits/{permit_id}/approve": _action(
            "Approve an application under review: refused (409 checks_not_met) unless every "
            "check meets"),
        "/api/v1/permits/{permit_id}/deny": _action("Deny an application under review", "Reason"),
        "/api/v1/permits/{permit_id}/re-evaluate": _action(
            "Decide an application under review again on today's evidence"),
        "/api/v1/permits/{permit_id}/decisions": {"get": {
            "summary": "Every decision on the permit, newest first, each with its record hash",
            "parameters": [_id()],
            "responses": {"200": openapi.json_response(
                "decisions", openapi.page_of("#/components/schemas/Decision")),
                **openapi.error_responses(401, 404)}}},
        "/api/v1/permits/{permit_id}/evidence-requests": {"post": {
            "summary": "Ask the receiving facility for evidence (inspector, admin)",
            "parameters": [_id(), _IDEMPOTENCY], "requestBody": _body("EvidenceRequestBody"),
            "responses": {"201": openapi.json_response(
                "the request", {"$ref": "#/components/schemas/EvidenceRequest"}),
                **openapi.error_responses(400, 401, 403, 404, 409, 422)}}},
        "/api/v1/evidence-requests": {"get": {
            "summary": "Evidence requests (a facility user sees its facility's)",
            "parameters": [{"name": "status", "in": "query", "schema": {
                "type": "string", "enum": list(REQUEST_STATUSES)}}, *openapi.PAGE_PARAMETERS],
            "responses": {"200": openapi.json_response(
                "requests", openapi.page_of("#/components/schemas/EvidenceRequest")),
                **openapi.error_responses(401, 403, 422)}}},
    },
    "schemas": SCHEMAS,
}
