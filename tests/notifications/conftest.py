"""Makers for the notices' tests: the permit world of tests/permits, and people to tell."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

import permits.notifications.notices  # noqa: F401 - audited events -> notices, as in the app
from facility_registry import services as registry
from permits.notifications.models import Notification
from tests.helpers import FACILITY_FIELDS, SYSTEM_INSPECTOR, make_user
from tests.permits.conftest import (  # noqa: F401 - fixtures offered to the notices' tests
    approved,
    bare_facility,
    compliant_facility,
    record_evidence,
)


def notices(db, user=None) -> list[tuple[int, str]]:
    """(user id, code) of every notice, or of one user's, in the order written."""
    with Session(db) as session:
        query = select(Notification.user_id, Notification.code).order_by(Notification.id)
        if user is not None:
            query = query.where(Notification.user_id == user.id)
        return [tuple(row) for row in session.exec(query)]


def codes(db, user) -> list[str]:
    return [code for _, code in notices(db, user)]


@pytest.fixture
def colleague(db, shipper):
    """A second shipper of the same organization as `shipper`."""
    return make_user(db, "shipper", organization="Acme Metals")


@pytest.fixture
def mx_authority(db):
    return make_user(db, "authority", country="MX")


@pytest.fixture
def ca_authority(db):
    return make_user(db, "authority", country="CA")


@pytest.fixture
def canadian_facility(db):
    """An Ontario facility meeting every standard: a permit to it waits for Canada's consent,
    which turns tacit after 30 days."""
    fields = {**FACILITY_FIELDS["CA"], "canada_id": "ON7654399", "accepts": ["eaf_dust"]}
    with Session(db, expire_on_commit=False) as session:
        facility = registry.create_facility(session, **SYSTEM_INSPECTOR, **fields)
        session.commit()
    with Session(db) as session:
        record_evidence(session, facility)
        session.commit()
    return facility
