"""The shipments API: the contract in API.md, its error shape, and the OpenAPI document."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from permits.permitting.models import Permit
from standards import clock
from tests.helpers import bearer
from tests.openapi_check import assert_matches_openapi
from tests.shipments import factories

TODAY = clock.today()


@pytest.fixture
def headers(db, world):
    return {name: bearer(db, getattr(world, name)) for name in
            ("shipper", "other_shipper", "facility_user", "other_facility_user", "inspector", "admin")}


LOG = "/api/v1/permits/{permit_id}/shipments"
ONE = "/api/v1/shipments/{shipment_id}"


def body(**overrides):
    return {"quantity_tonnes": 10, "departed_on": TODAY.isoformat(), "movement_document": "MD-0001",
            "carrier": "Transportes Sierra", "expected_arrival_on": (TODAY + timedelta(days=2)).isoformat(),
            **overrides}


def log(client, world, headers, who="shipper", **overrides):
    return client.post(f"/api/v1/permits/{world.permit.id}/shipments", json=body(**overrides), headers=headers[who])


def test_logging_answers_201_with_the_shipment_in_transit(client, world, headers):
    response = log(client, world, headers, quantity_tonnes=12.5)
    assert response.status_code == 201
    assert_matches_openapi(client, "post", LOG, response)
    shipment = response.get_json()
    assert (shipment["status"], shipment["quantity_tonnes"], shipment["overdue"]) == ("in_transit", 12.5, [])
    again = client.get(f"/api/v1/shipments/{shipment['id']}", headers=headers["facility_user"])
    assert again.status_code == 200 and again.get_json()["movement_document"] == "MD-0001"
    assert_matches_openapi(client, "get", ONE, again)


def test_an_idempotent_retry_does_not_count_twice_against_the_permit(client, db, world, headers):
    key = {"Idempotency-Key": "retry-1"}
    first = client.post(f"/api/v1/permits/{world.permit.id}/shipments", json=body(),
                        headers={**headers["shipper"], **key})
    second = client.post(f"/api/v1/permits/{world.permit.id}/shipments", json=body(),
                         headers={**headers["shipper"], **key})
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    with Session(db) as s:
        assert s.get(Permit, world.permit.id).shipments_used == 1


def test_the_cap_answers_409_quantity_exceeded_in_the_error_shape(client, world, headers):
    response = log(client, world, headers, quantity_tonnes=100.001)
    assert response.status_code == 409
    assert_matches_openapi(client, "post", LOG, response)
    error = response.get_json()["error"]
    assert error["code"] == "quantity_exceeded" and error["fields"] == {"quantity_tonnes": ["at most 100 t remain on the permit"]}


def test_missing_and_unknown_fields_are_named(client, world, headers):
    response = client.post(f"/api/v1/permits/{world.permit.id}/shipments", json={"carrier": "x"},
                           headers=headers["shipper"])
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"quantity_tonnes", "departed_on", "movement_document"}
    response = log(client, world, headers, colour="red")
    assert response.get_json()["error"]["fields"] == {"colour": ["is not a field of this request"]}


BAD_INPUT = [
    ({"quantity_tonnes": "10"}, 400, "quantity_tonnes"),
    ({"quantity_tonnes": 0}, 422, "quantity_tonnes"),
    ({"quantity_tonnes": True}, 400, "quantity_tonnes"),
    ({"departed_on": 20260101}, 400, "departed_on"),
    ({"departed_on": "2026-02-30"}, 422, "departed_on"),
    ({"carrier": 7}, 400, "carrier"),
    ({"carrier": "Someone Else"}, 422, "carrier"),
]


def test_bad_input_names_the_field(client, world, headers):
    for overrides, status, field in BAD_INPUT:
        response = log(client, world, headers, **overrides)
        assert response.status_code == status, overrides
        assert_matches_openapi(client, "post", LOG, response)
        assert field in response.get_json()["error"]["fields"], overrides


def test_an_expected_arrival_defaults_to_the_departure(client, world, headers):
    payload = body()
    del payload["expected_arrival_on"]
    response = client.post(f"/api/v1/permits/{world.permit.id}/shipments", json=payload, headers=headers["shipper"])
    assert response.get_json()["expected_arrival_on"] == TODAY.isoformat()


def test_another_organizations_permit_is_not_found(client, world, headers):
    assert log(client, world, headers, who="other_shipper").status_code == 404


def test_only_shippers_log(client, world, headers):
    assert [log(client, world, headers, who=who).status_code
            for who in ("facility_user", "inspector", "admin")] == [403, 403, 403]


def test_no_token_is_401(client, world):
    response = client.post(f"/api/v1/permits/{world.permit.id}/shipments", json=body())
    assert response.status_code == 401


def test_the_whole_track_over_the_api(client, world, headers):
    shipment_id = log(client, world, headers).get_json()["id"]
    receipt = client.post(f"/api/v1/shipments/{shipment_id}/receipt", headers=headers["facility_user"],
                          json={"received_on": TODAY.isoformat(), "quantity_tonnes": 9.5})
    assert receipt.status_code == 200
    received = receipt.get_json()
    assert (received["status"], received["received_tonnes"], received["discrepancy"]) == ("received", 9.5, True)
    assert_matches_openapi(client, "post", ONE + "/receipt", receipt)
    recovery = client.post(f"/api/v1/shipments/{shipment_id}/recovery", headers=headers["facility_user"],
                           json={"completed_on": TODAY.isoformat(), "operation_code": "R4"})
    assert recovery.status_code == 200 and recovery.get_json()["status"] == "recovered"
    assert_matches_openapi(client, "post", ONE + "/recovery", recovery)


def test_a_facility_user_of_another_facility_cannot_confirm(client, world, headers):
    shipment_id = log(client, world, headers).get_json()["id"]
    response = client.post(f"/api/v1/shipments/{shipment_id}/receipt", headers=headers["other_facility_user"],
                           json={"received_on": TODAY.isoformat(), "quantity_tonnes": 10})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert_matches_openapi(client, "post", ONE + "/receipt", response)
    assert client.get(f"/api/v1/shipments/{shipment_id}", headers=headers["other_facility_user"]).status_code == 404


def test_refusal_and_return(client, world, headers):
    shipment_id = log(client, world, headers).get_json()["id"]
    refused = client.post(f"/api/v1/shipments/{shipment_id}/refusal", headers=headers["facility_user"],
                          json={"refused_on": TODAY.isoformat(), "reason": "Not the declared waste"})
    assert refused.get_json()["status"] == "refused" and refused.get_json()["refused_tonnes"] == 10
    again = client.post(f"/api/v1/shipments/{shipment_id}/receipt", headers=headers["facility_user"],
                        json={"received_on": TODAY.isoformat(), "quantity_tonnes": 10})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_transition"
    assert_matches_openapi(client, "post", ONE + "/receipt", again)
    back = client.post(f"/api/v1/shipments/{shipment_id}/return", headers=headers["shipper"],
                       json={"returned_on": TODAY.isoformat()})
    assert back.status_code == 200 and back.get_json()["status"] == "returned"
    assert_matches_openapi(client, "post", ONE + "/return", back)


def test_recovery_with_the_wrong_operation_code_is_422(client, world, headers):
    shipment_id = log(client, world, headers).get_json()["id"]
    client.post(f"/api/v1/shipments/{shipment_id}/receipt", headers=headers["inspector"],
                json={"received_on": TODAY.isoformat(), "quantity_tonnes": 10})
    response = client.post(f"/api/v1/shipments/{shipment_id}/recovery", headers=headers["inspector"],
                           json={"completed_on": TODAY.isoformat(), "operation_code": "D1"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "operation_mismatch"
    assert_matches_openapi(client, "post", ONE + "/recovery", response)


def test_a_permits_shipments_are_paged_newest_first(client, world, headers):
    for n in range(3):
        log(client, world, headers, movement_document=f"MD-{n}")
    response = client.get(f"/api/v1/permits/{world.permit.id}/shipments?limit=2", headers=headers["shipper"])
    assert_matches_openapi(client, "get", LOG, response)
    page = response.get_json()
    assert [s["movement_document"] for s in page["items"]] == ["MD-2", "MD-1"]
    assert page["total"] == 3 and page["next"]
    rest = client.get(f"/api/v1/permits/{world.permit.id}/shipments?limit=2&cursor={page['next']}",
                      headers=headers["shipper"]).get_json()
    assert [s["movement_document"] for s in rest["items"]] == ["MD-0"] and rest["next"] is None
    assert client.get(f"/api/v1/permits/{world.permit.id}/shipments",
                      headers=headers["other_shipper"]).status_code == 404


@pytest.fixture
def overdue(db, world):
    """A shipment that should have been confirmed long ago, and the sweep that noticed."""
    from permits.shipments.deadlines import sweep_deadlines

    with Session(db, expire_on_commit=False) as s:
        permit = s.get(Permit, world.permit.id)
        shipment = factories.make_shipment(s, permit=permit, departed_on=TODAY - timedelta(days=30))
        [exception] = sweep_deadlines(s, TODAY)
        s.commit()
    return shipment, exception


def test_exceptions_are_listed_for_inspectors_and_the_shipper_concerned(client, world, headers, overdue):
    shipment, exception = overdue
    response = client.get("/api/v1/shipment-exceptions", headers=headers["inspector"])
    assert_matches_openapi(client, "get", "/api/v1/shipment-exceptions", response)
    listed = response.get_json()
    assert [(e["id"], e["kind"], e["status"]) for e in listed["items"]] == [(exception.id, "receipt_overdue", "open")]
    assert client.get("/api/v1/shipment-exceptions", headers=headers["shipper"]).get_json()["total"] == 1
    assert client.get("/api/v1/shipment-exceptions", headers=headers["other_shipper"]).get_json()["total"] == 0
    assert client.get(f"/api/v1/shipments/{shipment.id}",
                      headers=headers["shipper"]).get_json()["overdue"] == ["receipt_overdue"]


def test_an_inspector_resolves_an_exception_with_a_note(client, world, headers, overdue):
    _shipment, exception = overdue
    url = f"/api/v1/shipment-exceptions/{exception.id}/resolve"
    assert client.post(url, json={"note": "ok"}, headers=headers["shipper"]).status_code == 403
    assert client.post(url, json={}, headers=headers["inspector"]).get_json()["error"]["fields"] == {
        "note": ["is required"]}
    resolved = client.post(url, json={"note": "Confirmed by phone"}, headers=headers["inspector"])
    assert resolved.status_code == 200 and resolved.get_json()["status"] == "resolved"
    assert_matches_openapi(client, "post", "/api/v1/shipment-exceptions/{exception_id}/resolve", resolved)
    assert client.get("/api/v1/shipment-exceptions", headers=headers["inspector"]).get_json()["total"] == 0
    assert client.get("/api/v1/shipment-exceptions?status=resolved",
                      headers=headers["inspector"]).get_json()["total"] == 1
    assert client.post(url, json={"note": "again"}, headers=headers["inspector"]).status_code == 409
