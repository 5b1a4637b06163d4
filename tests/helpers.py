"""Makers for tests: facilities, users of each role, signing in, bearer headers.

Passwords are cheap to hash in every test (see `pytest_configure` in tests/conftest.py).
"""
from __future__ import annotations

import itertools

from sqlmodel import Session

from facility_registry import services as registry
from facility_registry.models import Facility
from facility_registry.validation import NATIONAL_IDENTIFIER
from permits.accounts import services as accounts
from permits.accounts.models import User

PASSWORD = "correct horse battery"
_counter = itertools.count(1)

# The registry's service acting on its own (a system job), as a test's default actor.
SYSTEM_INSPECTOR = {"actor_id": None, "actor_role": "inspector"}
FACILITY_FIELDS = {
    "US": {"name": "Keystone Lead Recovery", "country": "US", "epa_id": "PAD987654321",
           "address": "1 Smelter Rd, Reading, PA", "operations": ["R4"],
           "accepts": ["lead_acid_battery_dust", "eaf_dust"], "annual_capacity_tonnes": 120000},
    "MX": {"name": "Reciclados del Norte", "country": "MX", "semarnat_nra": "RDN1903900011",
           "address": "Av. Industrial 400, Monterrey, N.L.", "operations": ["R4", "R13"],
           "accepts": ["eaf_dust", "slag"], "annual_capacity_tonnes": 80000},
    "CA": {"name": "Great Lakes Metals", "country": "CA", "canada_id": "ON7654321",
           "address": "22 Harbour St, Hamilton, ON", "operations": ["R4"],
           "accepts": ["eaf_dust"], "annual_capacity_tonnes": 50000},
}


def make_facility(session: Session, country: str = "MX", *, actor: dict = SYSTEM_INSPECTOR,
                  **overrides) -> Facility:
    """A facility of `country` registered through the registry's service (validated, audited),
    with a national identifier of its own unless `overrides` names one. Flushes, never commits."""
    fields = dict(FACILITY_FIELDS[country])
    key = NATIONAL_IDENTIFIER[country]
    fields[key] = fields[key][:-2] + f"{next(_counter) % 100:02d}"
    return registry.create_facility(session, **actor, **{**fields, **overrides})


def make_user(engine, role: str = "shipper", *, email: str | None = None, organization: str = "Acme Metals",
              facility_id: int | None = None, password: str = PASSWORD,
              country: str | None = None) -> User:
    email = email or f"{role}{next(_counter)}@example.com"
    with Session(engine, expire_on_commit=False) as session:
        org = accounts.get_or_create_organization(session, organization) if role == "shipper" else None
        user = accounts.create_user(session, email=email, password=password, role=role,
                                    organization=org, facility_id=facility_id,
                                    country=country or ("MX" if role == "authority" else None))
        session.commit()
        return user


def token_for(engine, user: User) -> str:
    with Session(engine, expire_on_commit=False) as session:
        issued = accounts.issue_token(session, user=session.get(User, user.id), name="test")
        session.commit()
        return issued.secret


def bearer(engine, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(engine, user)}"}


def login(client, user: User, password: str = PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})
