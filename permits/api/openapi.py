"""The OpenAPI 3.1 document, assembled from each resource module's `OPENAPI` fragment."""
from __future__ import annotations

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


def build() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for name, module in sorted(sys.modules.items()):
        fragment = getattr(module, "OPENAPI", None) if name.startswith("permits.api.") else None
        if not fragment:
            continue
        for path, operations in fragment.get("paths", {}).items():
            paths.setdefault(path, {}).update(operations)
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
