"""The standards catalogue over the API: what is in force on a day, each standard's versions,
adding a version (admin), and the waste and operation code lists."""
from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any

from flask import request

from permits.accounts.auth import api_user
from permits.api import openapi
from permits.api.blueprint import api
from permits.api.common import json_body, page_limit, parse_date, query_date
from permits.api.endpoint import endpoint
from permits.api.errors import validation_failed
from permits.catalogue import services as catalogue_admin
from permits.core import db
from standards import codes
from standards.catalogue import get_standard, standards_in_force
from standards.clock import utcnow
from standards.errors import Malformed, NotFound, UnknownStandard, WrongType
from standards.models import OperationCode, Standard, WasteCode

NEW_VERSION_FIELDS = {"value", "unit", "effective_from", "citation", "note"}


def standard_json(standard: Standard) -> dict[str, Any]:
    """One version in API.md's shape; a required practice's limit is `true` with no unit."""
    required = standard.direction == "required"
    return {
        "code": standard.code,
        "title": standard.title,
        "pollutant": standard.pollutant,
        "medium": standard.medium,
        "category": standard.category,
        "limit": {"value": True if required else standard.value, "unit": standard.unit},
        "basis": standard.basis,
        "direction": standard.direction,
        "exclusive": standard.exclusive,
        "applies_to": list(standard.applies_to),
        "citation": standard.citation,
        "source": standard.source,
        "effective_from": standard.effective_from.isoformat(),
        "version": standard.version,
        "freshness_months": standard.freshness_months,
        "note": standard.note,
    }


def waste_code_json(row: WasteCode) -> dict[str, Any]:
    return {"code": row.code, "system": row.system, "description": row.description,
            "byproducts": list(row.byproducts), "citation": row.citation}


def operation_code_json(row: OperationCode) -> dict[str, Any]:
    return {"code": row.code, "kind": row.kind, "description": row.description,
            "interim": row.interim}


# ---- paging a short list held in memory -------------------------------------------------------
# The catalogue and the code lists are a few dozen rows in a fixed order (by code, or R before
# D), not a growing history: a page continues after the code the previous page ended on.


def _page(rows: Sequence[Any], serialize: Callable[[Any], dict]) -> dict[str, Any]:
    limit = page_limit()
    keys = [row.code for row in rows]
    start = 0
    cursor = request.args.get("cursor")
    if cursor:
        after = _decode_cursor(cursor)
        if after not in keys:
            raise _bad_cursor()
        start = keys.index(after) + 1
    page = rows[start:start + limit]
    more = start + limit < len(rows)
    return {"items": [serialize(row) for row in page], "total": len(rows),
            "next": _encode_cursor(page[-1].code) if more else None}


def _encode_cursor(code: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": code}).encode()).decode()


def _decode_cursor(cursor: str) -> str:
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor.encode()))["after"]
    except (ValueError, KeyError, TypeError) as exc:
        raise _bad_cursor() from exc
    if not isinstance(after, str):
        raise _bad_cursor()
    return after


def _bad_cursor() -> Malformed:
    return Malformed("The cursor is not one this API gave out.",
                     {"cursor": ["not a cursor this API issued"]}, code="bad_cursor")


def _byproduct_arg() -> str | None:
    byproduct = (request.args.get("byproduct") or "").strip()
    if not byproduct:
        return None
    known = catalogue_admin.known_byproducts(db.session())
    if byproduct not in known:
        raise validation_failed({"byproduct": [f"must be one of {', '.join(known)}"]},
                                f"The catalogue knows no byproduct {byproduct!r}.")
    return byproduct


# ---- standards --------------------------------------------------------------------------------


@api.get("/v1/standards")
@endpoint()
def list_standards():
    on = query_date() or utcnow().date()
    rows = standards_in_force(db.session(), on, _byproduct_arg())
    return _page(rows, standard_json)


@api.get("/v1/standards/<code>")
@endpoint()
def standard_history(code: str):
    session = db.session()
    try:
        versions = catalogue_admin.version_history(session, code)
    except UnknownStandard as exc:
        raise NotFound(exc.message) from exc
    in_force = get_standard(session, code, utcnow().date())
    return {
        "code": code,
        "title": versions[0].title,
        "in_force_version": in_force.version if in_force else None,
        "versions": [_version_json(v, until) for v, until in catalogue_admin.with_end_dates(versions)],
    }


