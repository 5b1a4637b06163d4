"""Demo data for `seed-demo`: organizations, users of every role, and what each area adds.

Areas add a step to STEPS: a function `(session, people) -> None` run in order, after the
accounts exist. Seeding twice changes nothing.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from permits import accounts

PASSWORD = "parity-demo-2026"
LOGINS: list[tuple[str, str]] = [
    ("admin@parity.example", "admin"),
    ("inspector@parity.example", "inspector"),
    ("shipper@acme-metals.example", "shipper"),
    ("shipper@norte-reciclaje.example", "shipper"),
]

# Steps added by the areas (facilities, permits, shipments), each idempotent.
STEPS: list[Callable[[Session, dict], None]] = []


def seed(session: Session) -> list[tuple[str, str]]:
    """Create what is missing; return the logins created (empty when all were there)."""
    if accounts.find_user(session, LOGINS[0][0]) is not None:
        return []
    people = {
        "orgs": {
            "acme": accounts.get_or_create_organization(session, "Acme Metals Recycling", "US"),
            "norte": accounts.get_or_create_organization(session, "Reciclaje del Norte", "MX"),
        }
    }
    people["admin"] = _user(session, "admin@parity.example", "admin", "Ada Admin")
    people["inspector"] = _user(session, "inspector@parity.example", "inspector", "Ines Inspector")
    people["shipper"] = _user(session, "shipper@acme-metals.example", "shipper", "Sam Shipper",
                              organization=people["orgs"]["acme"])
    people["shipper_mx"] = _user(session, "shipper@norte-reciclaje.example", "shipper", "Sofía Envío",
                                 organization=people["orgs"]["norte"])
    created = list(LOGINS)
    for step in STEPS:
        created.extend(step(session, people) or [])
    return created


def _user(session, email, role, name, organization=None, facility_id=None):
    return accounts.create_user(session, email=email, password=PASSWORD, role=role, name=name,
                                organization=organization, facility_id=facility_id)


# The registry's facilities, evidence and inspections come first: later steps use them.
from permits.registry_demo import seed_registry  # noqa: E402

STEPS.append(seed_registry)

# Last: the permits step uses the facilities the registry's step made.
from permits.demo_permits import seed_permits  # noqa: E402

STEPS.append(seed_permits)

# After the permits: shipments under the approved permits valid today.
from permits.demo_shipments import seed_shipments  # noqa: E402

STEPS.append(seed_shipments)


def seed_reports(session: Session, _people: dict) -> None:
    """This month's compliance report and this year's exports, so the reports pages show data."""
    from permits.models.base import utcnow
    from permits.reports.store import run_report

    today = utcnow().date()
    run_report(session, kind="monthly_compliance", period=today.strftime("%Y-%m"), today=today,
               trigger="cli")
    run_report(session, kind="annual_exports", period=str(today.year), today=today, trigger="cli")


STEPS.append(seed_reports)
