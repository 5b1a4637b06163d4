"""Bad input gets a clear error that names the field, and changes nothing; a 500 is a bug.

One test per bug the fuzzing of the API found, each named after the rule it enforces. Every
answer is also checked against the served OpenAPI document.
"""
from __future__ import annotations

import base64
import json

import pytest

from permits.api.errors import http_status
from permits.permitting.rules import InvalidApplication, clean_application
from permits.shipments.services import kg_from_tonnes
from standards.errors import DomainError, UnknownUnit
from standards.units import to_canonical
from tests.api_robustness.world import PEL, TODAY, fingerprint
from tests.openapi_check import assert_matches_openapi
from tests.permits.conftest import application

BEYOND_ANY_ID = ("2147483648", "99999999999", "1" + "0" * 30)
EVIDENCE = {"standard": PEL, "kind": "measurement", "value": 20, "unit": "µg/m³",
            "basis": "8h_twa", "observed_on": TODAY.isoformat(), "source": "lab report 4411"}


def _cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def _error(client, response, status: int, template: str, method: str = "get") -> dict:
    """The error of a response that must have this status, checked against the document."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert_matches_openapi(client, method, template, response)
    return response.get_json()["error"]


# --- ids: the path, the body, the query, the cursor -------------------------------------------

@pytest.mark.parametrize("record_id", BEYOND_ANY_ID)
def test_a_path_id_beyond_the_id_columns_is_a_404_not_a_500(client, cast, record_id):
    shipper = cast.headers["shipper"]
    for method, path, template in (
            ("get", f"/api/v1/permits/{record_id}", "/api/v1/permits/{permit_id}"),
            ("patch", f"/api/v1/permits/{record_id}", "/api/v1/permits/{permit_id}"),
            ("post", f"/api/v1/permits/{record_id}/withdraw", "/api/v1/permits/{permit_id}/withdraw"),
            ("get", f"/api/v1/facilities/{record_id}", "/api/v1/facilities/{facility_id}"),
            ("get", f"/api/v1/shipments/{record_id}", "/api/v1/shipments/{shipment_id}")):
        response = client.open(path, method=method, headers=shipper, json={})
        assert _error(client, response, 404, template, method)["code"] == "not_found", (method, path)


def test_a_path_id_in_another_scripts_digits_names_no_record(client, cast):
    """Facility 1 exists; "\u0661" is an Arabic-Indic 1, which is not how an id is written."""
    response = client.get("/api/v1/facilities/\u0661", headers=cast.headers["shipper"])
    assert _error(client, response, 404, "/api/v1/facilities/{facility_id}")["code"] == "not_found"


def test_a_receiving_facility_id_beyond_the_id_columns_is_a_422_naming_it(client, db, cast):
    before = fingerprint(db)
    response = client.post("/api/v1/permits", headers=cast.headers["shipper"],
                        json=application(1, receiving_facility_id=2**31))
    error = _error(client, response, 422, "/api/v1/permits", "post")
    assert error["fields"] == {"receiving_facility_id": [f"no facility with id {2**31} is registered"]}
    assert fingerprint(db) == before


@pytest.mark.parametrize("path", ["/api/v1/permits", "/api/v1/public/permits",
                                  "/api/v1/public/facilities", "/api/v1/shipment-exceptions"])
def test_a_cursor_naming_an_id_beyond_the_id_columns_is_a_400_naming_the_cursor(client, cast, path):
    for before in (10**22, 2**31, 0, True, "7"):
        response = client.get(path, query_string={"cursor": _cursor({"before": before})},
                           headers=cast.headers["inspector"])
        error = _error(client, response, 400, path)
        assert error["fields"] == {"cursor": ["not a cursor this API issued"]}, before


def test_an_offset_cursor_beyond_any_row_is_a_400_naming_the_cursor(client, cast):
    cursor = base64.urlsafe_b64encode(b"offset:99999999999999999999999").decode()
    response = client.get("/api/v1/evidence/unverified", query_string={"cursor": cursor},
                       headers=cast.headers["inspector"])
    assert _error(client, response, 400, "/api/v1/evidence/unverified")["fields"] == {
        "cursor": ["not a cursor this API issued"]}


def test_an_export_scope_id_beyond_the_id_columns_is_a_404(client, cast):
    for scope in ("permit_id", "facility_id", "organization_id"):
        response = client.get("/api/v1/shipments/export", query_string={scope: str(2**64)},
                           headers=cast.headers["inspector"])
        assert _error(client, response, 404, "/api/v1/shipments/export")["code"] == "not_found", scope


# --- whole numbers in the query string ---------------------------------------------------------

@pytest.mark.parametrize("limit", ["+5", " 5", "\u0665", "5.0", "1e2"])
def test_a_limit_not_written_in_plain_ascii_digits_is_a_400_naming_it(client, cast, limit):
    response = client.get("/api/v1/permits", query_string={"limit": limit},
                       headers=cast.headers["shipper"])
    assert _error(client, response, 400, "/api/v1/permits")["fields"] == {"limit": ["must be a whole number"]}


def test_a_report_version_beyond_the_id_columns_is_a_422_naming_it(client, cast):
    path = f"/api/v1/reports/monthly_compliance/{TODAY:%Y-%m}"
    response = client.get(path, query_string={"version": "9" * 30}, headers=cast.headers["admin"])
    assert _error(client, response, 400, "/api/v1/reports/{kind}/{period}")["fields"] == {
        "version": ["must be a whole number"]}
    response = client.get(path, query_string={"version": str(2**31)}, headers=cast.headers["admin"])
    assert "version" in _error(client, response, 422, "/api/v1/reports/{kind}/{period}")["fields"]


# --- quantities --------------------------------------------------------------------------------

def test_a_quantity_of_1e300_tonnes_is_a_422_naming_the_field_not_a_500(client, db, cast):
    before = fingerprint(db)
    response = client.post("/api/v1/permits", headers=cast.headers["shipper"],
                        json=application(1, quantity_tonnes=1e300))
    assert _error(client, response, 422, "/api/v1/permits", "post")["fields"] == {
        "quantity_tonnes": ["must be at most 1,000,000 tonnes"]}
    assert fingerprint(db) == before


def test_an_absurd_quantity_typed_on_a_form_is_refused_by_the_rules(session):
    for typed in ("1e999999999", "1e-999999999"):
        with pytest.raises(InvalidApplication) as caught:
            clean_application(session, application(1, quantity_tonnes=typed), today=TODAY)
        assert "quantity_tonnes" in caught.value.fields, typed


@pytest.mark.parametrize("typed", ["1e-999999999", "0.0001", 1e-300])
def test_a_shipment_too_light_to_weigh_in_kilograms_is_a_422_not_zero_kilograms(typed):
    with pytest.raises(DomainError) as caught:
        kg_from_tonnes(typed)
    assert http_status(caught.value) == 422
    assert caught.value.fields == {"quantity_tonnes": ["must have at most 3 decimals (whole kilograms)"]}


def test_a_shipment_heavier_than_decimal_arithmetic_is_a_422_naming_the_field():
    with pytest.raises(DomainError) as caught:
        kg_from_tonnes("1e999999999")
    assert caught.value.fields == {"quantity_tonnes": ["must be at most 1,000,000 tonnes"]}


# --- the JSON body -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ['{"reason": NaN}', '{"reason": Infinity}', '{"reason": -Infinity}'])
def test_nan_and_infinity_are_not_json_and_are_a_400(client, db, cast, raw):
    response = client.post("/api/v1/permits/1/withdraw", data=raw, content_type="application/json",
                        headers=cast.headers["shipper"])
    assert _error(client, response, 400, "/api/v1/permits/{permit_id}/withdraw", "post")["code"] == \
        "malformed_json"


def test_a_body_nested_past_any_request_is_a_400_not_a_recursion_error(client, db, cast):
    before = fingerprint(db)
    for depth in (40, 100_000):
        response = client.post("/api/v1/permits/1/withdraw", content_type="application/json",
                            data="[" * depth + "]" * depth, headers=cast.headers["shipper"])
        assert _error(client, response, 400, "/api/v1/permits/{permit_id}/withdraw", "post")["code"] == \
            "malformed_json"
    assert fingerprint(db) == before


@pytest.mark.parametrize("text, problem", [
    ("Leaking\x00drums", "must not contain a NUL character"),
    ("Leaking\ud800drums", "is not valid Unicode text (an unpaired surrogate)"),
])
def test_text_no_database_can_store_is_a_422_naming_the_field_and_changes_nothing(
        client, db, cast, text, problem):
    before = fingerprint(db)
    body = application(1, transporters=[{"name": text, "country": "US"}])
    raw = json.dumps(body)  # json.dumps escapes both, as any client would send them
    response = client.post("/api/v1/permits", data=raw, content_type="application/json",
                        headers=cast.headers["shipper"])
    assert _error(client, response, 422, "/api/v1/permits", "post")["fields"] == {
        "transporters[0].name": [problem]}
    assert fingerprint(db) == before


def test_a_nul_in_the_query_is_a_422_naming_the_parameter_and_in_the_path_a_404(client, cast):
    response = client.get("/api/v1/finder", query_string={"byproduct": "eaf\x00", "operation": "R4"},
                       headers=cast.headers["shipper"])
    assert _error(client, response, 422, "/api/v1/finder")["fields"] == {
        "byproduct": ["must not contain a NUL character"]}
    response = client.get("/api/v1/standards/osha%00", headers=cast.headers["shipper"])
    assert _error(client, response, 404, "/api/v1/standards/{code}")["code"] == "not_found"


# --- units and values --------------------------------------------------------------------------

@pytest.mark.parametrize("unit", ["\u00a8", "0/0", "';", ":0m.,[3"])
def test_text_pint_cannot_parse_is_an_unknown_unit_never_a_crash(unit):
    with pytest.raises(UnknownUnit):
        to_canonical(1.0, unit, "µg/m³")


@pytest.mark.parametrize("unit", ["0.001 µg/m³", "1e-300 g/m3", "2 mg/m3"])
def test_a_unit_with_a_number_in_it_is_refused_so_no_value_is_scaled_to_pass(client, db, cast, unit):
    before = fingerprint(db)
    response = client.post("/api/v1/facilities/1/evidence", json={**EVIDENCE, "unit": unit},
                        headers=cast.headers["inspector"])
    error = _error(client, response, 422, "/api/v1/facilities/{facility_id}/evidence", "post")
    assert error["code"] == "unknown_unit" and list(error["fields"]) == ["unit"]
    assert fingerprint(db) == before


def test_a_unit_a_blood_standard_is_written_in_still_converts():
    assert to_canonical(30.0, "µg/100g", "µg/dL") == 30.0


def test_a_value_too_large_to_convert_is_a_422_naming_the_value(client, db, cast):
    before = fingerprint(db)
    response = client.post("/api/v1/facilities/1/evidence",
                        json={**EVIDENCE, "value": 1e308, "unit": "g/m³"},
                        headers=cast.headers["inspector"])
    assert _error(client, response, 422, "/api/v1/facilities/{facility_id}/evidence", "post")["fields"] == {
        "value": ["is too large to express in µg/m³"]}
    response = client.post(f"/api/v1/standards/{PEL}/versions", headers=cast.headers["admin"],
                        json={"value": 1e308, "unit": "g/m³", "effective_from": "2099-01-01",
                              "citation": "29 CFR 1910.1025"})
    assert _error(client, response, 422, "/api/v1/standards/{code}/versions", "post")["fields"] == {
        "value": ["is too large to express in µg/m³"]}
    assert fingerprint(db) == before


def test_a_value_typed_longer_than_its_column_is_a_422_naming_it(client, db, cast):
    response = client.post("/api/v1/facilities/1/evidence", json={**EVIDENCE, "value": "0" * 99 + "1"},
                        headers=cast.headers["inspector"])
    assert _error(client, response, 422, "/api/v1/facilities/{facility_id}/evidence", "post")["fields"] == {
        "value": ["must be at most 60 characters as typed"]}


# --- naming nested fields as the body nests them -----------------------------------------------

def test_a_facility_identifier_error_names_it_inside_identifiers(client, cast):
    response = client.post("/api/v1/facilities", headers=cast.headers["inspector"], json={
        "name": "Fundidora Norte", "country": "MX", "identifiers": {}, "address": "Monterrey",
        "operations": ["R4"], "accepts": ["eaf_dust"], "annual_capacity_tonnes": 1000})
    assert list(_error(client, response, 422, "/api/v1/facilities", "post")["fields"]) == [
        "identifiers.semarnat_nra"]


def test_an_amendment_error_names_the_field_inside_changes(client, world):
    path, template = "/api/v1/permits/1/amendments", "/api/v1/permits/{permit_id}/amendments"
    shipper = world.headers["shipper"]
    wrong_type = client.post(path, headers=shipper, json={"changes": {"quantity_tonnes": "lots"}})
    assert list(_error(client, wrong_type, 400, template, "post")["fields"]) == ["changes.quantity_tonnes"]
    invalid = client.post(path, headers=shipper, json={"changes": {"quantity_tonnes": -1}})
    assert list(_error(client, invalid, 422, template, "post")["fields"]) == ["changes.quantity_tonnes"]
    fixed = client.post(path, headers=shipper, json={"changes": {"byproduct": "slag"}})
    assert list(_error(client, fixed, 422, template, "post")["fields"]) == ["changes.byproduct"]


# --- the error shape everywhere under /api -----------------------------------------------------

def test_even_the_bare_api_prefix_answers_json(client):
    response = client.get("/api")
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "not_found"


def test_every_authenticated_post_documents_its_idempotency_key_and_422(client):
    document = client.get("/api/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "post" and operation.get("security") != []:
                names = {p["name"] for p in operation.get("parameters", [])}
                assert "Idempotency-Key" in names and "422" in operation["responses"], path
            if "{" in path:
                assert "404" in operation["responses"], (method, path)


@pytest.mark.parametrize("spelling", ["20261101", "2026-W01-1", "2026-305", " 2026-11-1", "2026-11-1"])
def test_dates_take_one_spelling_yyyy_mm_dd(spelling):
    from facility_registry.validation import iso_date

    with pytest.raises(ValueError):
        iso_date(spelling)
    assert iso_date("2026-11-01").isoformat() == "2026-11-01"
