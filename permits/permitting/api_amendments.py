"""Amendments over the API: the shipper proposes changes to an approved permit; inspectors
approve or deny the ones left under review."""
from __future__ import annotations

from contextlib import contextmanager

from sqlmodel import select

from permits.accounts.auth import api_user
from permits.api import openapi
from permits.api.blueprint import api
from permits.api.common import json_body
from permits.api.endpoint import endpoint
from permits.core import db
from permits.permitting import amendments as service
from permits.permitting import services as permit_service
from permits.permitting.api import _IDEMPOTENCY, _body, _id, _string_field, check_types
from permits.permitting.api_shapes import amendment_json
from permits.permitting.decision_models import Amendment, Decision
from standards import clock
from standards.errors import BadInput


def _json(amendment: Amendment) -> dict:
    return amendment_json(amendment, service.latest_decision(db.session(), amendment.id))


@contextmanager
def _changes_named_as_sent():
    """The rules name a field as an application does (`quantity_tonnes`); this body nests the
    fields under `changes`, so an error names `changes.quantity_tonnes`."""
    try:
        yield
    except BadInput as exc:  # not a 409: its fields name the permit's state
        exc.fields = {name if name in ("changes", "reason") else f"changes.{name}": messages
                      for name, messages in exc.fields.items()}
        raise


@api.post("/v1/permits/<int:permit_id>/amendments")
@endpoint("shipper", status=201)
def propose_amendment(permit_id: int):
    body = json_body()
    reason = _string_field(body, "reason")
    with _changes_named_as_sent():
        if isinstance(body.get("changes"), dict):
            check_types(body["changes"])
        amendment, _ = service.propose(db.session(), actor=api_user(), permit_id=permit_id,
                                       changes=body.get("changes"), reason=reason, today=clock.today())
    return _json(amendment)


@api.get("/v1/permits/<int:permit_id>/amendments")
@endpoint()
def list_amendments(permit_id: int):
    session = db.session()
    permit = permit_service.get_permit(session, permit_id=permit_id, actor=api_user())
    amendments = service.of_permit(session, permit.id)
    latest: dict[int, Decision] = {}
    for decision in session.exec(select(Decision).where(Decision.permit_id == permit.id,
                                                        Decision.amendment_id.is_not(None))
                                 .order_by(Decision.id)):
        latest[decision.amendment_id] = decision
    items = [amendment_json(a, latest.get(a.id)) for a in amendments]
    return {"items": items, "total": len(items), "next": None}


@api.post("/v1/amendments/<int:amendment_id>/approve")
@endpoint("inspector", "admin")
def approve_amendment(amendment_id: int):
    session = db.session()
    service.approve(session, actor=api_user(), amendment_id=amendment_id, today=clock.today())
    return _json(service.get_amendment(session, amendment_id=amendment_id, actor=None)[0])


@api.post("/v1/amendments/<int:amendment_id>/deny")
@endpoint("inspector", "admin")
def deny_amendment(amendment_id: int):
    session = db.session()
    service.deny(session, actor=api_user(), amendment_id=amendment_id,
                 reason=_string_field(json_body(), "reason"), today=clock.today())
    return _json(service.get_amendment(session, amendment_id=amendment_id, actor=None)[0])


_AMENDMENT = openapi.json_response("the amendment and its decision",
                                   {"$ref": "#/components/schemas/Amendment"})
_ERRORS = openapi.error_responses(400, 401, 403, 404, 409, 422)

OPENAPI = {
    "paths": {
        "/api/v1/permits/{permit_id}/amendments": {
            "post": {"summary": "Propose changes to an approved permit; decided before they apply",
                     "parameters": [_id(), _IDEMPOTENCY], "requestBody": _body("AmendmentRequest"),
                     "responses": {"201": _AMENDMENT, **_ERRORS}},
            "get": {"summary": "The permit's amendments, newest first", "parameters": [_id()],
                    "responses": {"200": openapi.json_response(
                        "amendments", openapi.page_of("#/components/schemas/Amendment")),
                        **openapi.error_responses(401, 404)}},
        },
        "/api/v1/amendments/{amendment_id}/approve": {"post": {
            "summary": "Approve an amendment under review (every check must meet)",
            "parameters": [_id("amendment_id"), _IDEMPOTENCY],
            "responses": {"200": _AMENDMENT, **_ERRORS}}},
        "/api/v1/amendments/{amendment_id}/deny": {"post": {
            "summary": "Deny an amendment under review", "parameters": [_id("amendment_id"),
                                                                          _IDEMPOTENCY],
            "requestBody": _body("Reason"), "responses": {"200": _AMENDMENT, **_ERRORS}}},
    },
}
