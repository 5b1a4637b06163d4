"""Stored compliance reports over the API: the list and each report's latest (or a given)
version for inspectors and admins; the enforcement report also public, without a token."""
from __future__ import annotations

from typing import Any

from flask import request
from sqlmodel import select

from permits.api import openapi
from permits.api.blueprint import api
from permits.api.common import paginate, query_int
from permits.api.endpoint import endpoint
from permits.api.errors import validation_failed
from permits.core import db
from permits.reports import KINDS
from permits.reports.models import ComplianceReport
from permits.reports.store import SUMMARY_COLUMNS, StoredVersion, find_report, intact
from standards.errors import NotFound
from standards.vocabulary import OVERSEERS

PUBLIC_KIND = "enforcement_public"


def stored_json(row: ComplianceReport) -> dict[str, Any]:
    return {"kind": row.kind, "period": row.period, "version": row.version,
            "generated_at": row.generated_at.isoformat(), "content_hash": row.content_hash,
            "intact": intact(row), "content": row.content}


@api.get("/v1/reports")
@endpoint(*OVERSEERS)
def list_reports():
    statement = select(*SUMMARY_COLUMNS)
    kind = request.args.get("kind")
    if kind:
        if kind not in KINDS:
            raise validation_failed({"kind": [f"must be one of {', '.join(KINDS)}"]})
        statement = statement.where(ComplianceReport.kind == kind)
    period = request.args.get("period")
    if period:
        statement = statement.where(ComplianceReport.period == period)
    return paginate(statement, ComplianceReport.id, lambda row: StoredVersion(*row).to_dict())


@api.get("/v1/reports/<kind>/<period>")
@endpoint(*OVERSEERS)
def get_report(kind: str, period: str):
    return stored_json(_find(kind, period))


@api.get("/v1/public/reports/enforcement/<year>")
@endpoint(is_public=True)
def public_enforcement_report(year: str):
    return stored_json(_find(PUBLIC_KIND, year))


def _find(kind: str, period: str) -> ComplianceReport:
    if kind not in KINDS:
        raise NotFound(f"There is no report kind {kind!r}.")
    version = _version()
    row = find_report(db.session(), kind=kind, period=period, version=version)
    if row is None:
        which = f"version {version} of " if version else ""
        raise NotFound(f"No {which}{kind} report is stored for {period}.")
    return row


def _version() -> int | None:
    return query_int("version")


_NULLABLE_NUMBER = {"type": ["number", "null"]}
_CELL = {"type": ["string", "number", "null", "boolean"]}
_REPORT = {
    "type": "object",
    "required": ["kind", "period", "generated_at", "title", "period_start", "period_end",
                 "sections", "totals"],
    "properties": {
        "kind": {"type": "string", "enum": list(KINDS)},
        "period": {"type": "string"},
        "generated_at": {"type": "string", "format": "date-time"},
        "title": {"type": "string"},
        "period_start": {"type": "string", "format": "date"},
        "period_end": {"type": "string", "format": "date"},
        "public": {"type": "boolean"},
        "totals": {"type": "array", "items": {
            "type": "object", "required": ["key", "label", "value"],
            "properties": {"key": {"type": "string"}, "label": {"type": "string"},
                           "value": _NULLABLE_NUMBER, "format": {"type": "string"}}}},
        "sections": {"type": "array", "items": {
            "type": "object", "required": ["key", "title", "tables", "charts"],
            "properties": {
                "key": {"type": "string"}, "title": {"type": "string"}, "note": {"type": "string"},
                "tables": {"type": "array", "items": {
                    "type": "object", "required": ["key", "title", "columns", "rows"],
                    "properties": {
                        "key": {"type": "string"}, "title": {"type": "string"},
                        "note": {"type": "string"},
                        "columns": {"type": "array", "items": {
                            "type": "object", "required": ["key", "label", "format"],
                            "properties": {"key": {"type": "string"}, "label": {"type": "string"},
                                           "format": {"type": "string"}}}},
                        "rows": {"type": "array", "items": {"type": "array", "items": _CELL}}}}},
                "charts": {"type": "array", "items": {
                    "type": "object", "required": ["key", "title", "kind", "labels", "series"],
                    "properties": {
                        "key": {"type": "string"}, "title": {"type": "string"},
                        "kind": {"type": "string"}, "unit": {"type": "string"},
                        "note": {"type": "string"},
                        "labels": {"type": "array", "items": {"type": "string"}},
                        "series": {"type": "array", "items": {
                            "type": "object", "required": ["name", "values"],
                            "properties": {"name": {"type": "string"},
                                           "values": {"type": "array", "items": _NULLABLE_NUMBER}}}}}}},
            }}},
    },
}
_STORED = {
    "type": "object",
    "required": ["kind", "period", "version", "generated_at", "content_hash", "intact", "content"],
    "properties": {
        "kind": {"type": "string"}, "period": {"type": "string"},
        "version": {"type": "integer", "minimum": 1},
        "generated_at": {"type": "string", "format": "date-time"},
        "content_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "intact": {"type": "boolean", "description": "the content still hashes to content_hash"},
        "content": {"$ref": "#/components/schemas/Report"},
    },
}
_SUMMARY = {
    "type": "object",
    "required": ["id", "kind", "period", "version", "generated_at", "trigger", "content_hash"],
    "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"}, "period": {"type": "string"},
        "version": {"type": "integer", "minimum": 1},
        "generated_at": {"type": "string", "format": "date-time"},
        "trigger": {"type": "string", "enum": ["scheduler", "cli", "web"]},
        "content_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
}
_VERSION_PARAMETER = {"name": "version", "in": "query",
                      "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                      "description": "a stored version (default: the newest)"}

OPENAPI = {
    "paths": {
        "/api/v1/reports": {"get": {
            "summary": "Every stored report version, newest first (inspector, admin)",
            "parameters": [{"name": "kind", "in": "query", "schema": {"type": "string", "enum": list(KINDS)}},
                           {"name": "period", "in": "query", "schema": {"type": "string"}},
                           {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                           {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": openapi.json_response(
                "a page of stored reports", openapi.page_of("#/components/schemas/ReportSummary")),
                **openapi.error_responses(400, 401, 403, 422)}}},
        "/api/v1/reports/{kind}/{period}": {"get": {
            "summary": "A stored report, its newest version unless ?version= says (inspector, admin)",
            "parameters": [
                {"name": "kind", "in": "path", "required": True,
                 "schema": {"type": "string", "enum": list(KINDS)}},
                {"name": "period", "in": "path", "required": True, "schema": {"type": "string"},
                 "description": "YYYY-MM for monthly_compliance, YYYY for the others"},
                _VERSION_PARAMETER],
            "responses": {"200": openapi.json_response(
                "the stored report", {"$ref": "#/components/schemas/StoredReport"}),
                **openapi.error_responses(400, 401, 403, 404, 422)}}},
        "/api/v1/public/reports/enforcement/{year}": {"get": {
            "summary": "The public enforcement report of a year (no token, no personal data)",
            "security": [],
            "parameters": [{"name": "year", "in": "path", "required": True,
                            "schema": {"type": "string", "pattern": "^[0-9]{4}$"}},
                           _VERSION_PARAMETER],
            "responses": {"200": openapi.json_response(
                "the stored report", {"$ref": "#/components/schemas/StoredReport"}),
                **openapi.error_responses(400, 404, 422)}}},
    },
    "schemas": {"Report": _REPORT, "StoredReport": _STORED, "ReportSummary": _SUMMARY},
}
