"""A binding limit cites its source instrument by code (the register in
standards/data/instruments.json): over the API, the form and the CSV import; an unknown code is a
422 naming `instrument`; an operating permit's limit is still described in free text."""
from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from facility_registry import services
from facility_registry.importer import import_csv
from facility_registry.models import Evidence
from standards import instruments as register
from tests.helpers import bearer, login, make_user
from tests.registry.conftest import FACILITY_FIELDS, INSPECTOR, LAST_MONTH
from tests.registry.test_importer import csv_text

LIMIT = {"standard": "osha-lead-pel", "kind": "limit", "value": 0.05, "unit": "mg/m3",
         "basis": "8h_twa", "observed_on": LAST_MONTH.isoformat()}
NOM = "NOM-010-STPS-2014"


@pytest.fixture
def mx_facility(db):
    with Session(db, expire_on_commit=False) as session:
        facility = services.create_facility(session, **INSPECTOR, **FACILITY_FIELDS["MX"])
        session.commit()
        return facility


@pytest.fixture
def inspector_headers(db):
    return bearer(db, make_user(db, "inspector"))


def test_every_mandated_instrument_is_in_the_register_with_its_authority():
    codes = {i.code for i in register.instruments()}
    assert {"NOM-052-SEMARNAT-2005", "NOM-166-SEMARNAT-2014", "NOM-098-SEMARNAT-2002", NOM,
            "NOM-047-SSA1-2011", "NOM-026-SSA1-2021", "LGPGIR", "SOR/2021-25"} <= codes
    assert {i.jurisdiction for i in register.instruments() if i.country == "CA"} >= {"ON", "QC"}
    for instrument in register.instruments():
        assert instrument.authority and instrument.title
        assert instrument.title_en in register.GLOSSES  # marked, hence translated
        assert instrument.confirmed == bool(instrument.checked_at) or not instrument.confirmed
    assert register.get_instrument("sor/2021-25").code == "SOR/2021-25"
    assert register.get_instrument("NOM-026-SSA1-1993") is None  # replaced by the 2021 NOM


def test_a_limit_cites_an_instrument_by_code_without_free_text(client, mx_facility, inspector_headers):
    url = f"/api/v1/facilities/{mx_facility.id}/evidence"
    response = client.post(url, json={**LIMIT, "instrument": "nom-010-stps-2014"},
                           headers=inspector_headers)
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["instrument"], body["source"]) == (NOM, NOM)
    assert body["instrument_title"].startswith("Norma Oficial Mexicana NOM-010-STPS-2014")
    listed = client.get(url, headers=inspector_headers).json["items"]
    assert [e["instrument"] for e in listed] == [NOM]
    checks = client.get(f"/api/v1/facilities/{mx_facility.id}/eligibility?byproduct=eaf_dust",
                        headers=inspector_headers).json["checks"]
    pel = next(c for c in checks if c["standard"] == "osha-lead-pel")
    assert (pel["facility_limit"]["instrument"], pel["facility_limit"]["source"]) == (NOM, NOM)


def test_an_unknown_instrument_is_a_422_naming_it_and_nothing_is_stored(client, db, mx_facility,
                                                                         inspector_headers):
    url = f"/api/v1/facilities/{mx_facility.id}/evidence"
    response = client.post(url, json={**LIMIT, "instrument": "NOM-999-SEMARNAT-2030"},
                           headers=inspector_headers)
    assert response.status_code == 422
    assert "instrument" in response.json["error"]["fields"]
    assert "NOM-999-SEMARNAT-2030" in response.json["error"]["fields"]["instrument"][0]
    with Session(db) as session:
        assert session.exec(select(Evidence)).all() == []


def test_a_measurement_cites_no_instrument(client, mx_facility, inspector_headers):
    url = f"/api/v1/facilities/{mx_facility.id}/evidence"
    response = client.post(url, json={**LIMIT, "kind": "measurement", "source": "lab 4",
                                      "instrument": NOM}, headers=inspector_headers)
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["instrument"]


def test_an_operating_permit_limit_is_still_free_text_and_a_limit_needs_one_or_the_other(
        client, mx_facility, inspector_headers):
    url = f"/api/v1/facilities/{mx_facility.id}/evidence"
    permit = client.post(url, json={**LIMIT, "source": "Licencia Ambiental Única LAU-19/0042"},
                         headers=inspector_headers)
    assert permit.status_code == 201
    assert (permit.json["instrument"], permit.json["instrument_title"]) == (None, None)
    neither = client.post(url, json=LIMIT, headers=inspector_headers)
    assert neither.status_code == 422 and "source" in neither.json["error"]["fields"]


def test_the_csv_import_reads_the_instrument_column(session):
    mx = {"record": "facility", "name": "Reciclajes del Norte", "country": "MX",
          "semarnat_nra": "NRA-19-0042", "address": "Monterrey NL", "operations": "R4",
          "accepts": "eaf_dust", "annual_capacity_tonnes": "1000"}
    row = {"record": "evidence", "semarnat_nra": "NRA-19-0042", "standard": "osha-lead-pel",
           "kind": "limit", "value": "0.05", "unit": "mg/m3", "basis": "8h_twa",
           "observed_on": LAST_MONTH.isoformat()}
    result = import_csv(session, csv_text(mx, {**row, "instrument": NOM},
                                          {**row, "instrument": "NOM-000-XX-1900"}), actor_id=1)
    assert result.added_evidence == 1
    assert len(result.errors) == 1 and result.errors[0][1].startswith("instrument:")
    (entry,) = session.exec(select(Evidence)).all()
    assert (entry.instrument, entry.source) == (NOM, NOM)


def test_the_form_records_the_instrument_and_the_facility_page_shows_its_title(client, db,
                                                                                  mx_facility):
    login(client, make_user(db, "inspector"))
    url = f"/registry/facilities/{mx_facility.id}/evidence/new"
    form = client.get(url).get_data(as_text=True)
    assert f'<option value="{NOM}">' in form
    bad = client.post(url, data={**LIMIT, "value": "0.05", "source": "", "instrument": "NOM-1"})
    assert bad.status_code == 422 and 'id="instrument-errors"' in bad.get_data(as_text=True)
    assert client.post(url, data={**LIMIT, "value": "0.05", "source": "",
                                  "instrument": NOM}).status_code == 302
    page = client.get(f"/registry/facilities/{mx_facility.id}").get_data(as_text=True)
    links = re.findall(r'<a href="/instruments#NOM-010-STPS-2014" class="instrument">.*?</span>', page, re.S)
    assert len(links) == 2  # in the checks table and in the evidence history
    assert all("Agentes químicos contaminantes del ambiente laboral" in link for link in links)


def test_the_instruments_page_and_its_json_twin_are_public(client):
    html = client.get("/instruments").get_data(as_text=True)
    assert 'id="SOR-2021-25"' in html and "Canada Gazette, Part II" in html
    assert "Secretaría del Trabajo y Previsión Social (STPS)" in html
    fr = client.get("/instruments", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Règlement sur les mouvements transfrontaliers de déchets dangereux" in fr
    items = client.get("/api/v1/public/instruments").get_json()["items"]
    nom = next(i for i in items if i["code"] == "NOM-026-SSA1-2021")
    assert (nom["country"], nom["gazette"], nom["published_on"], nom["confirmed"]) == (
        "MX", "dof", "2021-10-29", True)
