"""Makers for the notices' tests: the permit world of tests/permits, and people to tell."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

import permits.notifications.notices  # noqa: F401 - audited events -> notices, as in the app
from permits.notifications.models import Notification
from tests.helpers import make_user
from tests.permits.conftest import approved, bare_facility, compliant_facility  # noqa: F401


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
