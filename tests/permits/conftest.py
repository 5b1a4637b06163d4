"""Makers for the permit tests: facilities through the registry's services, evidence that meets
(or fails, or is missing), users, and a complete application body."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session

import permits.registry.cascade  # noqa: F401 - the registry's events reach the permits, as in the app
from facility_registry.importer import import_csv
from facility_registry.models import Evidence
from facility_registry.validation import NATIONAL_IDENTIFIER
from permits.accounts.models import User
from permits.consents import services as consents
from permits.permitting import services as permit_services
from standards import clock
from standards.catalogue import standards_in_force
from standards.vocabulary import OVERSEERS
from tests.helpers import SYSTEM_INSPECTOR, make_facility
from tests.registry.conftest import passing_value

TODAY = clock.today()
LAST_MONTH = TODAY - timedelta(days=30)
BYPRODUCT = "eaf_dust"
PEL = "osha-lead-pel"


def failing_value(standard):
    if standard.direction == "required":
        return False
    return standard.value * (2 if standard.direction == "max" else 0.5)


def record_evidence(session: Session, facility, byproduct: str = BYPRODUCT, *, skip=(),
                    overrides=None, actor=SYSTEM_INSPECTOR, observed_on=LAST_MONTH,
                    only=None) -> None:
    """A binding limit and a measurement for every standard in force (or `only` some, or all
    but `skip`), through the registry's bulk import: the same validation as one entry at a
    time, one batch instead of forty-odd round trips. `overrides` maps a standard code to a
    function standard -> value for the measurement; `actor` decides whether it is verified."""
    overrides = overrides or {}
    identifier = NATIONAL_IDENTIFIER[facility.country]
    rows = []
    for standard in standards_in_force(session, TODAY, byproduct):
        if standard.code in skip or (only is not None and standard.code not in only):
            continue
        measured = overrides.get(standard.code, passing_value)
        for kind, value_of in (("limit", passing_value), ("measurement", measured)):
            value = value_of(standard)
            rows.append({
                "record": "evidence", "name": facility.name, "country": facility.country,
                identifier: getattr(facility, identifier), "standard": standard.code,
                "kind": kind, "value": str(value).lower() if isinstance(value, bool) else repr(value),
                "unit": "" if standard.direction == "required" else standard.unit,
                "basis": standard.basis, "observed_on": observed_on.isoformat(),
                "source": f"test {kind}"})
    handle = io.StringIO()
    writer = csv.DictWriter(handle, fieldnames=["record", "name", "country", identifier,
                                                "standard", "kind", "value", "unit", "basis",
                                                "observed_on", "source"])
    writer.writeheader()
    writer.writerows(rows)
    handle.seek(0)
    result = import_csv(session, handle, actor_id=actor["actor_id"],
                        actor_role=actor["actor_role"],
                        verified=actor["actor_role"] in OVERSEERS, today=TODAY)
    # An entry already on record (another byproduct shares the standard) is skipped, not doubled.
    assert not result.errors, result.errors
    assert result.added_evidence + result.skipped_duplicates == len(rows)


def application(facility_id: int, **overrides) -> dict:
    body = {
        "byproduct": BYPRODUCT, "waste_codes": ["K061"], "quantity_tonnes": 500,
        "shipments_planned": 20, "valid_from": (TODAY + timedelta(days=1)).isoformat(),
        "valid_to": (TODAY + timedelta(days=300)).isoformat(),
        "receiving_facility_id": facility_id, "operation_code": "R4",
        "origin": {"name": "Acme Steel Works", "country": "US", "epa_id": "OHD123456789"},
        "route": {"exit_port": "Laredo, TX", "entry_port": "Nuevo Laredo, Tamps.",
                  "transit_countries": []},
        "transporters": [{"name": "Border Haulage LLC", "country": "US"}],
    }
    body.update(overrides)
    return body


@pytest.fixture
def compliant_facility(db):
    """A Mexican facility with verified evidence meeting every standard for eaf_dust."""
    with Session(db, expire_on_commit=False) as session:
        facility = make_facility(session, "MX")
        record_evidence(session, facility)
        session.commit()
        return facility


@pytest.fixture
def bare_facility(db):
    """A facility with no evidence at all: every check is no_evidence."""
    with Session(db, expire_on_commit=False) as session:
        facility = make_facility(session, "CA")
        session.commit()
        return facility


@pytest.fixture
def approved(db, shipper, compliant_facility):
    """An approved permit to the compliant facility, valid from today, its importing country's
    consent recorded (loads may leave at once)."""
    with Session(db, expire_on_commit=False) as session:
        permit, decision = apply(session, shipper, compliant_facility.id,
                                 valid_from=TODAY.isoformat())
        assert decision.outcome == "approved", decision.reasons
        consent_to(session, permit, compliant_facility.country)
        session.commit()
        return permit


def consent_to(session: Session, permit, country: str) -> None:
    """The importing country's authority consents (in the caller's transaction)."""
    authority = User(email=f"authority-{permit.id}-{country.lower()}@example.gov", role="authority",
                     country=country, password_hash="!")
    session.add(authority)
    session.flush()
    consents.record(session, actor=authority, permit_id=permit.id, today=TODAY,
                    body={"country": country, "decision": "consent",
                          "reference": f"AOC-TEST-{permit.id}", "decided_on": TODAY.isoformat()})


def as_user(session: Session, user: User) -> User:
    """The user as a row of `session` (services take the actor from the caller's session)."""
    return session.get(User, user.id)


def apply(session: Session, shipper: User, facility_id: int, **overrides):
    """Apply through the service; returns (permit, decision)."""
    return permit_services.apply(session, actor=as_user(session, shipper),
                                 body=application(facility_id, **overrides), today=TODAY)


def set_verified(session: Session, facility_id: int) -> None:
    """Mark a facility's evidence verified behind the services' back, so that no cascade runs:
    the state an inspector's approval starts from."""
    session.execute(update(Evidence).where(Evidence.facility_id == facility_id)
                    .values(verified=True))
