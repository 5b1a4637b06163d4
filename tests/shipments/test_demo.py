"""The seed-demo step for shipments: every state, one missed deadline, and nothing twice."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from permits.permitting.models import Permit
from permits.shipments.demo import seed_shipments
from permits.shipments.models import Shipment, ShipmentException
from standards.clock import utcnow
from tests.shipments import factories


def test_the_demo_has_a_shipment_in_every_state_and_one_overdue(session, world):
    permit = session.get(Permit, world.permit.id)
    permit.valid_from = utcnow().date() - timedelta(days=90)
    session.commit()
    seed_shipments(session, {"inspector": world.inspector})
    session.commit()
    states = sorted({s.status for s in session.exec(select(Shipment))})
    assert states == ["in_transit", "received", "recovered", "refused", "returned"]
    def load(n: int) -> int:
        return session.exec(select(Shipment.id).where(Shipment.movement_document.endswith(f"-{n}"))).one()

    # The returned load's report (every return has one), and the one missed receipt.
    assert sorted((e.kind, e.shipment_id) for e in session.exec(select(ShipmentException))) == [
        ("receipt_overdue", load(7)), ("return_reported", load(3))]
    assert any(s.discrepancy for s in session.exec(select(Shipment)))
    session.refresh(permit)
    assert permit.shipments_used == 8
    ahead = session.exec(select(Shipment).where(Shipment.movement_document.endswith("-8"))).one()
    assert ahead.departed_on > utcnow().date()  # logged before it leaves

    seed_shipments(session, {"inspector": world.inspector})
    assert len(session.exec(select(Shipment)).all()) == 8


def test_the_demo_leaves_permits_not_yet_valid_alone(session, world, capsys):
    permit = session.get(Permit, world.permit.id)
    permit.valid_from = utcnow().date() + timedelta(days=7)
    factories.make_permit(session, organization=factories.make_organization(session), applicant=world.shipper,
                          facility=world.facility, status="denied")
    session.commit()
    seed_shipments(session, {"inspector": world.inspector})
    assert session.exec(select(Shipment)).all() == []
    assert "no demo shipments" in capsys.readouterr().out
