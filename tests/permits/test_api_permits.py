"""The permits API against API.md: status codes, the error shape, roles, drafts, the review
actions, amendments, idempotent retries, and every answer checked against /api/openapi.json."""
from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from permits.audit.models import AuditEntry
from permits.permitting.models import Permit
from tests.helpers import bearer, make_facility, make_user
from tests.permits.api_client import CheckedApi
from tests.permits.conftest import PEL, application

PERMITS = "/api/v1/permits"
PERMIT = "/api/v1/permits/{permit_id}"


@pytest.fixture
def api(client):
    return CheckedApi(client)


@pytest.fixture
def as_shipper(api, db, shipper):
    return api.as_(bearer(db, shipper))


@pytest.fixture
def as_inspector(api, db, inspector):
    return api.as_(bearer(db, inspector))


def counts(db) -> tuple[int, int]:
    with Session(db) as session:
        return (session.exec(select(func.count()).select_from(Permit)).one(),
                session.exec(select(func.count()).select_from(AuditEntry)).one())


def test_an_approved_application_answers_201_with_its_decision(as_shipper, compliant_facility):
    response = as_shipper.post(PERMITS, json=application(compliant_facility.id))
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == body["decision"]["outcome"] == "approved"
    assert body["number"].startswith("PAR-") and len(body["decision"]["record_hash"]) == 64
    assert body["quantity_tonnes"] == 500 and body["used_tonnes"] == 0
    check = next(c for c in body["decision"]["checks"] if c["standard"] == PEL)
    assert check["us_limit"] == {"value": 50.0, "unit": "µg/m³", "basis": "8h_twa"}
    assert check["facility_measured"]["value"] == 25.0
    assert body["decision"]["verified"] is True


def test_a_facility_lacking_evidence_is_201_under_review_never_422(as_shipper, bare_facility):
    response = as_shipper.post(PERMITS, json=application(bare_facility.id))
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "under_review"
    assert any("no_evidence" in reason for reason in body["decision"]["reasons"])


def test_a_facility_that_does_not_perform_the_operation_is_201_denied(as_shipper,
                                                                      compliant_facility):
    response = as_shipper.post(PERMITS, json=application(compliant_facility.id,
                                                         operation_code="D10"))
    assert response.status_code == 201
    assert response.get_json()["decision"]["outcome"] == "denied"


def test_an_invalid_application_is_422_naming_each_field_and_changes_nothing(
        as_shipper, db, compliant_facility):
    before = counts(db)
    response = as_shipper.post(PERMITS, json=application(
        compliant_facility.id, quantity_tonnes=0, valid_to="2020-01-01", waste_codes=["K069"],
        origin={"name": "Works", "country": "US"}, transporters=[]))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == {"quantity_tonnes", "valid_to", "waste_codes",
                                    "origin.epa_id", "transporters"}
    assert error["fields"]["quantity_tonnes"] == ["must be greater than 0"]
    assert counts(db) == before


def test_wrong_json_types_are_400_naming_each_field(as_shipper, db, compliant_facility):
    before = counts(db)
    response = as_shipper.post(PERMITS, json=application(
        compliant_facility.id, quantity_tonnes="500", shipments_planned=2.5, origin="Ohio",
        receiving_facility_id=True))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "wrong_type"
    assert set(error["fields"]) == {"quantity_tonnes", "shipments_planned", "origin",
                                    "receiving_facility_id"}
    assert counts(db) == before


def test_nested_wrong_types_are_400(as_shipper, compliant_facility):
    response = as_shipper.post(PERMITS, json=application(
        compliant_facility.id, route={"exit_port": 1, "entry_port": "B"}))
    assert response.status_code == 400
    assert "route.exit_port" in response.get_json()["error"]["fields"]


