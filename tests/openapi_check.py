"""Checks a JSON response against the OpenAPI document the app serves at /api/openapi.json.

    from tests.openapi_check import assert_matches_openapi
    response = client.post("/api/v1/permits", json=body, headers=headers)
    assert_matches_openapi(client, "post", "/api/v1/permits", response)

Any resource's tests can use it: the path is the template as written in the document
("/api/v1/permits/{permit_id}"), the status and body are taken from the response.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

_documents: dict[int, dict[str, Any]] = {}
_BASE = "urn:parity:openapi"


def _escape(part: str) -> str:
    return quote(part.replace("~", "~0").replace("/", "~1"), safe="~")


def openapi_document(client) -> dict[str, Any]:
    """The served document, fetched once per app."""
    key = id(client.application)
    if key not in _documents:
        response = client.get("/api/openapi.json")
        assert response.status_code == 200, response.data
        _documents[key] = response.get_json()
    return _documents[key]


def response_schema(document: dict[str, Any], method: str, path: str, status: int) -> dict:
    operations = document["paths"].get(path)
    assert operations is not None, f"{path} is not in the OpenAPI document"
    operation = operations.get(method.lower())
    assert operation is not None, f"{method.upper()} {path} is not in the OpenAPI document"
    response = operation["responses"].get(str(status))
    assert response is not None, (
        f"{method.upper()} {path} answered {status}, which the OpenAPI document does not list "
        f"(it lists {', '.join(operation['responses'])})")
    return response["content"]["application/json"]["schema"]


def assert_matches_openapi(client, method: str, path: str, response, *,
                           status: int | None = None, body: Any = None) -> None:
    """Fail, naming every mismatch, when the response is not what the document promises."""
    document = openapi_document(client)
    status = response.status_code if status is None else status
    body = response.get_json() if body is None else body
    response_schema(document, method, path, status)  # fails with a clear message if absent
    pointer = "/".join(_escape(part) for part in (
        "paths", path, method.lower(), "responses", str(status), "content", "application/json",
        "schema"))
    # The whole document is the root, so the schema's "#/components/..." references resolve.
    root = {"$id": "urn:parity:response", "$ref": f"{_BASE}#/{pointer}"}
    registry = Registry().with_resource(
        _BASE, Resource.from_contents(document, default_specification=DRAFT202012))
    validator = Draft202012Validator(root, registry=registry, format_checker=FormatChecker())
    problems = [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
                for e in validator.iter_errors(body)]
    assert not problems, f"{method.upper()} {path} {status} does not match the OpenAPI " \
                         f"document:\n  " + "\n  ".join(problems[:20])


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: /api/v1/permits/<int:permit_id> -> .../{permit_id}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)
