"""The catalogue's pages: grouped by medium with citations, a day's view, versions, the admin form."""
from __future__ import annotations

import re

import pytest

from tests.catalogue_web.conftest import LATER, PEL, PRACTICE, catalogue_entries, versions_of
from tests.helpers import login, make_user

FORM = f"/standards/{PEL}/versions/new"
GOOD = {"value": "40", "unit": "µg/m³", "effective_from": LATER,
        "citation": "29 CFR 1910.1025(c), as amended", "note": "Lowered."}


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


def _sections(html: str) -> dict[str, str]:
    """Each medium's <section>, keyed by the medium in its heading's id."""
    return dict(re.findall(r'<section aria-labelledby="medium-(\w+)">(.*?)</section>', html, re.S))


def _row(html: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return match.group(1)


def _field_errors(html: str, field: str) -> str:
    match = re.search(rf'<ul id="{field}-errors" class="errors">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


@pytest.fixture
def signed_in_admin(client, admin):
    login(client, admin)
    return admin


@pytest.mark.parametrize("role", ["shipper", "inspector", "admin"])
def test_every_signed_in_role_reads_the_catalogue_grouped_by_medium(client, db, role):
    login(client, make_user(db, role))
    sections = _sections(_page(client, "/standards"))
    assert list(sections) == ["workplace_air", "blood", "ambient_air", "stack_gas", "leachate",
                              "wastewater", "practice"]
    assert re.search(r'<h2 id="medium-workplace_air">Workplace air</h2>', sections["workplace_air"])
    pel = _row(sections["workplace_air"], PEL)
    assert "at most <strong class=\"value\">50\u00a0µg/m³</strong>" in pel
    assert "<cite>29 CFR 1910.1025(c)</cite>" in pel and "8-hour time-weighted average" in pel
    assert "Nov 14, 1978" in pel
    assert "less than" in _row(sections["stack_gas"], "epa-eaf-control-device-opacity")
    practice = _row(sections["practice"], PRACTICE)
    assert "required practice" in practice and "must be in place" in practice
    assert PEL not in sections["practice"]


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/standards")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_shows_what_was_in_force_on_the_day_picked(client, db, signed_in_admin):
    assert client.post(FORM, data=GOOD).status_code == 302
    today = _row(_page(client, "/standards"), PEL)
    assert "50\u00a0µg/m³" in today and "next:" in today and "Jan 1, 2030" in today
    before = _row(_page(client, "/standards?on=2029-12-31"), PEL)
    assert "50\u00a0µg/m³" in before and "Nov 14, 1978" in before
    after = _row(_page(client, f"/standards?on={LATER}"), PEL)
    assert "40\u00a0µg/m³" in after and "29 CFR 1910.1025(c), as amended" in after
    assert "next:" not in after


def test_the_byproduct_filter_leaves_out_what_does_not_apply(client, db, signed_in_admin):
    sections = _sections(_page(client, "/standards?byproduct=eaf_dust"))
    assert "wastewater" not in sections  # the secondary-lead effluent limits are not about EAF dust
    assert "epa-eaf-particulate" in sections["stack_gas"]


def test_bad_filters_are_named_and_today_is_shown(client, db, signed_in_admin):
    html = _page(client, "/standards?on=2026-13-01&byproduct=gold_dust")
    assert _field_errors(html, "on") and _field_errors(html, "byproduct")
    assert "standards in force today" in html
    assert "wastewater" in _sections(html)


def test_a_standards_page_lists_its_versions_newest_first(client, db, signed_in_admin):
    client.post(FORM, data=GOOD)
    html = _page(client, f"/standards/{PEL}")
    versions = re.findall(r"<tr>\s*<td>(\d+)", html)
    assert versions == ["2", "1"]
    assert '<span class="badge draft">scheduled</span>' in html
    assert '<span class="badge active">in force</span>' in html
    assert _page(client, "/standards/no-such-standard", status=404)


def test_an_admin_adds_a_version_through_the_form(client, db, signed_in_admin):
    response = client.post(FORM, data={**GOOD, "value": "0.04", "unit": "mg/m3"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/standards/{PEL}")
    new = versions_of(db, PEL)[-1]
    assert (new.version, new.value, new.unit, new.citation, new.note) == (
        2, 40.0, "µg/m³", GOOD["citation"], "Lowered.")
    [entry] = catalogue_entries(db)
    assert entry.actor_id == signed_in_admin.id and entry.action == "standard.version_added"


def test_the_form_keeps_what_was_typed_and_names_the_bad_field(client, db, signed_in_admin):
    typed = {**GOOD, "unit": "furlongs", "note": "Keep me"}
    response = client.post(FORM, data=typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "furlongs" in _field_errors(html, "unit")
    for name in ("value", "unit", "effective_from", "citation"):
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(typed[name])}"', html) or \
            re.search(rf'value="{re.escape(typed[name])}"[^>]*name="{name}"', html), name
    assert "Keep me</textarea>" in html
    assert len(versions_of(db, PEL)) == 1 and catalogue_entries(db) == []


@pytest.mark.parametrize("change, field", [
    ({"citation": ""}, "citation"), ({"value": "forty"}, "value"), ({"value": ""}, "value"),
    ({"effective_from": ""}, "effective_from"), ({"effective_from": "1970-01-01"}, "effective_from"),
])
def test_the_form_refuses_each_missing_or_bad_field(client, db, signed_in_admin, change, field):
    response = client.post(FORM, data={**GOOD, **change})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _field_errors(html, field)
    assert len(versions_of(db, PEL)) == 1


def test_a_practice_is_versioned_by_ticking_in_place(client, db, signed_in_admin):
    url = f"/standards/{PRACTICE}/versions/new"
    html = _page(client, url)
    assert 'name="in_place"' in html and 'name="unit"' not in html
    fields = {"effective_from": LATER, "citation": "29 CFR 1910.1025(j)(2)"}
    assert _field_errors(client.post(url, data=fields).get_data(as_text=True), "in_place")
    assert client.post(url, data={**fields, "in_place": "y"}).status_code == 302
    assert versions_of(db, PRACTICE)[-1].citation == "29 CFR 1910.1025(j)(2)"


@pytest.mark.parametrize("role", ["shipper", "inspector"])
def test_only_an_admin_opens_or_posts_the_form(client, db, role):
    login(client, make_user(db, role))
    assert client.get(FORM).status_code == 403
    assert client.post(FORM, data=GOOD).status_code == 403
    assert 'href="/standards/osha-lead-pel/versions/new"' not in _page(client, f"/standards/{PEL}")
    assert len(versions_of(db, PEL)) == 1


def test_the_form_needs_its_csrf_token(app, client, db, signed_in_admin):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(FORM, data=GOOD).status_code == 400
    assert len(versions_of(db, PEL)) == 1
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', _page(client, FORM)).group(1)
    assert client.post(FORM, data={**GOOD, "csrf_token": token}).status_code == 302
    assert len(versions_of(db, PEL)) == 2


def test_the_codes_page_lists_waste_codes_and_marks_interim_operations(client, db, signed_in_admin):
    html = _page(client, "/codes")
    assert "EAF dust" in _row(html, "K061") and "40 CFR 261.32" in _row(html, "K061")
    assert "Lead-acid battery dust" in _row(html, "K069")
    assert "interim" in _row(html, "R13") and "interim" in _row(html, "D15")
    assert "interim" not in _row(html, "R4")


def test_the_navigation_offers_the_standards_to_every_role(client, db):
    login(client, make_user(db, "shipper"))
    assert '<a href="/standards"' in _page(client, "/")
