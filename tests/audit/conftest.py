"""A small real world for the audit tests, made only through the services (so every row is
in the chain): a compliant facility, a shipper's approved permit with two shipments (one
received), an application under review at a bare facility, and an admin."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import Session

from permits.consents import services as consents
from permits.permitting.models import Permit
from permits.shipments import services as shipments
from tests.helpers import make_user
from tests.permits.conftest import (  # noqa: F401 - fixtures used here
    TODAY,
    apply,
    as_user,
    bare_facility,
    compliant_facility,
)


@dataclass
class World:
    permit_id: int
    pending_id: int
    number: str
    shipment_ids: list[int]


@pytest.fixture
def world(db, shipper, compliant_facility, bare_facility, admin) -> World:  # noqa: F811
    facility_user = make_user(db, "facility", facility_id=compliant_facility.id)
    authority = make_user(db, "authority", country=compliant_facility.country)
    with Session(db, expire_on_commit=False) as session:
        permit, decision = apply(session, shipper, compliant_facility.id,
                                 valid_from=TODAY.isoformat())
        assert decision.outcome == "approved", decision.reasons
        # The importing country consents before any load moves.
        consents.record(session, actor=as_user(session, authority), permit_id=permit.id,
                        today=TODAY, body={"country": compliant_facility.country,
                                           "decision": "consent", "reference": "AOC-AUDIT-1",
                                           "decided_on": TODAY.isoformat()})
        pending, _ = apply(session, shipper, bare_facility.id)
        ids = []
        for n, kg in ((1, 12_000), (2, 30_500)):
            shipment = shipments.log_shipment(
                session, actor=as_user(session, shipper), permit_id=permit.id, quantity_kg=kg,
                departed_on=TODAY, expected_arrival_on=TODAY + timedelta(days=3),
                movement_document=f"MD-{n}", carrier="Border Haulage LLC", today=TODAY)
            ids.append(shipment.id)
        session.commit()
        shipments.receive_shipment(session, actor=as_user(session, facility_user),
                                   shipment_id=ids[0], received_on=TODAY, received_kg=12_000,
                                   tolerance_percent=2.0, today=TODAY)
        session.commit()
        return World(permit.id, pending.id, session.get(Permit, permit.id).number, ids)


@pytest.fixture
def signing_key_file(app, tmp_path):
    """Where the app's checkpoint signing key lives (written by `audit keygen` in the test)."""
    path = tmp_path / "keys" / "signing.pem"
    app.config["PARITY_SIGNING_KEY_FILE"] = str(path)
    return path