def _version_json(version: Standard, until) -> dict[str, Any]:
    return {**standard_json(version), "effective_until": until.isoformat() if until else None}


@api.post("/v1/standards/<code>/versions")
@endpoint("admin", status=201)
def add_standard_version(code: str):
    fields = _new_version_fields(json_body())
    try:
        version = catalogue_admin.add_standard_version(
            db.session(), actor_id=api_user().id, code=code, **fields)
    except UnknownStandard as exc:
        raise NotFound(exc.message) from exc
    return _version_json(version, None)


def _new_version_fields(body: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(body) - NEW_VERSION_FIELDS)
    if unknown:
        raise validation_failed({name: ["is not a field of a standard version"] for name in unknown})
    wrong = {}
    value = body.get("value")
    if value is not None and not isinstance(value, int | float):  # bool is an int: true passes
        wrong["value"] = ["must be a number, or true for a required practice"]
    for name in ("unit", "citation", "note"):
        if body.get(name) is not None and not isinstance(body[name], str):
            wrong[name] = ["must be a string"]
    if wrong:
        first = next(iter(wrong))
        raise WrongType(f"{first} {wrong[first][0]}.", wrong)
    missing = {name: ["is required"] for name in ("value", "effective_from", "citation")
               if body.get(name) is None}
    if missing:
        raise validation_failed(missing)
    return {
        "value": value,
        "unit": body.get("unit"),
        "effective_from": parse_date(body["effective_from"], "effective_from"),
        "citation": body["citation"],
        "note": body.get("note"),
    }


# ---- codes ------------------------------------------------------------------------------------


@api.get("/v1/codes/waste")
@endpoint()
def list_waste_codes():
    rows = codes.waste_codes(db.session())
    byproduct = _byproduct_arg()
    if byproduct:
        rows = [row for row in rows if byproduct in row.byproducts]
    return _page(rows, waste_code_json)


@api.get("/v1/codes/operations")
@endpoint()
def list_operation_codes():
    return _page(codes.operation_codes(db.session()), operation_code_json)


# ---- the OpenAPI fragment ---------------------------------------------------------------------

_DATE = {"type": "string", "format": "date"}
_STANDARD_PROPERTIES: dict[str, Any] = {
    "code": {"type": "string", "description": "kebab-case, e.g. osha-lead-pel"},
    "title": {"type": "string"},
    "pollutant": {"type": "string"},
    "medium": {"type": "string", "enum": ["workplace_air", "ambient_air", "stack_gas", "blood",
                                          "leachate", "wastewater", "practice"]},
    "category": {"type": "string", "enum": ["occupational", "environmental", "residue"]},
    "limit": {
        "type": "object", "required": ["value", "unit"], "additionalProperties": False,
        "description": "The U.S. value in its canonical unit; a required practice has value true "
                       "and unit null.",
        "properties": {"value": {"type": ["number", "boolean"]}, "unit": {"type": ["string", "null"]}},
    },
    "basis": {"type": "string", "description": "8h_twa, rolling_3_month, 24h, annual, tclp, ..."},
    "direction": {"type": "string", "enum": ["max", "min", "required"]},
    "exclusive": {"type": "boolean",
                  "description": "The value itself fails (\"3 percent opacity or greater\")."},
    "applies_to": {"type": "array", "items": {"type": "string"}},
    "citation": {"type": "string"},
    "source": {"type": "string", "enum": ["us_federal", "treaty"]},
    "effective_from": _DATE,
    "version": {"type": "integer", "minimum": 1},
    "freshness_months": {"type": "integer", "minimum": 1,
                         "description": "How old the newest measurement may be."},
    "note": {"type": ["string", "null"]},
}
_STANDARD = {"type": "object", "required": sorted(_STANDARD_PROPERTIES),
             "additionalProperties": False, "properties": _STANDARD_PROPERTIES}
_STANDARD_VERSION = {
    "type": "object", "additionalProperties": False,
    "required": [*sorted(_STANDARD_PROPERTIES), "effective_until"],
    "properties": {**_STANDARD_PROPERTIES, "effective_until": {
        "type": ["string", "null"], "format": "date",
        "description": "The day the next version took over; null for the newest version."}},
}
_CODE_PARAM = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
_BYPRODUCT_PARAM = {"name": "byproduct", "in": "query", "schema": {"type": "string"},
                    "description": "Only the entries that apply to this byproduct."}
