"""Consents over the API: a country's decision on a permit, its revision, the authority's queue,
and the paper a decision was recorded from."""
from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Response, request

from facility_registry.inspections import Upload
from permits.accounts.auth import api_user
from permits.api import openapi
from permits.api.blueprint import api
from permits.api.common import json_body, paginate
from permits.api.endpoint import endpoint
from permits.api.errors import validation_failed
from permits.consents import services
from permits.consents.models import STATUSES, Consent
from permits.consents.shapes import SCHEMAS, consent_json
from permits.core import db
from permits.permitting.services import get_permit
from standards import clock
from standards.errors import NotFound, WrongType
from standards.messages import N_, Message
from standards.problems import OBJECT, ONE_OF, problem
from standards.vocabulary import CONSENT_READERS, CONSENT_RECORDERS
from standards.vocabulary import kg_to_tonnes as tonnes


def _document(body: dict[str, Any]) -> Upload | None:
    raw = body.pop("document", None)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise WrongType(Message.of("consent.document_object", N_("document must be an object.")),
                        {"document": [problem(OBJECT)]})
    for name in ("filename", "content_type", "content_base64"):
        if not isinstance(raw.get(name), str):
            raise WrongType(Message.of("consent.document_string", N_("%(field)s must be a string."),
                                       field=f"document.{name}"),
                            {f"document.{name}": [Message.of("consent.string", N_("must be a string"))]})
    try:
        content = base64.b64decode(raw["content_base64"], validate=True)
    except (binascii.Error, ValueError):
        raise WrongType(Message.of("consent.not_base64", N_("document.content_base64 is not base64.")),
                        {"document.content_base64": [Message.of("consent.base64", N_("is not base64"))]}) from None
    return Upload(raw["filename"], raw["content_type"], content)


def _json(consent: Consent) -> dict[str, Any]:
    return consent_json(consent, viewer=api_user(), today=clock.today())


@api.post("/v1/permits/<int:permit_id>/consents")
@endpoint(*CONSENT_RECORDERS, status=201)
def record_consent(permit_id: int):
    body = json_body()
    document = _document(body)
    return _json(services.record(db.session(), actor=api_user(), permit_id=permit_id, body=body,
                                 document=document, today=clock.today()))


@api.get("/v1/permits/<int:permit_id>/consents")
@endpoint()
def list_permit_consents(permit_id: int):
    session, user = db.session(), api_user()
    permit = get_permit(session, permit_id=permit_id, actor=user)
    items = [_json(c) for c in services.of_permit(session, permit.id)]
    return {"items": items, "total": len(items), "next": None,
            "consent_status": permit.consent_status}


@api.post("/v1/consents/<int:consent_id>/revision")
@endpoint(*CONSENT_RECORDERS, status=201)
def revise_consent(consent_id: int):
    body = json_body()
    document = _document(body)
    return _json(services.revise(db.session(), actor=api_user(), consent_id=consent_id, body=body,
                                 document=document, today=clock.today()))


@api.get("/v1/consents")
@endpoint(*CONSENT_READERS)
def consent_queue():
    """Pending requests (the default), or every standing decision of a status, newest first."""
    state = request.args.get("status", "pending")
    if state not in (*STATUSES, "all"):
        raise validation_failed({"status": [problem(ONE_OF, choices=[*STATUSES, "all"])]})

    def item(row) -> dict[str, Any]:
        consent, permit = row
        return {"consent": _json(consent), "permit": {
            "id": permit.id, "number": permit.number, "status": permit.status,
            "valid_from": permit.valid_from.isoformat(), "valid_to": permit.valid_to.isoformat(),
            "receiving_facility_id": permit.receiving_facility_id, "byproduct": permit.byproduct,
            "quantity_tonnes": tonnes(permit.quantity_kg)}}

    return paginate(services.queue(api_user(), state=state), Consent.id, item)


@api.get("/v1/consents/<int:consent_id>")
@endpoint()
def get_consent(consent_id: int):
    return _json(services.get_consent(db.session(), consent_id=consent_id, actor=api_user()))


@api.get("/v1/consents/<int:consent_id>/document")
@endpoint()
def consent_document(consent_id: int):
    consent = services.get_consent(db.session(), consent_id=consent_id, actor=api_user())
    if consent.document is None:
        raise NotFound(Message.of("consent.no_paper", N_("This decision was not recorded from a paper document.")))

    return Response(consent.document, mimetype=consent.document_type, headers={
        "Content-Disposition": f'attachment; filename="{consent.document_name}"'})


# --- OpenAPI -------------------------------------------------------------------------------------

def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _body(ref: str) -> dict:
    return {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{ref}"}}}}


_CONSENT = openapi.json_response("the consent", {"$ref": "#/components/schemas/ConsentView"})

OPENAPI = {
    "paths": {
        "/api/v1/permits/{permit_id}/consents": {
            "post": {"summary": "Record a country's consent or objection (that country's authority, "
                                "or an inspector from the paper, attached)",
                     "parameters": [_id("permit_id")], "requestBody": _body("ConsentDecision"),
                     "responses": {"201": _CONSENT,
                                   **openapi.error_responses(400, 403, 404, 409, 422)}},
            "get": {"summary": "Every consent of the permit, standing and replaced, newest first",
                    "parameters": [_id("permit_id")],
                    "responses": {"200": openapi.json_response("consents", {
                        **openapi.page_of("#/components/schemas/ConsentView"),
                        "properties": {**openapi.page_of("#/components/schemas/ConsentView")["properties"],
                                       "consent_status": {"type": "string"}}}),
                        **openapi.error_responses(404)}},
        },
        "/api/v1/consents/{consent_id}/revision": {"post": {
            "summary": "Replace a country's standing decision (explicit, audited; the old one is kept)",
            "parameters": [_id("consent_id")], "requestBody": _body("ConsentRevision"),
            "responses": {"201": _CONSENT, **openapi.error_responses(400, 403, 404, 409, 422)}}},
        "/api/v1/consents": {"get": {
            "summary": "The authority's queue: its country's requests, pending by default, with "
                       "the days left before a tacit consent (inspectors see every country's)",
            "parameters": [{"name": "status", "in": "query", "schema": {
                "type": "string", "enum": [*STATUSES, "all"]}}, *openapi.PAGE_PARAMETERS],
            "responses": {"200": openapi.json_response(
                "requests", openapi.page_of("#/components/schemas/ConsentQueueItem")),
                **openapi.error_responses(403, 422)}}},
        "/api/v1/consents/{consent_id}": {"get": {
            "summary": "One consent", "parameters": [_id("consent_id")],
            "responses": {"200": _CONSENT, **openapi.error_responses(404)}}},
        "/api/v1/consents/{consent_id}/document": {"get": {
            "summary": "The paper a decision was recorded from",
            "parameters": [_id("consent_id")],
            "responses": {"200": {"description": "the document", "content": {
                "application/pdf": {}, "image/png": {}, "image/jpeg": {}}},
                **openapi.error_responses(404)}}},
    },
    "schemas": SCHEMAS,
}
