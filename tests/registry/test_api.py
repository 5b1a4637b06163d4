"""The registry's JSON API: facilities, evidence, inspections, eligibility, finder, public register."""
from __future__ import annotations

import base64

import pytest

from tests.helpers import bearer, make_user
from tests.registry.conftest import LAST_MONTH, TODAY

FACILITY = {"name": "Keystone Lead Recovery", "country": "US",
            "identifiers": {"epa_id": "PAD987654321"}, "address": "Reading, PA",
            "operations": ["R4"], "accepts": ["eaf_dust"], "annual_capacity_tonnes": 1200.5}
PEL = {"standard": "osha-lead-pel", "kind": "measurement", "value": 0.03, "unit": "mg/m3",
       "basis": "8h_twa", "observed_on": LAST_MONTH.isoformat(), "source": "lab report 4411"}


@pytest.fixture
def inspector(db):
    return bearer(db, make_user(db, "inspector"))


@pytest.fixture
def facility_id(client, inspector):
    response = client.post("/api/v1/facilities", json=FACILITY, headers=inspector)
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_registering_a_facility_answers_201_active(client, inspector):
    response = client.post("/api/v1/facilities", json=FACILITY, headers=inspector)
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "active"
    assert body["identifiers"] == {"epa_id": "PAD987654321"}
    assert body["annual_capacity_tonnes"] == 1200.5


def test_a_bad_field_is_a_422_naming_it(client, inspector):
    response = client.post("/api/v1/facilities", headers=inspector,
                           json={**FACILITY, "identifiers": {"epa_id": "PA123"}, "operations": ["R77"]})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"identifiers.epa_id", "operations"}
    assert response.json["error"]["code"] == "validation_failed"


def test_a_wrong_json_type_is_a_400(client, inspector):
    response = client.post("/api/v1/facilities", headers=inspector,
                           json={**FACILITY, "annual_capacity_tonnes": "lots"})
    assert response.status_code == 400
    assert "annual_capacity_tonnes" in response.json["error"]["fields"]


def test_a_shipper_may_read_but_not_register(client, db, facility_id):
    shipper = bearer(db, make_user(db, "shipper"))
    assert client.post("/api/v1/facilities", json=FACILITY, headers=shipper).status_code == 403
    assert client.get(f"/api/v1/facilities/{facility_id}", headers=shipper).json["name"] == FACILITY["name"]


def test_editing_through_the_api(client, inspector, facility_id):
    response = client.patch(f"/api/v1/facilities/{facility_id}", headers=inspector,
                            json={"accepts": ["eaf_dust", "slag"]})
    assert response.status_code == 200
    assert response.json["accepts"] == ["eaf_dust", "slag"]
    assert response.json["identifiers"] == {"epa_id": "PAD987654321"}


def test_the_list_filters_by_country_and_status(client, inspector, facility_id):
    assert client.get("/api/v1/facilities?country=US", headers=inspector).json["total"] == 1
    assert client.get("/api/v1/facilities?country=MX", headers=inspector).json["total"] == 0
    assert client.get("/api/v1/facilities?status=suspended", headers=inspector).json["total"] == 0
    assert client.get("/api/v1/facilities?status=gone", headers=inspector).status_code == 422
    eligible = client.get("/api/v1/facilities?eligible_for=eaf_dust", headers=inspector).json
    assert eligible["total"] == 0  # no evidence yet


def test_a_facility_user_records_unverified_evidence_for_its_own_facility_only(client, db, inspector,
                                                                               facility_id):
    own = bearer(db, make_user(db, "facility", facility_id=facility_id))
    response = client.post(f"/api/v1/facilities/{facility_id}/evidence", json=PEL, headers=own)
    assert response.status_code == 201
    entry = response.json
    assert entry["verified"] is False and entry["value"] == pytest.approx(30.0)
    assert entry["unit"] == "µg/m³" and entry["value_entered"] == "0.03"
    other = client.post("/api/v1/facilities", headers=inspector,
                        json={**FACILITY, "identifiers": {"epa_id": "TXD000000001"}}).json["id"]
    assert client.post(f"/api/v1/facilities/{other}/evidence", json=PEL, headers=own).status_code == 403
    queue = client.get("/api/v1/evidence/unverified", headers=inspector).json
    assert [item["id"] for item in queue["items"]] == [entry["id"]]
    verified = client.post(f"/api/v1/evidence/{entry['id']}/verify", headers=inspector)
    assert verified.status_code == 200 and verified.json["verified"] is True
    assert client.post(f"/api/v1/evidence/{entry['id']}/verify", headers=inspector).status_code == 409


def test_evidence_errors_use_the_contracts_codes(client, inspector, facility_id):
    url = f"/api/v1/facilities/{facility_id}/evidence"
    unit = client.post(url, json={**PEL, "unit": "cubits"}, headers=inspector)
    assert (unit.status_code, unit.json["error"]["code"]) == (422, "unknown_unit")
    standard = client.post(url, json={**PEL, "standard": "nope"}, headers=inspector)
    assert (standard.status_code, standard.json["error"]["code"]) == (422, "unknown_standard")
    assert "standard" in standard.json["error"]["fields"]


