"""After an interim operation (R13) the shipment stays open until the final facility confirms,
and the sweep flags a final recovery not confirmed within one year of the final receipt."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from permits.accounts.models import User
from permits.permitting.models import Permit
from permits.shipments import interim
from permits.shipments import services as shipments
from permits.shipments.deadlines import add_years, sweep_deadlines
from permits.shipments.models import ShipmentException
from standards import clock
from standards.errors import DomainError
from tests.helpers import bearer, login, make_facility
from tests.openapi_check import assert_matches_openapi
from tests.shipments import factories

TODAY = clock.today()


@pytest.fixture
def chain(db, world):
    """An R13 permit to the world's facility, R4 at a final facility, one load received."""
    with Session(db, expire_on_commit=False) as s:
        final = make_facility(s, "US", name="Keystone Final Recovery")
        final_user = factories.make_account(s, "facility", facility=final)
        permit = s.get(Permit, world.permit.id)
        permit.operation_code, permit.final_facility_id, permit.final_operation_code = "R13", final.id, "R4"
        shipment = factories.make_shipment(s, permit=permit, departed_on=TODAY - timedelta(days=20))
        s.flush()
        shipments.receive_shipment(s, actor=world.facility_user, shipment_id=shipment.id,
                                   received_on=TODAY - timedelta(days=18), received_kg=10_000,
                                   tolerance_percent=2.0, today=TODAY - timedelta(days=18))
        s.commit()
    return shipment, final_user


def test_the_interim_completion_leaves_the_shipment_open_until_the_final_facility_confirms(
        client, db, world, chain):
    shipment, final_user = chain
    interim_user = bearer(db, world.facility_user)
    done = client.post(f"/api/v1/shipments/{shipment.id}/recovery", headers=interim_user,
                       json={"completed_on": (TODAY - timedelta(days=10)).isoformat(), "operation_code": "R13"})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "interim_completed"

    final = bearer(db, final_user)
    assert client.post(f"/api/v1/shipments/{shipment.id}/final-receipt", headers=interim_user, json={
        "received_on": TODAY.isoformat(), "quantity_tonnes": 10}).status_code == 403
    received = client.post(f"/api/v1/shipments/{shipment.id}/final-receipt", headers=final, json={
        "received_on": (TODAY - timedelta(days=5)).isoformat(), "quantity_tonnes": 9.8})
    assert received.status_code == 200, received.get_json()
    assert_matches_openapi(client, "post", "/api/v1/shipments/{shipment_id}/final-receipt", received)
    assert received.get_json()["status"] == "final_received"

    wrong = client.post(f"/api/v1/shipments/{shipment.id}/final-recovery", headers=final,
                        json={"completed_on": TODAY.isoformat(), "operation_code": "R13"})
    assert wrong.status_code == 422 and "operation_code" in wrong.get_json()["error"]["fields"]
    closed = client.post(f"/api/v1/shipments/{shipment.id}/final-recovery", headers=final,
                         json={"completed_on": TODAY.isoformat(), "operation_code": "R4"})
    assert closed.status_code == 200, closed.get_json()
    body = closed.get_json()
    assert (body["status"], body["final_operation_code"], body["final_received_tonnes"]) == (
        "recovered", "R4", 9.8)
    # The final facility sees the shipment it closed.
    assert client.get(f"/api/v1/shipments/{shipment.id}", headers=final).status_code == 200


def test_a_final_facility_silent_for_a_year_after_its_receipt_is_swept(session, world, chain):
    shipment, final_user = chain
    shipments.recover_shipment(session, actor=world.facility_user, shipment_id=shipment.id,
                               completed_on=TODAY - timedelta(days=10), operation_code="R13", today=TODAY)
    interim.final_receive(session, actor=session.get(User, final_user.id), shipment_id=shipment.id,
                          received_on=TODAY - timedelta(days=5), received_kg=10_000, today=TODAY)
    session.commit()
    due = add_years(TODAY - timedelta(days=5), 1)
    assert [e.kind for e in sweep_deadlines(session, due)] == []
    opened = sweep_deadlines(session, due + timedelta(days=1))
    assert [(e.kind, e.shipment_id) for e in opened] == [("final_recovery_overdue", shipment.id)]
    assert sweep_deadlines(session, due + timedelta(days=2)) == []  # once
    assert session.exec(select(ShipmentException)).all().__len__() == 1


def test_a_final_permit_closes_at_the_recovery_as_before(session, world):
    permit = session.get(Permit, world.permit.id)
    shipment = factories.make_shipment(session, permit=permit, departed_on=TODAY - timedelta(days=3))
    shipments.receive_shipment(session, actor=world.facility_user, shipment_id=shipment.id,
                               received_on=TODAY, received_kg=10_000, tolerance_percent=2.0, today=TODAY)
    done = shipments.recover_shipment(session, actor=world.facility_user, shipment_id=shipment.id,
                                      completed_on=TODAY, operation_code="R4", today=TODAY)
    assert done.status == "recovered"
    with pytest.raises(DomainError):
        interim.final_receive(session, actor=world.inspector, shipment_id=shipment.id,
                              received_on=TODAY, received_kg=1_000, today=TODAY)


def test_the_final_facility_confirms_on_the_shipment_page(client, db, world, chain):
    shipment, final_user = chain
    with Session(db) as s:
        shipments.recover_shipment(s, actor=s.get(User, world.facility_user.id), shipment_id=shipment.id,
                                   completed_on=TODAY - timedelta(days=10), operation_code="R13", today=TODAY)
        s.commit()
    login(client, final_user)
    page = client.get(f"/shipments/{shipment.id}").get_data(as_text=True)
    assert "stays open until the final facility confirms" in page
    assert f"/shipments/{shipment.id}/final-receipt" in page
    incoming = client.get("/shipments/incoming").get_data(as_text=True)
    assert shipment.movement_document in incoming
    response = client.post(f"/shipments/{shipment.id}/final-receipt", data={
        "final_receive-received_on": TODAY.isoformat(), "final_receive-quantity_tonnes": "10"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