def test_malformed_json_is_400(as_shipper):
    response = as_shipper.post(PERMITS, data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_only_a_shipper_applies(as_inspector, compliant_facility):
    response = as_inspector.post(PERMITS, json=application(compliant_facility.id))
    assert response.status_code == 403


def test_no_token_is_401(api, compliant_facility):
    assert api.post(PERMITS, json=application(compliant_facility.id)).status_code == 401
    assert api.get(PERMITS).status_code == 401


def test_another_organizations_permit_is_404(as_shipper, api, db, compliant_facility):
    permit_id = as_shipper.post(PERMITS, json=application(compliant_facility.id)).get_json()["id"]
    rival = api.as_(bearer(db, make_user(db, "shipper", organization="Rival Recycling")))
    assert rival.get(PERMIT, path_args={"permit_id": permit_id}).status_code == 404
    assert rival.post(PERMIT + "/withdraw", path_args={"permit_id": permit_id}).status_code == 404
    assert rival.get(PERMITS).get_json()["total"] == 0


def test_the_list_is_newest_first_filtered_and_paged(as_shipper, compliant_facility,
                                                     bare_facility):
    ids = [as_shipper.post(PERMITS, json=application(f.id)).get_json()["id"]
           for f in (compliant_facility, bare_facility, compliant_facility)]
    page = as_shipper.get(PERMITS, query_string={"limit": 2}).get_json()
    assert [p["id"] for p in page["items"]] == [ids[2], ids[1]] and page["total"] == 3
    rest = as_shipper.get(PERMITS, query_string={"limit": 2, "cursor": page["next"]}).get_json()
    assert [p["id"] for p in rest["items"]] == [ids[0]] and rest["next"] is None
    approved = as_shipper.get(PERMITS, query_string={"status": "approved"}).get_json()
    assert {p["id"] for p in approved["items"]} == {ids[0], ids[2]}
    assert as_shipper.get(PERMITS, query_string={"status": "granted"}).status_code == 422


def test_a_draft_is_saved_changed_and_submitted(as_shipper, compliant_facility):
    partial = {k: v for k, v in application(compliant_facility.id).items()
               if k not in ("origin", "route", "transporters")}
    draft = as_shipper.post(PERMITS, json={**partial, "draft": True})
    assert draft.status_code == 201
    body = draft.get_json()
    assert (body["status"], body["number"], body["decision"]) == ("draft", None, None)
    path = {"permit_id": body["id"]}
    incomplete = as_shipper.post(PERMIT + "/submit", path_args=path)
    assert incomplete.status_code == 422
    assert {"origin", "route", "transporters"} <= set(incomplete.get_json()["error"]["fields"])
    full = application(compliant_facility.id)
    changed = as_shipper.patch(PERMIT, path_args=path, json={
        "origin": full["origin"], "route": full["route"], "transporters": full["transporters"],
        "quantity_tonnes": 12.345})
    assert changed.status_code == 200 and changed.get_json()["quantity_tonnes"] == 12.345
    submitted = as_shipper.post(PERMIT + "/submit", path_args=path)
    assert submitted.status_code == 200
    assert submitted.get_json()["status"] == "approved"
    assert as_shipper.patch(PERMIT, path_args=path, json={"quantity_tonnes": 1}).status_code == 409


def test_withdraw_then_withdraw_again_is_409(as_shipper, compliant_facility):
    permit_id = as_shipper.post(PERMITS, json=application(compliant_facility.id)).get_json()["id"]
    path = {"permit_id": permit_id}
    first = as_shipper.post(PERMIT + "/withdraw", path_args=path, json={"reason": "cancelled"})
    assert first.status_code == 200 and first.get_json()["status"] == "withdrawn"
    again = as_shipper.post(PERMIT + "/withdraw", path_args=path)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_transition"


def test_revoke_needs_an_inspector_and_a_reason(as_shipper, as_inspector, compliant_facility):
    permit_id = as_shipper.post(PERMITS, json=application(compliant_facility.id)).get_json()["id"]
    path = {"permit_id": permit_id}
    assert as_shipper.post(PERMIT + "/revoke", path_args=path,
                           json={"reason": "x"}).status_code == 403
    assert as_inspector.post(PERMIT + "/revoke", path_args=path, json={}).status_code == 422
    revoked = as_inspector.post(PERMIT + "/revoke", path_args=path,
                                json={"reason": "shipments misdeclared"})
    assert revoked.status_code == 200
    assert (revoked.get_json()["status"], revoked.get_json()["status_reason"]) == (
        "revoked", "shipments misdeclared")
    again = as_inspector.post(PERMIT + "/revoke", path_args=path, json={"reason": "again"})
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "permit_not_active")


