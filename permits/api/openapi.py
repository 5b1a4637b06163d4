"""The OpenAPI 3.1 document: every route declared with `@endpoint(...)` described from its
`Operation` and shapes, plus the `OPENAPI` fragment of any module not yet converted."""
from __future__ import annotations

import copy
import re
import sys
from http import HTTPStatus
from typing import Any

from flask import current_app

from permits.api.shapes import components, described_models, models_of, schema_of

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
                "checks": {"type": "array", "items": {"type": "object"},
                           "description": "facility_not_equivalent: the checks not met on the "
                                          "departure date (the CHECK shape)"},
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
    declared, shapes = _declared_operations()
    schemas.update(shapes)
    for path, method, operation in declared:  # a module's OPENAPI fragment, while it has one, wins
        paths.setdefault(path, {}).setdefault(method, with_shared_answers(path, method, operation))
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


# ---- operations declared with @endpoint ------------------------------------------------------

_PARAMETER = re.compile(r"<(?:([^:<>]+):)?([^<>]+)>")


def _declared_operations() -> tuple[list[tuple[str, str, dict]], dict[str, Any]]:
    """(path, method, operation) for every API route whose view carries an `Operation`, and
    the schemas of their shapes."""
    routes = []
    for rule in current_app.url_map.iter_rules():
        operation = getattr(current_app.view_functions.get(rule.endpoint), "operation", None)
        if operation is not None:
            routes.append((rule, operation))
    bodies = {op.body for _, op in routes if op.body is not None}
    answers = {model for _, op in routes for model in models_of(op.returns)} | set(described_models())
    refs, schemas = components(sorted(bodies, key=_name), sorted(answers, key=_name))
    declared = []
    for rule, operation in routes:
        path = _PARAMETER.sub(r"{\2}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            declared.append((path, method.lower(), _operation(rule.rule, operation, refs)))
    return declared, schemas


def _name(model) -> str:
    return f"{model.__module__}.{model.__qualname__}"


def _operation(rule: str, op, refs) -> dict[str, Any]:
    document: dict[str, Any] = {"summary": op.summary}
    if op.description:
        document["description"] = op.description
    if op.public:
        document["security"] = []
    described = {p["name"]: p for p in _parameters(op.path, "path")} if op.path is not None else {}
    parameters = [described.get(name) or {
        "name": name, "in": "path", "required": True,
        "schema": {"type": "integer"} if converter == "int" else {"type": "string"}}
        for converter, name in _PARAMETER.findall(rule)]
    if op.query is not None:
        parameters += _parameters(op.query, "query")
    if op.paged:
        parameters += copy.deepcopy(PAGE_PARAMETERS)
    if parameters:
        document["parameters"] = parameters
    if op.body is not None:
        document["requestBody"] = {"required": op.body_required, "content": {"application/json": {
            "schema": refs[(op.body, "validation")]}}}
    answer = HTTPStatus(op.status).phrase
    if op.media is not None:
        success = {"description": answer, "content": copy.deepcopy(op.media)}
    elif op.returns is not None:
        success = json_response(answer, schema_of(op.returns, refs, "serialization"))
    else:
        success = json_response(answer, {"type": "object"})
    statuses = set(op.errors)
    if op.roles:
        statuses.add(403)
    if op.body is not None:
        statuses |= {400, 422}
    if op.query is not None:
        statuses.add(422)
    document["responses"] = {str(op.status): success, **error_responses(*sorted(statuses))}
    return document


def _parameters(model, where: str) -> list[dict[str, Any]]:
    properties = model.model_json_schema()["properties"]
    parameters = []
    for name, field in model.model_fields.items():
        schema = {k: v for k, v in properties[name].items() if k not in ("title", "default")}
        if "anyOf" in schema:  # `X | None`: a query parameter is absent, never null
            schema = next(s for s in schema.pop("anyOf") if s.get("type") != "null") | schema
        parameter = {"name": name, "in": where, "schema": schema}
        if field.is_required() or where == "path":
            parameter["required"] = True
        if field.description:
            parameter["description"] = field.description
            schema.pop("description", None)
        parameters.append(parameter)
    return parameters
