"""Demo data for `seed-demo`: the people first, then each feature's step in order.

Each step is a function `(session, people) -> logins created`, idempotent, so seeding twice
changes nothing.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from permits.accounts import services as accounts
from permits.accounts.demo import LOGINS, PASSWORD, seed_people
from permits.cases.demo import seed_cases
from permits.consents import demo as consents_demo
from permits.consents.demo import seed_consents
from permits.permitting import demo as permitting_demo
from permits.permitting.demo import seed_permits
from permits.registry import demo as registry_demo
from permits.registry.demo import seed_enforcement, seed_registry
from permits.registry.demo_equivalence import seed_equivalence
from permits.reports.demo import seed_reports
from permits.shipments.demo import seed_shipments

__all__ = ["EVERY_LOGIN", "LOGINS", "PASSWORD", "STEPS", "every_login", "seed"]

# The registry's facilities first (later steps use them), then permits on those facilities,
# the countries' consents to them, shipments under the consented permits, the inspection that suspends one facility while its
# loads are on the road, the evidence that re-checks the permits (continuous equivalence), the
# public's petitions and their cases (one received, one under investigation, one closed), and
# the reports over all of it.
STEPS: list[Callable[[Session, dict], list | None]] = [
    seed_registry, seed_permits, seed_consents, seed_shipments, seed_enforcement, seed_equivalence,
    seed_cases, seed_reports,
]
# Every demo login, in the order seed-demo prints them.
EVERY_LOGIN = [*LOGINS, *registry_demo.LOGINS, *permitting_demo.LOGINS, *consents_demo.LOGINS]


def every_login(session: Session) -> list[tuple[str, str]]:
    """The demo logins that exist in this database, whether this run made them or not."""
    return [(email, role) for email, role in EVERY_LOGIN
            if accounts.find_user(session, email) is not None]


def seed(session: Session) -> list[tuple[str, str]]:
    """Create what is missing; return the logins created (empty when all were there)."""
    people = seed_people(session)
    if people is None:
        return []
    created = list(LOGINS)
    for step in STEPS:
        created.extend(step(session, people) or [])
    return created
