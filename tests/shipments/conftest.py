"""A small world for the shipment tests: a shipper with an approved permit to a facility,
the facility's user, a rival facility and organization, an inspector and an admin."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from facility_registry.models import Facility
from permits.accounts.models import User
from permits.permitting.models import Permit
from tests.helpers import make_facility
from tests.shipments import factories


@dataclass
class World:
    facility: Facility
    other_facility: Facility
    shipper: User
    other_shipper: User
    facility_user: User
    other_facility_user: User
    inspector: User
    admin: User
    permit: Permit


@pytest.fixture
def world(db) -> World:
    with Session(db, expire_on_commit=False) as s:
        facility = make_facility(s, "MX", name="Reciclados del Norte")
        other_facility = make_facility(s, "CA", name="Elsewhere Metals")
        acme = factories.make_organization(s, "Acme Metals")
        rival = factories.make_organization(s, "Rival Recycling")
        shipper = factories.make_account(s, "shipper", organization=acme)
        built = World(
            facility=facility,
            other_facility=other_facility,
            shipper=shipper,
            other_shipper=factories.make_account(s, "shipper", organization=rival),
            facility_user=factories.make_account(s, "facility", facility=facility),
            other_facility_user=factories.make_account(s, "facility", facility=other_facility),
            inspector=factories.make_account(s, "inspector"),
            admin=factories.make_account(s, "admin"),
            permit=factories.make_permit(s, organization=acme, applicant=shipper, facility=facility),
        )
        s.commit()
    return built
