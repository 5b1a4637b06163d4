"""Every operation of the served OpenAPI document, walked with generated requests (schemathesis
strategies, valid and invalid) as each role and with no token, against a seeded world.

Whatever is asked: no 500, JSON under /api/ in the one error shape, a documented status whose
body matches its schema, a 400/422 that names the field, and a failed request changes
nothing. The walk is derandomized (the same requests every run) and small; set
PARITY_FUZZ_EXAMPLES to walk further while exploring.
"""
from __future__ import annotations

import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

from tests.api_robustness.world import World, fingerprint
from tests.openapi_check import assert_matches_openapi

EXAMPLES = int(os.environ.get("PARITY_FUZZ_EXAMPLES", "3"))
ROLES = ("admin", "inspector", "shipper", "facility", "none")
CSV_EXPORT = ("GET", "/api/v1/shipments/export")


def test_every_operation_answers_in_its_documented_shape_whoever_asks(app, client, db, world):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = sorted((result.ok() for result in schema.get_all_operations()),
                        key=lambda op: (op.path, op.method))
    problems: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _walk(operation, mode, client=client, engine=db, world=world, problems=problems)
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert len(operations) >= 50, "the walk lost operations"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(sorted(set(problems))[:40])


def _walk(operation, mode, *, client, engine, world: World, problems: list[str]) -> None:
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def one_request(case, data):
        role = data.draw(st.sampled_from(ROLES))
        for name in case.path_parameters or {}:
            known = world.ids.get(name)
            if known and data.draw(st.integers(0, 3)):  # mostly records that exist
                case.path_parameters[name] = data.draw(st.sampled_from(known))
        request = case.as_transport_kwargs(headers=world.headers[role])
        if role == "none":
            request["headers"].pop("Authorization", None)
        before = fingerprint(engine)
        response = client.open(**request)
        label = f"{operation.method.upper()} {request['path']} as {role} -> {response.status_code}"
        problems.extend(f"{label}: {problem}"
                        for problem in _judge(client, operation, response, before, engine))

    one_request()


def _judge(client, operation, response, before, engine) -> list[str]:
    status = response.status_code
    if status >= 500:
        return [f"server error {response.get_data(as_text=True)[:200]}"]
    if (operation.method.upper(), operation.path) == CSV_EXPORT and status == 200:
        return [] if response.mimetype == "text/csv" else [f"export as {response.mimetype}"]
    if response.mimetype != "application/json":
        return [f"not JSON: {response.mimetype}"]
    problems = _error_problems(status, response.get_json()) if status >= 400 else []
    if status >= 400 and fingerprint(engine) != before:
        problems.append("a failed request changed something")
    try:
        assert_matches_openapi(client, operation.method, operation.path, response)
    except AssertionError as exc:
        problems.append(str(exc).splitlines()[0] if "does not list" in str(exc) else str(exc))
    return problems


def _error_problems(status: int, body: Any) -> list[str]:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or set(body) != {"error"} \
            or not {"code", "message"} <= set(error) <= {"code", "message", "fields"}:
        return [f"not the error shape: {body!r:.200}"]
    # Bad input names its field; only a body that is no JSON object at all has none to name.
    if status in (400, 422) and error["code"] != "malformed_json" and not error.get("fields"):
        return [f"names no field: {error}"]
    return []
