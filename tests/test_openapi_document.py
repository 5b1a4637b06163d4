"""The OpenAPI document served at /api/openapi.json describes every API route the app has,
with each method, and every reference in it resolves."""
from __future__ import annotations

import json

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.openapi_check import openapi_document, openapi_path

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def test_every_api_route_is_in_the_openapi_document(app, client):
    paths = openapi_document(client)["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule == "/api/openapi.json":
            continue
        documented = paths.get(openapi_path(rule.rule), {})
        for method in sorted(rule.methods - IGNORED_METHODS):
            if method.lower() not in documented:
                missing.append(f"{method} {rule.rule}")
    assert not missing, "routes the OpenAPI document does not describe:\n  " + "\n  ".join(missing)


def test_every_documented_path_is_a_route(app, client):
    routes = {openapi_path(r.rule) for r in app.url_map.iter_rules()}
    extra = sorted(set(openapi_document(client)["paths"]) - routes)
    assert not extra, f"documented but not served: {extra}"


def test_every_reference_resolves_and_every_schema_is_valid(client):
    document = openapi_document(client)
    resolver = Registry().with_resource(
        "urn:doc", Resource.from_contents(document, default_specification=DRAFT202012)
    ).resolver("urn:doc")
    text = json.dumps(document)
    for ref in set(_refs(document)):
        resolver.lookup("urn:doc" + ref)  # raises if it points nowhere
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    assert "#/components/schemas/Error" in text


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)
