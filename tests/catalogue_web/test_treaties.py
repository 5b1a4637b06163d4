"""The treaty page and its JSON twin: who joined each treaty, and whether it binds under the
two-of-three rule. A fixture catalogue states two treaties of its own: one joined by Mexico and
Canada only (it binds from the second accession), one joined by the United States only (it does
not bind)."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import Session

from standards import treaties as treaty_module
from standards.models import Standard, TreatyAccession
from standards.treaties import parse_register, treaty_overview
from tests.helpers import login, make_user

BASEL_ESM = "test-basel-esm"
BASEL_PIC = "test-basel-pic"
LONE = "test-us-only-practice"
MX_JOINED, CA_JOINED, US_JOINED = date(1991, 2, 22), date(1992, 8, 28), date(2001, 5, 1)
REGISTER = {"treaties": [{
    "code": "test-basel", "name": "Minamata Convention on Mercury",
    "obligations": [BASEL_ESM, BASEL_PIC],
    "parties": {
        "US": [{"event": "signature", "on": "1990-03-22", "source": "https://treaties.example/us"}],
        "MX": [{"event": "ratification", "on": "1991-02-22", "source": "https://treaties.example/mx"}],
        "CA": [{"event": "signature", "on": "1989-03-22", "source": "UN depositary"},
               {"event": "ratification", "on": "1992-08-28", "source": "https://treaties.example/ca"}],
    }}]}


def _entry(session, code, title, accessions, effective_from=date(1990, 1, 1)):
    session.add(Standard(
        code=code, version=1, title=title, pollutant="lead", medium="practice",
        category="environmental", value=None, unit=None, basis="practice", direction="required",
        applies_to=["lead_acid_battery_dust"], citation=f"{title}, art. 4", source="treaty",
        effective_from=effective_from))
    for country, joined in accessions.items():
        session.add(TreatyAccession(standard_code=code, country=country, joined_on=joined))


@pytest.fixture
def fixture_catalogue(db, monkeypatch):
    """Two treaties: the register's (Mexico and Canada joined) with two obligations, and an
    entry of its own that only the United States joined."""
    monkeypatch.setattr(treaty_module, "register", lambda: parse_register(REGISTER))
    with Session(db) as session:
        both = {"US": None, "MX": MX_JOINED, "CA": CA_JOINED}
        _entry(session, BASEL_ESM, "Environmentally sound management", both)
        _entry(session, BASEL_PIC, "Prior informed consent", both, effective_from=date(2030, 1, 1))
        _entry(session, LONE, "A practice only the United States joined",
               {"US": US_JOINED, "MX": None, "CA": None})
        session.commit()
    return db


def ours(overview):
    """This test's two treaties, in order, beside the packaged catalogue's own treaty entries."""
    return [t for t in overview if t.code in ("test-basel", LONE)]


def test_a_treaty_joined_by_mexico_and_canada_binds_from_the_second_accession(fixture_catalogue):
    with Session(fixture_catalogue) as session:
        basel, lone = ours(treaty_overview(session, date(2026, 12, 2)))
        before = ours(treaty_overview(session, date(1992, 8, 27)))[0]
    assert (basel.code, basel.binding, basel.binding_from) == ("test-basel", True, CA_JOINED)
    assert [(p.country, p.joined_on) for p in basel.parties] == [
        ("US", None), ("MX", MX_JOINED), ("CA", CA_JOINED)]  # a signature alone joins nobody
    assert [e.kind for e in basel.parties[2].events] == ["signature", "ratification"]
    esm, pic = basel.obligations
    assert (esm.standard.code, esm.in_force, esm.binding_from) == (BASEL_ESM, True, CA_JOINED)
    assert (pic.in_force, pic.binding_from) == (False, date(2030, 1, 1))  # not yet effective
    assert (before.binding, before.binding_from) == (False, CA_JOINED)
    assert before.obligations[0].in_force is False


def test_a_treaty_only_the_united_states_joined_does_not_bind(fixture_catalogue):
    with Session(fixture_catalogue) as session:
        lone = ours(treaty_overview(session, date(2026, 12, 2)))[1]
    assert (lone.code, lone.name, lone.registered) == (
        LONE, "A practice only the United States joined", False)
    assert (lone.binding, lone.binding_from) == (False, None)
    assert [(p.country, p.joined_on) for p in lone.parties] == [
        ("US", US_JOINED), ("MX", None), ("CA", None)]
    assert lone.parties[0].source == "A practice only the United States joined, art. 4"
    assert lone.obligations[0].in_force is False


def test_the_page_is_public_and_says_which_treaty_binds(client, fixture_catalogue):
    response = client.get("/treaties")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    basel = _section(html, "test-basel")
    assert "Binding under the two-of-three rule since" in basel and "Binds" in basel
    assert re.search(r'<tr id="test-basel-MX">.*?Ratification: <span class="date">', basel, re.S)
    assert 'href="https://treaties.example/ca"' in basel
    assert f'id="obligation-{BASEL_ESM}"' in basel and "in force" in basel
    lone = _section(html, LONE)
    assert "Does not bind" in lone and "Only 1 of the three countries has joined." in lone
    assert f'/standards/{LONE}' not in lone  # the standard's page needs a sign-in


def test_the_page_in_spanish_names_the_treaty_in_spanish(client, fixture_catalogue):
    html = client.get("/treaties", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Convenio de Minamata sobre el Mercurio" in _section(html, "test-basel")
    assert "Vinculante" in html


def test_the_json_twin_states_the_same(client, fixture_catalogue):
    response = client.get("/api/v1/public/treaties")
    assert response.status_code == 200
    basel, lone = [t for t in response.get_json()["items"] if t["code"] in ("test-basel", LONE)]
    assert (basel["binding"], basel["binding_from"]) == (True, "1992-08-28")
    assert basel["parties"][1] == {"country": "MX", "joined_on": "1991-02-22", "source": None,
                                   "steps": [{"event": "ratification", "on": "1991-02-22",
                                              "source": "https://treaties.example/mx"}]}
    assert [(o["code"], o["in_force"]) for o in basel["obligations"]] == [
        (BASEL_ESM, True), (BASEL_PIC, False)]
    assert (lone["code"], lone["binding"], lone["binding_from"]) == (LONE, False, None)


def test_with_no_treaty_in_the_catalogue_the_page_says_so(client, db, monkeypatch):
    from permits.catalogue import public_views

    monkeypatch.setattr(public_views, "treaty_overview", lambda session, on: [])
    html = client.get("/treaties").get_data(as_text=True)
    assert "No treaty is in the catalogue yet." in html and "<section" not in html


def test_signed_in_readers_reach_the_page_from_the_standards_page(client, db):
    login(client, make_user(db, "shipper"))
    assert 'href="/treaties"' in client.get("/standards").get_data(as_text=True)
    assert 'href="/treaties"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("bad", [
    {"treaties": [{"code": "x", "name": "", "parties": {}}]},
    {"treaties": [{"code": "x", "name": "X", "parties": {"FR": []}}]},
    {"treaties": [{"code": "x", "name": "X", "parties": {"MX": [{"event": "joined", "on": "2000-01-01", "source": "s"}]}}]},
    {"treaties": [{"code": "x", "name": "X", "parties": {"MX": [{"event": "accession", "on": "2000-01-01", "source": " "}]}}]},
    {"treaties": [{"code": "x", "name": "X", "obligations": ["a"]}, {"code": "y", "name": "Y", "obligations": ["a"]}]},
])
def test_a_register_entry_without_its_name_country_step_or_source_is_refused(bad):
    with pytest.raises(ValueError):
        parse_register(bad)


def test_the_packaged_register_names_only_translated_treaties():
    for record in treaty_module.register():
        assert record.name in treaty_module.NAMES


def _section(html: str, code: str) -> str:
    match = re.search(rf'<section aria-labelledby="treaty-{re.escape(code)}".*?</section>', html, re.S)
    assert match, f"no section for {code}"
    return match.group(0)
