"""Makers for the cases' tests: a facility, a petition filed on a given day, an inspector."""
from __future__ import annotations

from datetime import date

import pytest

from permits.cases import deadlines, services
from tests.helpers import (
    bearer,
    make_facility,  # noqa: F401 - re-exported for the tests
    make_user,
)

INSPECTOR = {"actor_id": None, "actor_role": "inspector"}
DAY0 = date(2026, 3, 2)
ALLEGATION = "Black dust settles on the school yard every night; Rosa Quintero coughs blood."
CONTACT = "rosa.quintero@example.org"


def file(session, facility, *, today=DAY0, **overrides):
    fields = {"facility_id": facility.id, "category": "environmental",
              "allegation": ALLEGATION, "contact_email": CONTACT, **overrides}
    return services.file_petition(session, today=today, **fields)


@pytest.fixture(autouse=True)
def _default_periods():
    deadlines.configure("")
    yield
    deadlines.configure("")


@pytest.fixture
def inspector_headers(db):
    return bearer(db, make_user(db, "inspector"))
