"""The user form's facility pick-list stays short however large the register: at most
FACILITY_CHOICES facilities, narrowed by a search on the name and the country (a plain submit
button, no script), the chosen facility always listed, and nothing typed lost on a search."""
from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from permits.accounts import services as accounts
from permits.admin.views import FACILITY_CHOICES
from tests.helpers import login, make_facility, make_user


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    login(client, admin)
    return client


@pytest.fixture
def register(db) -> dict[str, int]:
    """More facilities than the list shows: kilns in Mexico, smelters in the United States."""
    ids = {}
    with Session(db, expire_on_commit=False) as session:
        for n in range(FACILITY_CHOICES // 2 + 3):
            ids[f"Kiln {n:02d}"] = make_facility(session, "MX", name=f"Kiln {n:02d}").id
            ids[f"Smelter {n:02d}"] = make_facility(session, "US", name=f"Smelter {n:02d}").id
        session.commit()
    return ids


def _options(response) -> list[str]:
    html = response.get_data(as_text=True)
    select = re.search(r'<select[^>]*name="facility_id"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option[^>]*value="(\d*)"', select)


def _selected(response) -> str:
    html = response.get_data(as_text=True)
    select = re.search(r'<select[^>]*name="facility_id"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.search(r'<option selected value="(\d*)"|<option value="(\d*)" selected', select).group(0)


def test_the_list_is_bounded_and_says_how_to_narrow_it(admin_client, register):
    page = admin_client.get("/admin/users/new")
    ids = [i for i in _options(page) if i]
    assert len(register) > FACILITY_CHOICES
    assert len(ids) == FACILITY_CHOICES
    assert "narrow the search" in page.get_data(as_text=True)


def test_a_search_narrows_by_name_and_country_and_keeps_what_was_typed(admin_client, register, db):
    page = admin_client.post("/admin/users/new", data={
        "email": "typed@example.com", "name": "Typed Name", "role": "facility",
        "facility_search": "kiln 0", "facility_country": "MX", "find_facilities": "Find facilities"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert sorted(i for i in _options(page) if i) == sorted(
        str(register[f"Kiln {n:02d}"]) for n in range(10))
    assert 'value="typed@example.com"' in html and 'value="Typed Name"' in html
    assert 'value="kiln 0"' in html
    assert "narrow the search" not in html
    with Session(db) as session:
        assert accounts.find_user(session, "typed@example.com") is None  # a search saves nothing
    nothing = admin_client.post("/admin/users/new", data={
        "email": "typed@example.com", "facility_search": "kiln", "facility_country": "US",
        "find_facilities": "Find facilities"})
    assert [i for i in _options(nothing) if i] == []


def test_the_chosen_facility_stays_listed_outside_the_search(admin_client, register, db):
    chosen = register["Smelter 20"]
    person = make_user(db, "facility", facility_id=chosen)
    page = admin_client.get(f"/admin/users/{person.id}")
    assert str(chosen) in _options(page)
    assert str(chosen) in _selected(page)
    searched = admin_client.post(f"/admin/users/{person.id}", data={
        "name": "", "role": "facility", "facility_id": str(chosen), "facility_search": "Kiln 01",
        "find_facilities": "Find facilities"})
    assert searched.status_code == 200
    assert sorted(_options(searched)) == sorted(["", str(chosen), str(register["Kiln 01"])])


def test_a_facility_found_by_search_is_saved(admin_client, register, db):
    chosen = register["Kiln 26"]
    page = admin_client.post("/admin/users/new", data={
        "email": "kiln26@example.com", "role": "facility", "facility_id": str(chosen)})
    assert page.status_code == 200, page.get_data(as_text=True)
    with Session(db) as session:
        assert accounts.find_user(session, "kiln26@example.com").facility_id == chosen