def test_the_review_actions(as_shipper, as_inspector, bare_facility, db, client):
    permit_id = as_shipper.post(PERMITS, json=application(bare_facility.id)).get_json()["id"]
    path = {"permit_id": permit_id}
    refused = as_inspector.post(PERMIT + "/approve", path_args=path)
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (409, "checks_not_met")
    again = as_inspector.post(PERMIT + "/re-evaluate", path_args=path)
    assert again.status_code == 200
    assert again.get_json()["decision"]["kind"] == "re_evaluation"
    asked = as_inspector.post(PERMIT + "/evidence-requests", path_args=path,
                              json={"standard": PEL, "message": "Send the PEL lab report"})
    assert asked.status_code == 201 and asked.get_json()["facility_id"] == bare_facility.id
    unknown = as_inspector.post(PERMIT + "/evidence-requests", path_args=path,
                                json={"standard": "no-such-standard", "message": "x"})
    assert unknown.status_code == 422 and "standard" in unknown.get_json()["error"]["fields"]
    facility_user = CheckedApi(client, bearer(db, make_user(db, "facility",
                                                            facility_id=bare_facility.id)))
    seen = facility_user.get("/api/v1/evidence-requests").get_json()
    assert [r["message"] for r in seen["items"]] == ["Send the PEL lab report"]
    denied = as_inspector.post(PERMIT + "/deny", path_args=path,
                               json={"reason": "No evidence after 60 days"})
    assert denied.status_code == 200
    assert denied.get_json()["decision"]["note"] == "No evidence after 60 days"
    closed = facility_user.get("/api/v1/evidence-requests", query_string={"status": "open"})
    assert closed.get_json()["total"] == 0
    history = as_shipper.get(PERMIT + "/decisions", path_args=path).get_json()
    assert [d["kind"] for d in history["items"]] == ["inspector_denial", "re_evaluation",
                                                     "submission"]


def test_another_facility_user_does_not_see_the_request(as_shipper, as_inspector, bare_facility,
                                                        compliant_facility, db, client):
    permit_id = as_shipper.post(PERMITS, json=application(bare_facility.id)).get_json()["id"]
    as_inspector.post(PERMIT + "/evidence-requests", path_args={"permit_id": permit_id},
                      json={"message": "Anything"})
    other = CheckedApi(client, bearer(db, make_user(db, "facility",
                                                    facility_id=compliant_facility.id)))
    assert other.get("/api/v1/evidence-requests").get_json()["total"] == 0


def test_an_amendment_over_the_api(as_shipper, as_inspector, compliant_facility, db):
    permit_id = as_shipper.post(PERMITS, json=application(compliant_facility.id)).get_json()["id"]
    path = {"permit_id": permit_id}
    more = as_shipper.post(PERMIT + "/amendments", path_args=path,
                           json={"changes": {"quantity_tonnes": 800}, "reason": "new contract"})
    assert more.status_code == 201 and more.get_json()["status"] == "approved"
    assert as_shipper.get(PERMIT, path_args=path).get_json()["quantity_tonnes"] == 800
    with Session(db, expire_on_commit=False) as session:
        bare = make_facility(session, "CA")
        session.commit()
    moved = as_shipper.post(PERMIT + "/amendments", path_args=path,
                            json={"changes": {"receiving_facility_id": bare.id}})
    assert moved.get_json()["status"] == "under_review"
    amendment = {"amendment_id": moved.get_json()["id"]}
    refused = as_inspector.post("/api/v1/amendments/{amendment_id}/approve", path_args=amendment)
    assert refused.status_code == 409
    denied = as_inspector.post("/api/v1/amendments/{amendment_id}/deny", path_args=amendment,
                               json={"reason": "new facility has no evidence"})
    assert denied.status_code == 200 and denied.get_json()["status"] == "denied"
    listed = as_shipper.get(PERMIT + "/amendments", path_args=path).get_json()
    assert [a["status"] for a in listed["items"]] == ["denied", "approved"]
    bad = as_shipper.post(PERMIT + "/amendments", path_args=path,
                          json={"changes": {"waste_codes": ["K069"]}})
    assert bad.status_code == 422 and "changes.waste_codes" in bad.get_json()["error"]["fields"]