_PAGE_PARAMS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


OPENAPI = {
    "paths": {
        "/api/v1/standards": {"get": {
            "summary": "The U.S. reference standards in force on a day (today by default), by code",
            "parameters": [{"name": "on", "in": "query", "schema": _DATE}, _BYPRODUCT_PARAM,
                           *_PAGE_PARAMS],
            "responses": {"200": openapi.json_response("standards", openapi.page_of(
                "#/components/schemas/Standard")), **openapi.error_responses(400, 401, 422)}}},
        "/api/v1/standards/{code}": {"get": {
            "summary": "Every version of one standard, newest first, with its effective dates",
            "parameters": [_CODE_PARAM],
            "responses": {"200": openapi.json_response("the versions", _ref("StandardHistory")),
                          **openapi.error_responses(401, 404)}}},
        "/api/v1/standards/{code}/versions": {"post": {
            "summary": "Add a version of a standard: a new value from a date, with its citation",
            "description": "Admins only. The value may be given in any unit convertible to the "
                           "standard's; it is stored converted. The effective date must be after "
                           "the newest version's. Writes an audit entry.",
            "parameters": [_CODE_PARAM],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _ref("NewStandardVersion")}}},
            "responses": {"201": openapi.json_response("the new version", _ref("StandardVersion")),
                          **openapi.error_responses(400, 401, 403, 404, 422)}}},
        "/api/v1/codes/waste": {"get": {
            "summary": "RCRA and Basel waste codes, with the byproducts each may describe",
            "parameters": [_BYPRODUCT_PARAM, *_PAGE_PARAMS],
            "responses": {"200": openapi.json_response("waste codes", openapi.page_of(
                "#/components/schemas/WasteCode")), **openapi.error_responses(400, 401, 422)}}},
        "/api/v1/codes/operations": {"get": {
            "summary": "Basel Annex IV recovery (R) and disposal (D) operations",
            "parameters": _PAGE_PARAMS,
            "responses": {"200": openapi.json_response("operation codes", openapi.page_of(
                "#/components/schemas/OperationCode")), **openapi.error_responses(400, 401, 422)}}},
    },
    "schemas": {
        "Standard": _STANDARD,
        "StandardVersion": _STANDARD_VERSION,
        "StandardHistory": {
            "type": "object", "required": ["code", "title", "in_force_version", "versions"],
            "properties": {
                "code": {"type": "string"}, "title": {"type": "string"},
                "in_force_version": {"type": ["integer", "null"],
                                     "description": "The version in force today (null: none yet)."},
                "versions": {"type": "array", "items": _ref("StandardVersion")},
            }},
        "NewStandardVersion": {
            "type": "object", "required": ["value", "effective_from", "citation"],
            "additionalProperties": False,
            "properties": {
                "value": {"type": ["number", "boolean"],
                          "description": "A number; true for a required practice."},
                "unit": {"type": ["string", "null"],
                         "description": "Any unit convertible to the standard's; null for a practice."},
                "effective_from": _DATE,
                "citation": {"type": "string", "minLength": 1},
                "note": {"type": ["string", "null"]},
            }},
        "WasteCode": {
            "type": "object", "additionalProperties": False,
            "required": ["code", "system", "description", "byproducts", "citation"],
            "properties": {
                "code": {"type": "string"},
                "system": {"type": "string", "enum": ["rcra", "basel_annex_viii", "basel_annex_ix"]},
                "description": {"type": "string"},
                "byproducts": {"type": "array", "items": {"type": "string"}},
                "citation": {"type": "string"},
            }},
        "OperationCode": {
            "type": "object", "additionalProperties": False,
            "required": ["code", "kind", "description", "interim"],
            "properties": {
                "code": {"type": "string"},
                "kind": {"type": "string", "enum": ["recovery", "disposal"]},
                "description": {"type": "string"},
                "interim": {"type": "boolean",
                            "description": "R12, R13, D13-D15: the final facility and operation "
                                           "must be named."},
            }},
    },
}
