"""The catalogue over the API: API.md's shapes, what was in force on a day, versions, codes."""
from __future__ import annotations

import pytest

from tests.catalogue_web.conftest import LATER, PEL, PRACTICE, catalogue_entries, versions_of
from tests.helpers import bearer, make_user
from tests.openapi_check import assert_matches_openapi

NEW_PEL = {"value": 40, "unit": "µg/m³", "effective_from": LATER,
           "citation": "29 CFR 1910.1025(c), as amended", "note": "Lowered."}


def _items(client, headers, query: str = "") -> dict[str, dict]:
    response = client.get(f"/api/v1/standards{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    assert_matches_openapi(client, "get", "/api/v1/standards", response)
    return {item["code"]: item for item in response.get_json()["items"]}


def _add_version(client, headers, code: str = PEL, **body):
    return client.post(f"/api/v1/standards/{code}/versions", json={**NEW_PEL, **body}, headers=headers)


def test_each_standard_has_the_shape_api_md_shows(client, shipper_headers):
    response = client.get("/api/v1/standards?limit=100", headers=shipper_headers)
    body = response.get_json()
    assert body["total"] == len(body["items"]) == 54
    assert body["next"] is None
    pel = {i["code"]: i for i in body["items"]}[PEL]
    assert pel == {
        "code": PEL, "title": "Lead, workplace air: permissible exposure limit", "pollutant": "lead",
        "medium": "workplace_air", "category": "occupational",
        "limit": {"value": 50, "unit": "µg/m³"}, "basis": "8h_twa", "direction": "max",
        "applies_to": ["lead_acid_battery_dust", "eaf_dust", "slag"],
        "citation": "29 CFR 1910.1025(c)", "source": "us_federal", "effective_from": "1978-11-14",
        "version": 1, "freshness_months": 12, "exclusive": False,
        "note": "For a shift longer than 8 hours the limit is 400 ÷ hours worked (29 CFR 1910.1025(c)(2)).",
        "processes": pel["processes"], "unconfirmed": pel["unconfirmed"], "evidence_required": None,
    }
    assert isinstance(pel["processes"], list) and isinstance(pel["unconfirmed"], bool)
    assert_matches_openapi(client, "get", "/api/v1/standards", response)


def test_a_required_practice_has_the_limit_true_and_no_unit(client, shipper_headers):
    practice = _items(client, shipper_headers)[PRACTICE]
    assert practice["direction"] == "required"
    assert practice["limit"] == {"value": True, "unit": None}


def test_opacity_limits_say_that_the_value_itself_fails(client, shipper_headers):
    assert _items(client, shipper_headers)["epa-eaf-control-device-opacity"]["exclusive"] is True


def test_a_version_shows_from_its_effective_date_and_the_older_one_before(client, admin_headers):
    assert _add_version(client, admin_headers).status_code == 201
    assert _items(client, admin_headers)[PEL]["version"] == 1  # today is before 2030
    day_before = _items(client, admin_headers, "?on=2029-12-31")[PEL]
    assert (day_before["version"], day_before["limit"]["value"]) == (1, 50)
    from_then = _items(client, admin_headers, f"?on={LATER}")[PEL]
    assert (from_then["version"], from_then["limit"]["value"]) == (2, 40)
    assert from_then["citation"] == "29 CFR 1910.1025(c), as amended"


def test_nothing_is_in_force_before_its_first_version(client, shipper_headers):
    assert PEL not in _items(client, shipper_headers, "?on=1978-11-13")
    assert PEL in _items(client, shipper_headers, "?on=1978-11-14")


def test_byproduct_selects_the_standards_that_apply_to_it(client, shipper_headers):
    eaf = _items(client, shipper_headers, "?byproduct=eaf_dust")
    assert "epa-eaf-particulate" in eaf
    assert "epa-secondary-lead-effluent-daily-max" not in eaf
    assert all("eaf_dust" in item["applies_to"] for item in eaf.values())


@pytest.mark.parametrize("query, field", [("?byproduct=gold_dust", "byproduct"),
                                          ("?on=2026-02-30", "on"), ("?limit=0", "limit")])
def test_a_bad_query_is_422_naming_the_parameter(client, shipper_headers, query, field):
    response = client.get(f"/api/v1/standards{query}", headers=shipper_headers)
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == [field]
    assert_matches_openapi(client, "get", "/api/v1/standards", response)


def test_pages_follow_the_cursor_through_every_standard_once(client, shipper_headers):
    seen, query = [], "?limit=10"
    while True:
        body = client.get(f"/api/v1/standards{query}", headers=shipper_headers).get_json()
        assert body["total"] == 54 and len(body["items"]) <= 10
        seen += [item["code"] for item in body["items"]]
        if body["next"] is None:
            break
        query = f"?limit=10&cursor={body['next']}"
    assert seen == sorted(set(seen)) and len(seen) == 54


def test_a_forged_cursor_is_400(client, shipper_headers):
    response = client.get("/api/v1/standards?cursor=bm90LWEtY3Vyc29y", headers=shipper_headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_cursor"


def test_history_lists_every_version_newest_first_with_its_dates(client, admin_headers):
    _add_version(client, admin_headers)
    response = client.get(f"/api/v1/standards/{PEL}", headers=admin_headers)
    assert response.status_code == 200
    assert_matches_openapi(client, "get", "/api/v1/standards/{code}", response)
    body = response.get_json()
    assert body["in_force_version"] == 1
    assert [(v["version"], v["effective_from"], v["effective_until"]) for v in body["versions"]] == [
        (2, LATER, None), (1, "1978-11-14", LATER)]


def test_an_unknown_standard_is_404(client, db, admin_headers):
    for response in (client.get("/api/v1/standards/no-such-thing", headers=admin_headers),
                     _add_version(client, admin_headers, code="no-such-thing")):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    assert catalogue_entries(db) == []


def test_an_admin_adds_a_version_with_its_audit_entry(client, db, admin, admin_headers):
    response = _add_version(client, admin_headers, value=0.04, unit="mg/m3")
    assert response.status_code == 201
    assert_matches_openapi(client, "post", "/api/v1/standards/{code}/versions", response)
    body = response.get_json()
    assert (body["version"], body["limit"], body["effective_from"]) == (
        2, {"value": 40, "unit": "µg/m³"}, LATER)  # stored in the standard's own unit
    [entry] = catalogue_entries(db)
    assert (entry.action, entry.actor_id) == ("standard.version_added", admin.id)
    assert entry.before["version"] == 1 and entry.after["version"] == 2
    assert entry.after["citation"] == NEW_PEL["citation"]


def test_a_required_practice_takes_true_and_no_unit(client, admin_headers):
    response = _add_version(client, admin_headers, code=PRACTICE, value=True, unit=None)
    assert response.status_code == 201
    assert response.get_json()["limit"] == {"value": True, "unit": None}


@pytest.mark.parametrize("role", ["shipper", "inspector"])
def test_only_an_admin_adds_a_version(client, db, role):
    response = _add_version(client, bearer(db, make_user(db, role)))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert len(versions_of(db, PEL)) == 1


@pytest.mark.parametrize("change, status, code, field", [
    ({"citation": None}, 422, "validation_failed", "citation"),
    ({"citation": "   "}, 422, "validation_failed", "citation"),
    ({"effective_from": None}, 422, "validation_failed", "effective_from"),
    ({"unit": "furlongs"}, 422, "unknown_unit", "unit"),
    ({"unit": "mg/kg"}, 422, "unknown_unit", "unit"),  # a unit, but not of a concentration in air
    ({"effective_from": "1970-01-01"}, 422, "validation_failed", "effective_from"),
    ({"effective_from": "2030-02-30"}, 422, "validation_failed", "effective_from"),
    ({"value": True}, 422, "validation_failed", "value"),
    ({"value": "40"}, 400, "wrong_type", "value"),
    ({"basis": "annual"}, 422, "validation_failed", "basis"),
])
def test_bad_input_names_the_field_and_changes_nothing(client, db, admin_headers, change, status,
                                                      code, field):
    body = {k: v for k, v in {**NEW_PEL, **change}.items() if v is not None}
    response = client.post(f"/api/v1/standards/{PEL}/versions", json=body, headers=admin_headers)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert (error["code"], list(error["fields"])) == (code, [field])
    assert_matches_openapi(client, "post", "/api/v1/standards/{code}/versions", response)
    assert len(versions_of(db, PEL)) == 1
    assert catalogue_entries(db) == []


def test_the_same_idempotency_key_adds_one_version(client, db, admin_headers):
    headers = {**admin_headers, "Idempotency-Key": "pel-2030"}
    first, second = _add_version(client, headers), _add_version(client, headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert [v.version for v in versions_of(db, PEL)] == [1, 2]


def test_waste_codes_name_the_byproducts_they_describe(client, shipper_headers):
    response = client.get("/api/v1/codes/waste", headers=shipper_headers)
    assert response.status_code == 200
    assert_matches_openapi(client, "get", "/api/v1/codes/waste", response)
    codes = {item["code"]: item for item in response.get_json()["items"]}
    assert codes["K061"]["byproducts"] == ["eaf_dust"] and codes["K061"]["system"] == "rcra"
    eaf = client.get("/api/v1/codes/waste?byproduct=eaf_dust", headers=shipper_headers).get_json()
    assert "K061" in {i["code"] for i in eaf["items"]} and "K069" not in {i["code"] for i in eaf["items"]}


def test_operation_codes_mark_the_interim_ones(client, shipper_headers):
    response = client.get("/api/v1/codes/operations", headers=shipper_headers)
    assert_matches_openapi(client, "get", "/api/v1/codes/operations", response)
    items = response.get_json()["items"]
    interim = {i["code"] for i in items if i["interim"]}
    assert interim == {"R12", "R13", "D13", "D14", "D15"}
    assert [i["code"] for i in items][:2] == ["R1", "R2"] and items[-1]["code"] == "D15"


def test_the_catalogue_needs_a_token(client):
    for path in ("/api/v1/standards", f"/api/v1/standards/{PEL}", "/api/v1/codes/waste",
                 "/api/v1/codes/operations"):
        assert client.get(path).status_code == 401