# --- idempotency ---------------------------------------------------------------------------------

def test_a_retried_application_with_the_same_key_replays_the_first_answer(
        as_shipper, db, compliant_facility):
    body = application(compliant_facility.id)
    key = {"Idempotency-Key": "erp-order-7781"}
    first = as_shipper.post(PERMITS, json=body, headers=key)
    before = counts(db)
    retry = as_shipper.post(PERMITS, json=body, headers=key)
    assert (retry.status_code, retry.get_json()) == (201, first.get_json())
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert counts(db) == before


def test_the_same_key_with_another_body_is_422(as_shipper, db, compliant_facility):
    key = {"Idempotency-Key": "erp-order-7782"}
    as_shipper.post(PERMITS, json=application(compliant_facility.id), headers=key)
    before = counts(db)
    other = as_shipper.post(PERMITS, json=application(compliant_facility.id, quantity_tonnes=9),
                            headers=key)
    assert other.status_code == 422
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert counts(db) == before


def test_a_retried_withdrawal_replays_instead_of_failing(as_shipper, compliant_facility):
    permit_id = as_shipper.post(PERMITS, json=application(compliant_facility.id)).get_json()["id"]
    key = {"Idempotency-Key": "withdraw-1"}
    path = {"permit_id": permit_id}
    first = as_shipper.post(PERMIT + "/withdraw", path_args=path, json={}, headers=key)
    retry = as_shipper.post(PERMIT + "/withdraw", path_args=path, json={}, headers=key)
    assert first.status_code == retry.status_code == 200
    assert retry.get_json() == first.get_json()


def test_a_refused_request_is_replayed_as_refused(as_shipper, compliant_facility, db):
    key = {"Idempotency-Key": "bad-1"}
    body = application(compliant_facility.id, quantity_tonnes=-1)
    first = as_shipper.post(PERMITS, json=body, headers=key)
    assert first.status_code == 422
    assert as_shipper.post(PERMITS, json=body, headers=key).status_code == 422


# --- the public register -------------------------------------------------------------------------

def test_the_public_register_has_no_personal_data(api, as_shipper, compliant_facility, shipper):
    created = as_shipper.post(PERMITS, json=application(compliant_facility.id)).get_json()
    as_shipper.post(PERMITS, json={**application(compliant_facility.id), "draft": True})
    page = api.get("/api/v1/public/permits").get_json()
    assert [p["number"] for p in page["items"]] == [created["number"]]  # no drafts
    text = str(page)
    for private in (shipper.email, "Acme Steel Works", "Border Haulage", "OHD123456789"):
        assert private not in text
    one = api.get("/api/v1/public/permits/{number}", path_args={"number": created["number"]})
    assert one.get_json()["verification"]["matches"] is True
    assert api.get("/api/v1/public/permits/{number}",
                   path_args={"number": "PAR-1999-000001"}).status_code == 404


@pytest.mark.parametrize("coded", [["D008"], ["A1080"]])
def test_eaf_dust_coded_without_k061_is_a_422_naming_waste_codes(client, db, shipper,
                                                                 compliant_facility, coded):
    response = client.post("/api/v1/permits", headers=bearer(db, shipper),
                           json=application(compliant_facility.id, waste_codes=coded))
    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["error"]["fields"]
    assert list(fields) == ["waste_codes"] and "K061" in fields["waste_codes"][0]
