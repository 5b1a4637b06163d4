"""Makers for the shipment tests: facilities, approved permits and accounts as plain rows.

They do not go through the application and decision pipeline on purpose: the shipment log
starts where a permit is already approved.
"""
from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlmodel import Session

from facility_registry.models import Facility
from permits.accounts import services as accounts
from permits.accounts.models import Organization, User
from permits.permitting.models import Permit
from permits.shipments.models import Shipment
from standards import clock
from standards.vocabulary import tonnes_to_kg
from tests.helpers import PASSWORD

TRANSPORTERS = [{"name": "Transportes Sierra", "country": "MX"}, {"name": "Lone Star Haulage", "country": "US"}]
_numbers = itertools.count(1)


def make_organization(session: Session, name: str | None = None) -> Organization:
    return accounts.get_or_create_organization(session, name or f"Org {next(_numbers)}")


def make_account(session: Session, role: str, *, organization: Organization | None = None,
                 facility: Facility | None = None) -> User:
    user = User(email=f"{role}{next(_numbers)}@example.com", password_hash=accounts.hash_password(PASSWORD), role=role,
                organization_id=organization.id if organization else None,
                facility_id=facility.id if facility else None)
    session.add(user)
    session.flush()
    return user


def make_permit(session: Session, *, organization: Organization, applicant: User, facility: Facility,
                tonnes: int = 100, shipments_planned: int = 10, valid_from: date | None = None,
                valid_to: date | None = None, status: str = "approved", operation_code: str = "R4",
                consent_status: str = "granted") -> Permit:
    valid_from = valid_from or clock.today() - timedelta(days=60)
    number = next(_numbers)
    permit = Permit(
        number=f"PAR-TEST-{number:06d}", organization_id=organization.id, applicant_id=applicant.id,
        status=status, byproduct="eaf_dust", waste_codes=["K061"], quantity_kg=tonnes_to_kg(tonnes),
        shipments_planned=shipments_planned, valid_from=valid_from,
        valid_to=valid_to or valid_from + timedelta(days=364), receiving_facility_id=facility.id,
        operation_code=operation_code, origin={"name": "Acme plant", "country": "US"},
        route={"exit_port": "Laredo", "entry_port": "Nuevo Laredo", "transit_countries": []},
        transporters=list(TRANSPORTERS), consent_status=consent_status,
    )
    session.add(permit)
    session.flush()
    return permit


def make_shipment(session: Session, *, permit: Permit, tonnes: int = 10, departed_on: date,
                  expected_arrival_on: date | None = None, **fields) -> Shipment:
    """A shipment row as it would stand after the given confirmations (for deadline tests)."""
    shipment = Shipment(permit_id=permit.id, movement_document=f"MD-{next(_numbers):06d}",
                        carrier=TRANSPORTERS[0]["name"], quantity_kg=tonnes_to_kg(tonnes), departed_on=departed_on,
                        expected_arrival_on=expected_arrival_on or departed_on + timedelta(days=2), **fields)
    session.add(shipment)
    session.flush()
    return shipment
