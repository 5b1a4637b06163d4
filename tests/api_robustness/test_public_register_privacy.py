"""The public register (`/api/v1/public/*`, no token) shows decisions, statuses and inspection
outcomes, and no personal data: no user's email, name or id, on any page of it."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from standards import clock
from tests.api_robustness.world import PEOPLE
from tests.openapi_check import assert_matches_openapi

# Keys that would carry who did something; the register says what was decided, not by whom.
PERSONAL_KEYS = {"email", "applicant_id", "decided_by_id", "requested_by_id", "entered_by_id",
                 "verified_by_id", "actor_id", "user_id", "organization_id", "user", "users"}


def _public_answers(client, world) -> Iterator[tuple[str, Any]]:
    """Every public answer about the world: each list page, each permit, the report."""
    for path, template in (("/api/v1/public/permits?limit=2", "/api/v1/public/permits"),
                           ("/api/v1/public/facilities?limit=2", "/api/v1/public/facilities")):
        while path:
            response = client.get(path)
            assert response.status_code == 200
            assert_matches_openapi(client, "get", template, response)
            page = response.get_json()
            yield path, page
            path = f"{template}?limit=2&cursor={page['next']}" if page["next"] else None
    for number in world.ids["number"]:
        response = client.get(f"/api/v1/public/permits/{number}")
        assert response.status_code == 200
        yield number, response.get_json()
    year = clock.today().year
    response = client.get(f"/api/v1/public/reports/enforcement/{year}")
    assert response.status_code == 200
    yield "enforcement report", response.get_json()


def _keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item)


def test_the_public_register_names_no_person_on_any_page(client, world):
    """Every user's name and email is searched for in every answer, and no key that would
    carry a user (their id, an applicant, a decider) appears at any depth."""
    people = list(PEOPLE.values())
    answers = list(_public_answers(client, world))
    assert len(answers) >= len(world.ids["number"]) + 3  # pages, permits and the report
    for where, body in answers:
        text = str(body)
        for name, email in people:
            assert email not in text and name not in text, f"{where} shows {name} <{email}>"
        leaked = PERSONAL_KEYS & set(_keys(body))
        assert not leaked, f"{where} carries {sorted(leaked)}"

