"""The API's own description: the OpenAPI document and a health check."""
from flask import jsonify
from sqlalchemy import text

from permits.accounts.auth import public
from permits.api import openapi
from permits.api.blueprint import api
from permits.api.endpoint import endpoint
from permits.api.shapes import Public
from permits.core import db


class Health(Public):
    ok: bool


@api.get("/openapi.json")
@public
def openapi_document():
    return jsonify(openapi.build())


@api.get("/health")
@endpoint(is_public=True, returns=Health)
def health():
    """The service and its database answer"""
    db.session().execute(text("SELECT 1"))
    return {"ok": True}
