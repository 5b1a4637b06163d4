"""The OpenAPI 3.1 document, assembled from the `OPENAPI` fragment of each feature's API module."""
from __future__ import annotations

import copy
import sys
from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            },
        }
    },
}


def page_of(schema_ref: str) -> dict[str, Any]:
    """The list envelope API.md fixes, around items of one schema."""
    return {
        "type": "object",
        "required": ["items", "total", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": schema_ref}},
            "total": {"type": "integer", "minimum": 0},
            "next": {"type": ["string", "null"]},
        },
    }


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_responses(*statuses: int) -> dict[str, Any]:
    return {str(s): json_response("error", {"$ref": "#/components/schemas/Error"}) for s in statuses}


METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PAGE_PARAMETERS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
    {"name": "cursor", "in": "query", "schema": {"type": "string"},
     "description": "the `next` of the previous page"},
]
IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "schema": {"type": "string", "maxLength": 255},
                   "description": "the same key with the same body replays the first response"}


def with_shared_answers(path: str, method: str, operation: dict[str, Any]) -> dict[str, Any]:
    """The operation, plus what the shared layers answer for every operation of its kind, so
    that no fragment can leave them out: the guard's 401, a path id of no record's 404,
    `json_body`'s 400, the Idempotency-Key's 422 on every authenticated POST, a query
    parameter's 422 (text no database can hold), and paging's 400 (cursor, limit not a
    number) and 422 (limit out of range)."""
    operation = copy.deepcopy(operation)
    public = operation.get("security") == []
    query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    statuses = set()
    if not public:
        statuses.add(401)
    if "{" in path:
        statuses.add(404)
    if "requestBody" in operation:
        statuses.add(400)
    if method == "post" and not public:
        statuses.add(422)
        headers = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "header"}
        if IDEMPOTENCY_KEY["name"] not in headers:
            operation.setdefault("parameters", []).append(copy.deepcopy(IDEMPOTENCY_KEY))
    if query:  # a value no database can hold (a NUL) is refused by the endpoint wrapper
        statuses.add(422)
    if query & {"limit", "cursor"}:
        statuses |= {400, 422}
    responses = operation.setdefault("responses", {})
    for status, answer in error_responses(*sorted(statuses)).items():
        responses.setdefault(status, answer)
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def build() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for name, module in sorted(sys.modules.items()):
        fragment = getattr(module, "OPENAPI", None) if name.startswith("permits.") else None
        if not fragment:
            continue
        for path, operations in fragment.get("paths", {}).items():
            paths.setdefault(path, {}).update(
                {method: with_shared_answers(path, method, operation) if method in METHODS
                 else operation for method, operation in operations.items()})
        schemas.update(fragment.get("schemas", {}))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Parity API",
            "version": "1",
            "description": "Cross-border permits for hazardous industrial byproducts, approved only "
            "to receiving facilities that meet U.S. standards or better.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
    }
