"""The treaty rule: a treaty standard binds from the day the second of the three countries joined.

No real treaty standard is in the catalogue yet, so each test states one of its own.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from standards.catalogue import get_standard, standards_in_force, treaty_binding_from
from standards.models import Standard, TreatyAccession

CODE = "treaty-test-lead-recovery-practice"
MX_JOINED = date(2019, 3, 1)
CA_JOINED = date(2021, 9, 15)
DAY = timedelta(days=1)


@pytest.fixture
def treaty(session):
    def make(*, us=None, mx=None, ca=None, effective_from=date(2010, 1, 1)):
        session.add(Standard(
            code=CODE, version=1, title="A practice required by a treaty (test)", pollutant="lead",
            medium="practice", category="environmental", value=None, unit=None, basis="practice",
            direction="required", applies_to=["slag"], citation="Test Convention, Art. 4",
            source="treaty", effective_from=effective_from,
        ))
        for country, joined in (("US", us), ("MX", mx), ("CA", ca)):
            session.add(TreatyAccession(standard_code=CODE, country=country, joined_on=joined))
        session.flush()

    return make


def in_force(session, on: date) -> bool:
    listed = CODE in {s.code for s in standards_in_force(session, on, "slag")}
    assert listed == (get_standard(session, CODE, on) is not None)  # both apply the same rule
    return listed


def test_a_treaty_nobody_joined_is_not_in_force(session, treaty):
    treaty()
    assert not in_force(session, date(2030, 1, 1))


def test_a_treaty_one_country_joined_is_not_in_force(session, treaty):
    treaty(mx=MX_JOINED)
    assert not in_force(session, date(2030, 1, 1))


def test_a_treaty_binds_from_the_day_the_second_country_joined(session, treaty):
    treaty(mx=MX_JOINED, ca=CA_JOINED)
    assert not in_force(session, MX_JOINED + DAY)
    assert not in_force(session, CA_JOINED - DAY)
    assert in_force(session, CA_JOINED)
    assert in_force(session, CA_JOINED + DAY)


def test_the_third_accession_changes_nothing(session, treaty):
    treaty(us=date(2025, 1, 1), mx=MX_JOINED, ca=CA_JOINED)
    assert not in_force(session, CA_JOINED - DAY)
    assert in_force(session, CA_JOINED)


def test_a_treaty_is_not_in_force_before_its_own_effective_date(session, treaty):
    treaty(mx=MX_JOINED, ca=CA_JOINED, effective_from=date(2023, 1, 1))
    assert not in_force(session, date(2022, 12, 31))
    assert in_force(session, date(2023, 1, 1))


@pytest.mark.parametrize(
    ("dates", "binding"),
    [
        ((None, None, None), None),
        ((None, MX_JOINED, None), None),
        ((None, CA_JOINED, MX_JOINED), CA_JOINED),  # order of the countries does not matter
        ((date(2030, 1, 1), MX_JOINED, CA_JOINED), CA_JOINED),
    ],
)
def test_treaty_binding_date_is_the_second_accession(dates, binding):
    assert treaty_binding_from(dates) == binding
