"""The seeded world every API robustness test starts from (see world.py)."""
from __future__ import annotations

import pytest

import permits.registry.cascade  # noqa: F401 - the registry's events reach the permits, as in the app
from tests.api_robustness.world import World, build, people


@pytest.fixture
def world(app, db) -> World:
    """Permits in every state, shipments, evidence, an inspection, reports (about a second)."""
    return build(db)


@pytest.fixture
def cast(app, db) -> World:
    """Only facility 1 and a user of every role with a token: for requests refused early."""
    return people(db)
