"""Makers for the catalogue's web and API tests: signed-in users, and reading the catalogue back."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from permits.audit.models import AuditEntry
from standards.models import Standard
from tests.helpers import bearer, make_user

PEL = "osha-lead-pel"  # 50 µg/m³, 8-h TWA, 29 CFR 1910.1025(c), version 1 from 1978-11-14
PRACTICE = "osha-lead-blood-surveillance"
LATER = "2030-01-01"  # after today: a version from then is scheduled, not in force


@pytest.fixture
def admin_headers(db, admin):
    return bearer(db, admin)


@pytest.fixture
def shipper_headers(db):
    return bearer(db, make_user(db, "shipper"))


def versions_of(engine, code: str) -> list[Standard]:
    with Session(engine) as session:
        return list(session.exec(select(Standard).where(Standard.code == code).order_by(Standard.version)))


def catalogue_entries(engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.entity == "standard")))