def test_a_correction_through_the_api_keeps_the_history(client, inspector, facility_id):
    first = client.post(f"/api/v1/facilities/{facility_id}/evidence", json=PEL, headers=inspector).json
    body = {k: v for k, v in PEL.items() if k not in ("standard", "kind")}
    correction = client.post(f"/api/v1/evidence/{first['id']}/supersede", headers=inspector,
                             json={**body, "value": 0.02, "reason": "lab re-issued the report"})
    assert correction.status_code == 201
    assert correction.json["supersedes_id"] == first["id"]
    history = client.get(f"/api/v1/facilities/{facility_id}/evidence", headers=inspector).json
    by_id = {item["id"]: item for item in history["items"]}
    assert by_id[first["id"]]["superseded_by_id"] == correction.json["id"]
    assert by_id[first["id"]]["value"] == pytest.approx(30.0)


def test_a_violation_suspends_and_the_public_register_shows_the_case(client, db, facility_id):
    inspector_user = make_user(db, "inspector", email="ines@example.com")
    headers = bearer(db, inspector_user)
    pdf = base64.b64encode(b"%PDF-1.4 report").decode()
    response = client.post(f"/api/v1/facilities/{facility_id}/inspections", headers=headers, json={
        "inspected_on": TODAY.isoformat(), "outcome": "violation", "summary": "lead above PEL",
        "findings": [{"standard": "osha-lead-pel", "value": 80, "unit": "µg/m³", "basis": "8h_twa"}],
        "attachments": [{"filename": "r.pdf", "content_type": "application/pdf", "content_base64": pdf}]})
    assert response.status_code == 201, response.json
    assert response.json["attachments"][0]["size"] == len(b"%PDF-1.4 report")
    assert client.get(f"/api/v1/facilities/{facility_id}", headers=headers).json["status"] == "suspended"
    public = client.get("/api/v1/public/facilities")
    assert public.status_code == 200
    (item,) = public.json["items"]
    assert item["status"] == "suspended"
    assert item["inspections"] == [{"inspected_on": TODAY.isoformat(), "outcome": "violation"}]
    assert item["enforcement_cases"][0]["opened_on"] == TODAY.isoformat()
    assert "ines" not in public.get_data(as_text=True)


def test_a_bad_attachment_is_refused(client, inspector, facility_id):
    fake = base64.b64encode(b"MZ not a pdf").decode()
    response = client.post(f"/api/v1/facilities/{facility_id}/inspections", headers=inspector, json={
        "inspected_on": TODAY.isoformat(), "outcome": "compliant",
        "attachments": [{"filename": "r.pdf", "content_type": "application/pdf", "content_base64": fake}]})
    assert response.status_code == 422
    assert "attachments[0]" in response.json["error"]["fields"]


def test_status_transitions_answer_200_then_409(client, inspector, facility_id):
    url = f"/api/v1/facilities/{facility_id}/suspend"
    first = client.post(url, json={"reason": "paperwork lapsed"}, headers=inspector)
    assert (first.status_code, first.json["status"]) == (200, "suspended")
    again = client.post(url, json={"reason": "again"}, headers=inspector)
    assert again.status_code == 409


def test_eligibility_and_finder_explain_themselves(client, inspector, facility_id):
    eligibility = client.get(f"/api/v1/facilities/{facility_id}/eligibility?byproduct=eaf_dust",
                             headers=inspector)
    assert eligibility.status_code == 200
    body = eligibility.json
    assert body["eligible"] is False
    check = next(c for c in body["checks"] if c["standard"] == "osha-lead-pel")
    assert check["verdict"] == "no_evidence" and check["us_limit"]["value"] == 50
    missing = client.get(f"/api/v1/facilities/{facility_id}/eligibility", headers=inspector)
    assert missing.status_code == 422 and "byproduct" in missing.json["error"]["fields"]
    found = client.get("/api/v1/finder?byproduct=eaf_dust&operation=R4", headers=inspector).json
    assert found["eligible"]["total"] == 0
    (other,) = found["ineligible"]["items"]
    assert other["facility"]["id"] == facility_id and any("no_evidence" in r for r in other["reasons"])


CARBON = {"year": 2025, "method": "ghg_protocol", "tonnes_received": 1000, "tonnes_processed": 800,
          "activity": {"sources": [{"source": "kiln fuel", "scope": 1, "amount": 336,
                                    "factor_tco2e_per_unit": 1}]}}


