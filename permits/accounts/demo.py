"""The demo's people: one shared password, the foundation's logins, and the one way demo users are made."""
from __future__ import annotations

from sqlmodel import Session

from permits.accounts import services as accounts

PASSWORD = "parity-demo-2026"
LOGINS: list[tuple[str, str]] = [
    ("admin@parity.example", "admin"),
    ("inspector@parity.example", "inspector"),
    ("shipper@acme-metals.example", "shipper"),
    ("shipper@norte-reciclaje.example", "shipper"),
]


def demo_user(session: Session, email, role, name, organization=None, facility_id=None,
              country=None):
    return accounts.create_user(session, email=email, password=PASSWORD, role=role, name=name,
                                organization=organization, facility_id=facility_id,
                                country=country)


def seed_people(session: Session) -> dict | None:
    """The organizations and the foundation's users; None when they exist already."""
    if accounts.find_user(session, LOGINS[0][0]) is not None:
        return None
    people = {
        "orgs": {
            "acme": accounts.get_or_create_organization(session, "Acme Metals Recycling", "US"),
            "norte": accounts.get_or_create_organization(session, "Reciclaje del Norte", "MX"),
        }
    }
    people["admin"] = demo_user(session, "admin@parity.example", "admin", "Ada Admin")
    people["inspector"] = demo_user(session, "inspector@parity.example", "inspector", "Ines Inspector")
    people["shipper"] = demo_user(session, "shipper@acme-metals.example", "shipper", "Sam Shipper",
                                  organization=people["orgs"]["acme"])
    people["shipper_mx"] = demo_user(session, "shipper@norte-reciclaje.example", "shipper",
                                     "Sofía Envío", organization=people["orgs"]["norte"])
    return people
