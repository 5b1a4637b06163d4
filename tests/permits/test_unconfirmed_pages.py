"""An unconfirmed catalogue entry is applied like the others and marked wherever it shows: the
check in the API, the permit's checks table, the facility page, the standards pages and the
certificate; each check names the receiving processes its standard governs."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from standards.models import Standard
from tests.helpers import login, make_user
from tests.permits.conftest import PEL
from tests.permits.test_pages import apply_over_api, pdf_text


@pytest.fixture
def unconfirmed_pel(db):
    """PEL version 2: the same value, unconfirmed, governing the metals recovery kiln only."""
    with Session(db) as session:
        # Every other entry confirmed, so that the marks counted below are the PEL's alone.
        for other in session.exec(select(Standard).where(Standard.unconfirmed)):
            other.unconfirmed = False
        v1 = session.exec(select(Standard).where(Standard.code == PEL)).one()
        session.add(Standard(**{**v1.model_dump(exclude={"id"}), "version": 2, "unconfirmed": True,
                                "processes": ["metals_recovery_kiln"], "entry_version": None}))
        session.commit()


def test_an_unconfirmed_standard_is_applied_and_marked_everywhere(client, db, shipper,
                                                                  compliant_facility,
                                                                  unconfirmed_pel):
    permit = apply_over_api(client, db, shipper, compliant_facility.id)
    assert permit["decision"]["outcome"] == "approved"
    pel = next(c for c in permit["decision"]["checks"] if c["standard"] == PEL)
    assert (pel["version"], pel["unconfirmed"], pel["verdict"]) == (2, True, "meets")
    others = [c for c in permit["decision"]["checks"] if c["standard"] != PEL]
    assert others and not any(c.get("unconfirmed") for c in others)  # stored only when true

    login(client, shipper)
    page = client.get(f"/permits/{permit['id']}").get_data(as_text=True)
    row = page[page.index(f"<code>{PEL}</code>"):]
    row = row[:row.index("</th>")]
    assert 'class="badge unconfirmed"' in row and "High-temperature metals recovery" in row
    assert page.count('class="badge unconfirmed"') == 1
    content = pdf_text(client.get(f"/permits/{permit['id']}/certificate.pdf").data)
    assert "UNCONFIRMED" in content

    verify = client.get(f"/verify/{permit['number']}").get_data(as_text=True)
    assert 'class="badge unconfirmed"' in verify

    inspector = make_user(db, "inspector")
    login(client, inspector)
    facility = client.get(f"/registry/facilities/{compliant_facility.id}?byproduct=eaf_dust")
    assert 'class="badge unconfirmed"' in facility.get_data(as_text=True)
    standards = client.get("/standards").get_data(as_text=True)
    assert standards.count('class="badge unconfirmed"') == 1
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    spanish = client.get(f"/registry/facilities/{compliant_facility.id}?byproduct=eaf_dust")
    assert "no confirmado" in spanish.get_data(as_text=True)


def test_the_facility_form_offers_processes_as_checkboxes_and_saves_them(client, db,
                                                                        compliant_facility):
    login(client, make_user(db, "inspector"))
    form = client.get(f"/registry/facilities/{compliant_facility.id}/edit").get_data(as_text=True)
    assert 'type="checkbox"' in form and 'value="land_disposal"' in form
    assert "Land disposal" in form
    data = {"name": compliant_facility.name, "country": "MX",
            "semarnat_nra": compliant_facility.semarnat_nra, "address": compliant_facility.address,
            "operations": ["R4", "R13"], "accepts": ["eaf_dust", "slag"],
            "processes": ["metals_recovery_kiln", "land_disposal"],
            "annual_capacity_tonnes": "80000"}
    response = client.post(f"/registry/facilities/{compliant_facility.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(f"/registry/facilities/{compliant_facility.id}").get_data(as_text=True)
    assert "High-temperature metals recovery (Waelz kiln), Land disposal" in page
    listed = client.get("/registry/facilities").get_data(as_text=True)
    assert "Land disposal" in listed
