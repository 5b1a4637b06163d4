"""No load moves before the importing and transit countries consent: the API, end to end."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from permits.audit.models import AuditEntry
from permits.consents.models import Consent
from tests.consents.conftest import PAPER, TODAY, approved_permit, decision, shipment
from tests.permits.api_client import CheckedApi

SHIP = "/api/v1/permits/{permit_id}/shipments"
CONSENTS = "/api/v1/permits/{permit_id}/consents"


def test_an_approved_permit_to_mexico_ships_only_after_mexico_consents(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    api = CheckedApi(client)
    shipper, mx = world.headers(db, world.shipper), world.headers(db, world.mx)

    shown = api.get("/api/v1/permits/{permit_id}", path_args={"permit_id": permit.id}, headers=shipper).get_json()
    assert shown["status"] == "approved"
    assert shown["consent_status"] == "pending"
    assert [(c["country"], c["role"], c["status"]) for c in shown["consents"]] == [
        ("MX", "importing", "pending")]

    refused = api.post(SHIP, path_args={"permit_id": permit.id}, headers=shipper, json=shipment(1))
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "consent_pending"
    assert "Mexico" in refused.get_json()["error"]["message"]

    given = api.post(CONSENTS, path_args={"permit_id": permit.id}, headers=mx, json=decision(
        "MX", valid_to=(TODAY + timedelta(days=200)).isoformat(), conditions="sealed containers"))
    assert given.status_code == 201, given.get_json()
    body = given.get_json()
    assert (body["status"], body["channel"], body["conditions"]) == ("granted", "authority",
                                                                     "sealed containers")

    shown = api.get("/api/v1/permits/{permit_id}", path_args={"permit_id": permit.id}, headers=shipper).get_json()
    assert shown["consent_status"] == "granted"
    assert shown["consent_until"] == (TODAY + timedelta(days=200)).isoformat()
    shipped = api.post(SHIP, path_args={"permit_id": permit.id}, headers=shipper, json=shipment(2))
    assert shipped.status_code == 201, shipped.get_json()


def test_an_objection_stops_every_load(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    api = CheckedApi(client)
    objected = api.post(CONSENTS, path_args={"permit_id": permit.id}, headers=world.headers(db, world.mx),
                        json=decision("MX", "objection"))
    assert objected.status_code == 201
    refused = api.post(SHIP, path_args={"permit_id": permit.id}, headers=world.headers(db, world.shipper),
                       json=shipment(1))
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "consent_objected"
    assert "under appeal" in refused.get_json()["error"]["message"]


def test_transit_countries_must_consent_too(client, db, world):
    route = {"exit_port": "Detroit, MI", "entry_port": "Windsor, ON", "transit_countries": ["US"]}
    permit = approved_permit(db, world, world.mx_facility_id, route=route,
                             origin={"name": "Prairie Steel", "country": "CA"})
    api = CheckedApi(client)
    shipper = world.headers(db, world.shipper)
    api.post(CONSENTS, path_args={"permit_id": permit.id}, headers=world.headers(db, world.mx),
             json=decision("MX"))
    still = api.post(SHIP, path_args={"permit_id": permit.id}, headers=shipper, json=shipment(1))
    assert still.get_json()["error"]["code"] == "consent_pending"
    assert "United States" in still.get_json()["error"]["message"]
    api.post(CONSENTS, path_args={"permit_id": permit.id}, headers=world.headers(db, world.us),
             json=decision("US"))
    assert api.post(SHIP, path_args={"permit_id": permit.id}, headers=shipper,
                    json=shipment(2)).status_code == 201


def test_a_domestic_permit_needs_no_consent(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id,
                             origin={"name": "Altos Hornos", "country": "MX"})
    assert permit.consent_status == "granted"
    response = client.post(SHIP.format(permit_id=permit.id), headers=world.headers(db, world.shipper),
                           json=shipment(1))
    assert response.status_code == 201


def test_the_wrong_countrys_authority_is_forbidden(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    api = CheckedApi(client)
    response = api.post(CONSENTS, path_args={"permit_id": permit.id}, headers=world.headers(db, world.ca),
                        json=decision("MX"))
    assert response.status_code == 403
    # Both countries by name (the authority's own too), in the reader's language; codes kept.
    error = response.get_json()["error"]
    assert error["message"] == "An authority of Canada may not decide for Mexico.", error
    assert error["fields"]["country"] == ["you speak for Canada only"]
    spanish = client.post(CONSENTS.format(permit_id=permit.id), json=decision("MX"),
                          headers={**world.headers(db, world.ca), "Accept-Language": "es-MX"})
    assert spanish.get_json()["error"]["code"] == error["code"]
    assert "Canadá" in spanish.get_json()["error"]["message"]
    assert "México" in spanish.get_json()["error"]["message"]
    # It does not even see the permit: Canada was never asked.
    assert api.get("/api/v1/permits/{permit_id}", path_args={"permit_id": permit.id},
                   headers=world.headers(db, world.ca)).status_code == 404
    assert api.get("/api/v1/permits/{permit_id}", path_args={"permit_id": permit.id},
                   headers=world.headers(db, world.mx)).status_code == 200
    for role_user in (world.shipper,):
        assert api.post(CONSENTS, path_args={"permit_id": permit.id}, headers=world.headers(db, role_user),
                        json=decision("MX")).status_code == 403


def test_bad_decisions_are_422_naming_the_field_and_change_nothing(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    api = CheckedApi(client)
    mx = world.headers(db, world.mx)
    cases = {
        "reference": decision("MX", reference=""),
        "decided_on": decision("MX", decided_on=(TODAY + timedelta(days=1)).isoformat()),
        "valid_to": decision("MX", valid_to=(permit.valid_to + timedelta(days=1)).isoformat()),
        "reason": decision("MX", "objection", reason=None),
        "country": decision("US", document=PAPER),
        "decision": decision("MX", decision="maybe"),
    }
    for name, body in cases.items():
        if name == "country":
            response = api.post(CONSENTS, path_args={"permit_id": permit.id},
                                headers=world.headers(db, world.inspector), json=body)
        else:
            response = api.post(CONSENTS, path_args={"permit_id": permit.id}, headers=mx, json=body)
        assert response.status_code == 422, (name, response.get_json())
        assert name in response.get_json()["error"]["fields"], (name, response.get_json())
    with Session(db) as s:
        assert [c.status for c in s.exec(select(Consent)).all()] == ["pending"]
    wrong_type = api.post(CONSENTS, path_args={"permit_id": permit.id}, headers=mx,
                          json=decision("MX", reference=42))
    assert wrong_type.status_code == 400


def test_an_inspector_records_a_paper_consent_with_the_paper_attached(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    api = CheckedApi(client)
    inspector = world.headers(db, world.inspector)
    missing = api.post(CONSENTS, path_args={"permit_id": permit.id}, headers=inspector, json=decision("MX"))
    assert missing.status_code == 422
    assert "document" in missing.get_json()["error"]["fields"]
    recorded = api.post(CONSENTS, path_args={"permit_id": permit.id}, headers=inspector,
                        json=decision("MX", document=PAPER))
    assert recorded.status_code == 201
    body = recorded.get_json()
    assert body["channel"] == "paper" and body["document"]["filename"] == "aoc-mx-1.pdf"
    paper = client.get(f"/api/v1/consents/{body['id']}/document", headers=inspector)
    assert paper.status_code == 200 and paper.data.startswith(b"%PDF")


def test_a_second_decision_needs_an_explicit_audited_revision(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    api = CheckedApi(client)
    mx, shipper = world.headers(db, world.mx), world.headers(db, world.shipper)
    first = api.post(CONSENTS, path_args={"permit_id": permit.id}, headers=mx, json=decision("MX")).get_json()
    again = api.post(CONSENTS, path_args={"permit_id": permit.id}, headers=mx,
                     json=decision("MX", "objection"))
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "consent_already_decided"

    no_reason = api.post("/api/v1/consents/{consent_id}/revision", path_args={"consent_id": first["id"]}, headers=mx,
                         json=decision("MX", "objection"))
    assert no_reason.status_code == 422
    assert "revision_reason" in no_reason.get_json()["error"]["fields"]
    revised = api.post("/api/v1/consents/{consent_id}/revision", path_args={"consent_id": first["id"]}, headers=mx,
                       json={**decision("MX", "objection"), "revision_reason": "appeal lodged"})
    assert revised.status_code == 201
    assert revised.get_json()["revises_id"] == first["id"]
    assert api.post(SHIP, path_args={"permit_id": permit.id}, headers=shipper,
                    json=shipment(1)).get_json()["error"]["code"] == "consent_objected"

    history = api.get(CONSENTS, path_args={"permit_id": permit.id}, headers=shipper).get_json()
    assert [(c["status"], c["standing"]) for c in history["items"]] == [
        ("objected", True), ("granted", False)]
    with Session(db) as s:
        actions = [e.action for e in s.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()]
    assert actions.count("consent.revised") == 1 and "consent.superseded" in actions
    assert actions.count("permit.consent_status") == 2  # pending -> granted -> objected


def test_the_authority_queue_lists_its_own_countrys_requests(client, db, world):
    mx_permit = approved_permit(db, world, world.mx_facility_id)
    ca_permit = approved_permit(db, world, world.ca_facility_id)
    api = CheckedApi(client)
    mx_queue = api.get("/api/v1/consents", headers=world.headers(db, world.mx)).get_json()
    assert [i["permit"]["id"] for i in mx_queue["items"]] == [mx_permit.id]
    assert mx_queue["items"][0]["consent"]["days_left"] is None
    ca_queue = api.get("/api/v1/consents", headers=world.headers(db, world.ca)).get_json()
    assert [i["permit"]["id"] for i in ca_queue["items"]] == [ca_permit.id]
    assert ca_queue["items"][0]["consent"]["days_left"] == 30
    everyone = api.get("/api/v1/consents", headers=world.headers(db, world.inspector)).get_json()
    assert everyone["total"] == 2
    assert client.get("/api/v1/consents",
                      headers=world.headers(db, world.shipper)).status_code == 403
