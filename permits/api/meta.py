"""The API's own description: the OpenAPI document and a health check."""
from flask import jsonify
from sqlalchemy import text

from permits.accounts.auth import public
from permits.api import openapi
from permits.api.blueprint import api
from permits.core import db


@api.get("/openapi.json")
@public
def openapi_document():
    return jsonify(openapi.build())


@api.get("/health")
@public
def health():
    db.session().execute(text("SELECT 1"))
    return jsonify({"ok": True})


OPENAPI = {
    "paths": {
        "/api/health": {
            "get": {
                "summary": "The service and its database answer",
                "security": [],
                "responses": {"200": openapi.json_response("healthy", {
                    "type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}})},
            }
        }
    }
}
