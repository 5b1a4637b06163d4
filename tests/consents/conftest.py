"""A world for the consent tests: approved permits to a Mexican and a Canadian facility (through
the application pipeline, so approval sends the notice), each country's authority, an inspector."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import Session

from permits.accounts.models import User
from permits.permitting.models import Permit
from tests.helpers import bearer, make_facility, make_user
from tests.permits.conftest import (  # noqa: F401 - shared with the permit tests
    TODAY,
    application,
    as_user,
    record_evidence,
)
from tests.permits.conftest import apply as apply_through_service

PDF = b"%PDF-1.4\n% a paper consent\n"
PAPER = {"filename": "aoc-mx-1.pdf", "content_type": "application/pdf",
         "content_base64": base64.b64encode(PDF).decode()}


@dataclass
class World:
    mx_facility_id: int
    ca_facility_id: int
    shipper: User
    inspector: User
    mx: User  # Mexico's authority
    ca: User  # Canada's authority
    us: User  # the United States' authority

    def headers(self, db, user: User) -> dict[str, str]:
        return bearer(db, user)


@pytest.fixture
def world(db) -> World:
    with Session(db, expire_on_commit=False) as session:
        mx = make_facility(session, "MX")
        record_evidence(session, mx)
        ca = make_facility(session, "CA")
        record_evidence(session, ca)
        session.commit()
    return World(mx.id, ca.id, make_user(db, "shipper", organization="Acme Metals"),
                 make_user(db, "inspector"), _authority(db, "MX"), _authority(db, "CA"),
                 _authority(db, "US"))


def _authority(db, country: str) -> User:
    from permits.accounts import services as accounts

    with Session(db, expire_on_commit=False) as session:
        user = accounts.create_user(session, email=f"authority-{country.lower()}@example.gov",
                                    password="correct horse battery", role="authority",
                                    country=country)
        session.commit()
        return user


def approved_permit(db, world: World, facility_id: int, **overrides) -> Permit:
    """An application decided at once (approved), valid from today so that loads may leave."""
    overrides.setdefault("valid_from", TODAY.isoformat())
    with Session(db, expire_on_commit=False) as session:
        permit, decision = apply_through_service(session, world.shipper, facility_id, **overrides)
        assert decision.outcome == "approved", decision.reasons
        session.commit()
        return permit


def decision(country: str, kind: str = "consent", **overrides) -> dict:
    body = {"country": country, "decision": kind, "reference": f"AOC-{country}-2026-0042",
            "decided_on": TODAY.isoformat()}
    if kind == "objection":
        body["reason"] = "the receiving facility's permit is under appeal"
    body.update(overrides)
    return body


def shipment(n: int = 1, departed_on: date = TODAY) -> dict:
    return {"quantity_tonnes": 10, "departed_on": departed_on.isoformat(),
            "movement_document": f"MD-{n:04d}", "carrier": "Border Haulage LLC"}