def test_carbon_reports_show_on_the_facility_with_computed_intensities(client, inspector, facility_id):
    response = client.post(f"/api/v1/facilities/{facility_id}/carbon", headers=inspector, json=CARBON)
    assert response.status_code == 201, response.json
    assert (response.json["tonnes_co2e_per_tonne"], response.json["tonnes_co2e_per_tonne_received"],
            response.json["status"]) == (0.42, 0.336, "verified")
    duplicate = client.post(f"/api/v1/facilities/{facility_id}/carbon", headers=inspector, json=CARBON)
    assert duplicate.status_code == 409
    (line,) = client.get(f"/api/v1/facilities/{facility_id}", headers=inspector).json["carbon"]
    assert (line["year"], line["tonnes_co2e_per_tonne"], line["method"], line["status"],
            line["process"], line["legacy"]) == (2025, 0.42, "ghg_protocol", "verified",
                                                 "metals_recovery_kiln", False)
    listed = client.get(f"/api/v1/facilities/{facility_id}/carbon", headers=inspector).json
    assert listed["total"] == 1 and listed["items"][0]["activity"]["sources"][0]["tco2e"] == 336


@pytest.mark.parametrize("change, field", [
    ({"method": "GHG Protocol"}, "method"), ({"method": "ghgrp_subpart_r"}, "method"),
    ({"tonnes_co2e_per_tonne": 0.42}, "tonnes_co2e_per_tonne"),
    ({"tonnes_processed": -1}, "tonnes_processed"),
    ({"activity": {"sources": [{"source": "x", "scope": 3, "amount": 1,
                                "factor_tco2e_per_unit": 1}]}}, "activity.sources[0].scope")])
def test_a_bad_carbon_report_is_a_422_naming_the_field(client, inspector, facility_id, change, field):
    response = client.post(f"/api/v1/facilities/{facility_id}/carbon", headers=inspector,
                           json={**CARBON, **change})
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert client.get(f"/api/v1/facilities/{facility_id}/carbon", headers=inspector).json["total"] == 0


def test_an_inspector_verifies_or_rejects_a_facilitys_carbon_report(client, db, inspector, facility_id):
    own = bearer(db, make_user(db, "facility", facility_id=facility_id))
    report = client.post(f"/api/v1/facilities/{facility_id}/carbon", headers=own, json=CARBON).json
    assert report["status"] == "unverified"
    assert client.post(f"/api/v1/carbon/{report['id']}/verify", headers=own).status_code == 403
    rejected = client.post(f"/api/v1/carbon/{report['id']}/reject", headers=inspector,
                           json={"reason": "no fuel invoices"})
    assert (rejected.status_code, rejected.json["status"]) == (200, "rejected")
    assert client.post(f"/api/v1/carbon/{report['id']}/verify", headers=inspector).status_code == 409
    again = client.post(f"/api/v1/facilities/{facility_id}/carbon", headers=own, json=CARBON).json
    verified = client.post(f"/api/v1/carbon/{again['id']}/verify", headers=inspector)
    assert (verified.status_code, verified.json["status"]) == (200, "verified")
    assert client.post("/api/v1/carbon/999999/verify", headers=inspector).status_code == 404
    methods = client.get("/api/v1/carbon/methods", headers=inspector).json["items"]
    assert {m["code"] for m in methods} >= {"ghgrp_subpart_q", "ghgrp_subpart_r", "ghgrp_subpart_c",
                                            "ghg_protocol"}


def test_the_openapi_document_describes_the_registry(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path in ("/api/v1/facilities", "/api/v1/facilities/{facility_id}/eligibility",
                 "/api/v1/facilities/{facility_id}/evidence", "/api/v1/facilities/{facility_id}/inspections",
                 "/api/v1/public/facilities", "/api/v1/finder"):
        assert path in paths
    assert "patch" in paths["/api/v1/facilities/{facility_id}"]


def test_responses_match_the_openapi_document(client, inspector, facility_id):
    from tests.openapi_check import assert_matches_openapi

    base = "/api/v1/facilities"
    checks = [
        ("get", f"{base}/{facility_id}", "/api/v1/facilities/{facility_id}", None),
        ("get", base, "/api/v1/facilities", None),
        ("get", f"{base}/{facility_id}/eligibility?byproduct=eaf_dust",
         "/api/v1/facilities/{facility_id}/eligibility", None),
        ("post", f"{base}/{facility_id}/evidence", "/api/v1/facilities/{facility_id}/evidence", PEL),
        ("post", f"{base}/{facility_id}/evidence", "/api/v1/facilities/{facility_id}/evidence",
         {**PEL, "unit": "cubits"}),
        ("get", f"{base}/{facility_id}/evidence", "/api/v1/facilities/{facility_id}/evidence", None),
        ("post", f"{base}/{facility_id}/inspections", "/api/v1/facilities/{facility_id}/inspections",
         {"inspected_on": TODAY.isoformat(), "outcome": "violation", "summary": "x"}),
        ("get", "/api/v1/public/facilities", "/api/v1/public/facilities", None),
        ("get", "/api/v1/evidence/unverified", "/api/v1/evidence/unverified", None),
        ("get", "/api/v1/finder?byproduct=eaf_dust&operation=R4", "/api/v1/finder", None),
    ]
    for method, url, template, body in checks:
        response = client.open(url, method=method.upper(), json=body, headers=inspector)
        assert_matches_openapi(client, method, template, response)
