"""The caller's own API tokens: list and revoke (issuing is on the account page and the CLI)."""
from permits.accounts import services as accounts
from permits.accounts.auth import api_user
from permits.api import openapi
from permits.api.blueprint import api
from permits.api.endpoint import endpoint
from permits.core import db
from standards.errors import NotFound
from standards.vocabulary import ROLES


def _token_json(token) -> dict:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked": token.revoked,
    }


@api.get("/v1/me")
@endpoint()
def me():
    user = api_user()
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
            "organization_id": user.organization_id, "facility_id": user.facility_id}


@api.get("/v1/tokens")
@endpoint()
def list_tokens():
    tokens = accounts.tokens_of(db.session(), api_user())
    return {"items": [_token_json(t) for t in tokens], "total": len(tokens), "next": None}


@api.post("/v1/tokens/<int:token_id>/revoke")
@endpoint()
def revoke_token(token_id: int):
    try:
        token = accounts.revoke_token(db.session(), user=api_user(), token_id=token_id)
    except accounts.AccountError as exc:
        raise NotFound("No such token.") from exc
    return _token_json(token)


_TOKEN = {
    "type": "object",
    "required": ["id", "name", "prefix", "created_at", "revoked"],
    "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "prefix": {"type": "string"},
        "created_at": {"type": "string"}, "last_used_at": {"type": ["string", "null"]},
        "revoked": {"type": "boolean"},
    },
}

OPENAPI = {
    "paths": {
        "/api/v1/me": {"get": {"summary": "Who the token belongs to", "responses": {
            "200": openapi.json_response("the caller", {"$ref": "#/components/schemas/Me"}),
            **openapi.error_responses(401)}}},
        "/api/v1/tokens": {"get": {"summary": "The caller's API tokens", "responses": {
            "200": openapi.json_response("tokens", openapi.page_of("#/components/schemas/ApiToken")),
            **openapi.error_responses(401)}}},
        "/api/v1/tokens/{token_id}/revoke": {"post": {
            "summary": "Revoke one of the caller's tokens",
            "parameters": [{"name": "token_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": openapi.json_response("the revoked token", {"$ref": "#/components/schemas/ApiToken"}),
                          **openapi.error_responses(401, 404)}}},
    },
    "schemas": {
        "ApiToken": _TOKEN,
        "Me": {"type": "object", "required": ["id", "email", "role"], "properties": {
            "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
            "role": {"type": "string", "enum": list(ROLES)},
            "organization_id": {"type": ["integer", "null"]}, "facility_id": {"type": ["integer", "null"]}}},
    },
}
