"""The shipment pages: the shipper's permit log and form, the facility's incoming loads, the
inspector's open exceptions."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from permits.permitting.models import Permit
from permits.shipments.deadlines import sweep_deadlines
from permits.shipments.models import Shipment
from standards import clock
from tests.helpers import login
from tests.shipments import factories

TODAY = clock.today()


@pytest.fixture
def in_transit(db, world):
    with Session(db, expire_on_commit=False) as s:
        permit = s.get(Permit, world.permit.id)
        permit.used_kg, permit.shipments_used = 25_000, 1
        shipment = factories.make_shipment(s, permit=permit, tonnes=25, departed_on=TODAY - timedelta(days=1),
                                           expected_arrival_on=TODAY)
        s.commit()
    return shipment


def shipment_form(**overrides):
    return {"movement_document": "MD-WEB-1", "quantity_tonnes": "12.5", "carrier": "Lone Star Haulage",
            "departed_on": TODAY.isoformat(), "expected_arrival_on": (TODAY + timedelta(days=3)).isoformat(),
            **overrides}


def test_the_permit_page_shows_the_bar_the_table_and_the_form(client, world, in_transit):
    login(client, world.shipper)
    page = client.get(f"/permits/{world.permit.id}/shipments").get_data(as_text=True)
    assert '<progress max="100000" value="25000"' in page
    assert "25 t shipped of 100 t allowed (25%); 1 of 10 shipments" in page
    assert in_transit.movement_document in page and "in transit" in page
    assert 'name="movement_document"' in page and "<option value=\"Lone Star Haulage\">" in page


def test_a_shipper_logs_a_shipment_from_the_page(client, db, world):
    login(client, world.shipper)
    response = client.post(f"/permits/{world.permit.id}/shipments", data=shipment_form())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "MD-WEB-1" in page and "12.5 t shipped of 100 t allowed" in page
    with Session(db) as s:
        assert s.exec(select(Shipment.quantity_kg)).one() == 12_500


def test_a_bad_field_is_shown_on_the_form(client, world):
    login(client, world.shipper)
    response = client.post(f"/permits/{world.permit.id}/shipments", data=shipment_form(quantity_tonnes="1.0001"))
    assert response.status_code == 422
    assert "must have at most 3 decimals" in response.get_data(as_text=True)


def test_the_cap_is_shown_as_a_message(client, world):
    login(client, world.shipper)
    response = client.post(f"/permits/{world.permit.id}/shipments", data=shipment_form(quantity_tonnes="101"))
    assert response.status_code == 409
    assert "100 t remain" in response.get_data(as_text=True)


def test_an_inspector_reads_the_log_without_a_form(client, world, in_transit):
    login(client, world.inspector)
    page = client.get(f"/permits/{world.permit.id}/shipments").get_data(as_text=True)
    assert in_transit.movement_document in page and 'name="movement_document"' not in page


def test_another_organizations_permit_page_is_not_found(client, world):
    login(client, world.other_shipper)
    assert client.get(f"/permits/{world.permit.id}/shipments").status_code == 404


def test_the_facility_sees_incoming_loads_and_what_to_confirm(client, world, in_transit):
    login(client, world.facility_user)
    page = client.get("/shipments/incoming").get_data(as_text=True)
    assert in_transit.movement_document in page and "confirm receipt" in page
    login(client, world.other_facility_user)
    assert in_transit.movement_document not in client.get("/shipments/incoming").get_data(as_text=True)


def test_the_facility_confirms_receipt_then_recovery_on_the_shipment_page(client, db, world, in_transit):
    login(client, world.facility_user)
    url = f"/shipments/{in_transit.id}"
    assert f'action="{url}/receipt"' in client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/receipt", data={"receive-received_on": TODAY.isoformat(),
                                                   "receive-quantity_tonnes": "25"})
    assert response.status_code == 302
    response = client.post(f"{url}/recovery", data={"recover-completed_on": TODAY.isoformat(),
                                                    "recover-operation_code": "D10"})
    assert response.status_code == 422
    assert "must be the permit&#39;s operation, R4" in response.get_data(as_text=True)
    response = client.post(f"{url}/recovery", data={"recover-completed_on": TODAY.isoformat(),
                                                    "recover-operation_code": "R4"})
    assert response.status_code == 302
    with Session(db) as s:
        assert s.get(Shipment, in_transit.id).status == "recovered"


def test_a_facility_user_of_another_facility_cannot_confirm_on_the_page(client, db, world, in_transit):
    login(client, world.other_facility_user)
    response = client.post(f"/shipments/{in_transit.id}/receipt",
                           data={"receive-received_on": TODAY.isoformat(), "receive-quantity_tonnes": "25"})
    assert response.status_code == 403
    with Session(db) as s:
        assert s.get(Shipment, in_transit.id).status == "in_transit"


def test_a_second_receipt_is_refused_on_the_page(client, world, in_transit):
    login(client, world.facility_user)
    data = {"receive-received_on": TODAY.isoformat(), "receive-quantity_tonnes": "25"}
    client.post(f"/shipments/{in_transit.id}/receipt", data=data)
    response = client.post(f"/shipments/{in_transit.id}/receipt", data=data)
    assert response.status_code == 409 and "cannot be recorded for a shipment that is received" in \
        response.get_data(as_text=True)


def test_inspectors_see_every_open_exception_and_resolve_it(client, db, world):
    with Session(db, expire_on_commit=False) as s:
        late = factories.make_shipment(s, permit=s.get(Permit, world.permit.id),
                                       departed_on=TODAY - timedelta(days=30))
        [exception] = sweep_deadlines(s, TODAY)
        s.commit()
    login(client, world.inspector)
    page = client.get("/shipments/exceptions").get_data(as_text=True)
    assert late.movement_document in page and "receipt overdue" in page
    response = client.post(f"/shipments/exceptions/{exception.id}/resolve",
                           data={f"resolve-{exception.id}-note": "Arrived; the facility was closed for a flood."})
    assert response.status_code == 302
    assert late.movement_document not in client.get("/shipments/exceptions").get_data(as_text=True)


def test_the_shipper_sees_overdue_flags_and_its_own_exceptions(client, db, world):
    with Session(db, expire_on_commit=False) as s:
        late = factories.make_shipment(s, permit=s.get(Permit, world.permit.id),
                                       departed_on=TODAY - timedelta(days=30))
        sweep_deadlines(s, TODAY)
        s.commit()
    login(client, world.shipper)
    page = client.get("/shipments/").get_data(as_text=True)
    assert late.movement_document in page and "receipt overdue" in page
    assert late.movement_document in client.get("/shipments/exceptions").get_data(as_text=True)
    login(client, world.other_shipper)
    assert late.movement_document not in client.get("/shipments/exceptions").get_data(as_text=True)


def test_the_csv_download_streams_from_the_page(client, world, in_transit):
    login(client, world.shipper)
    response = client.get(f"/shipments/export.csv?permit_id={world.permit.id}")
    assert response.status_code == 200 and response.is_streamed
    assert in_transit.movement_document in response.get_data(as_text=True)
