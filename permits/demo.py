"""Demo data for `seed-demo`: the people first, then each feature's step in order.

Each step is a function `(session, people) -> logins created`, idempotent, so seeding twice
changes nothing.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from permits.accounts.demo import LOGINS, PASSWORD, seed_people
from permits.permitting.demo import seed_permits
from permits.registry.demo import seed_registry
from permits.reports.demo import seed_reports
from permits.shipments.demo import seed_shipments

__all__ = ["LOGINS", "PASSWORD", "STEPS", "seed"]

# The registry's facilities first (later steps use them), then permits on those facilities,
# shipments under the approved permits, and the reports over all of it.
STEPS: list[Callable[[Session, dict], list | None]] = [
    seed_registry, seed_permits, seed_shipments, seed_reports,
]


def seed(session: Session) -> list[tuple[str, str]]:
    """Create what is missing; return the logins created (empty when all were there)."""
    people = seed_people(session)
    if people is None:
        return []
    created = list(LOGINS)
    for step in STEPS:
        created.extend(step(session, people) or [])
    return created
