"""The cases' pages: a petition filed on the public page is in the public list at once with its
deadline; a bad petition comes back naming the field with what was typed; an inspector carries
the case on the desk; public pages name no petitioner."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from facility_registry.models import EnforcementCase
from standards import clock
from tests.cases.conftest import ALLEGATION, CONTACT, make_facility
from tests.helpers import login, make_user


def _facility(db):
    with Session(db, expire_on_commit=False) as session:
        facility = make_facility(session, "MX")
        session.commit()
        return facility


def _file(client, facility_id, **overrides):
    data = {"facility_id": str(facility_id), "category": "occupational", "allegation": ALLEGATION,
            "contact_email": CONTACT, **overrides}
    return client.post("/petitions/new", data=data, content_type="multipart/form-data")


def test_a_petition_from_the_public_page_is_listed_at_once_with_its_deadline(client, db):
    facility = _facility(db)
    form = client.get(f"/petitions/new?facility_id={facility.id}")
    assert form.status_code == 200 and "never published" in form.get_data(as_text=True)
    response = _file(client, facility.id)
    assert response.status_code == 302
    reference = response.headers["Location"].rsplit("/", 1)[-1]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert reference in page and "screening" in page
    assert (clock.today() + timedelta(days=30)).isoformat() in page
    listed = client.get("/cases").get_data(as_text=True)
    assert reference in listed and facility.name in listed
    facility_page = client.get(f"/public/facilities/{facility.id}").get_data(as_text=True)
    assert reference in facility_page
    for text in (page, listed, facility_page):
        assert CONTACT not in text and ALLEGATION[:30] not in text


def test_a_bad_petition_names_the_field_keeps_the_text_and_stores_nothing(client, db):
    facility = _facility(db)
    response = _file(client, facility.id, allegation="", contact_email="not-an-address")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="allegation-errors"' in page and 'id="contact_email-errors"' in page
    assert 'value="not-an-address"' in page
    with Session(db) as session:
        assert session.exec(select(func.count()).select_from(EnforcementCase)).one() == 0


def test_an_inspector_carries_the_case_on_the_desk(client, db):
    facility = _facility(db)
    _file(client, facility.id)
    login(client, make_user(db, "inspector"))
    desk = client.get("/cases/desk").get_data(as_text=True)
    assert "Petitions awaiting screening: 1" in desk
    with Session(db) as session:
        case_id = session.exec(select(EnforcementCase.id)).one()
    page = client.get(f"/cases/desk/{case_id}").get_data(as_text=True)
    assert ALLEGATION[:30] in page and CONTACT in page  # inspectors read the petition
    refused = client.post(f"/cases/desk/{case_id}", data={"decision": "accept", "reasons": ""})
    assert refused.status_code == 422 and 'id="reasons-errors"' in refused.get_data(as_text=True)
    steps = [{"decision": "accept", "reasons": "Specific and credible"},
             {"method": "inspection", "country_agreed": "false"},
             {"violation": "true", "summary": "No blood-lead testing"}]
    for data in steps:
        assert client.post(f"/cases/desk/{case_id}", data=data).status_code == 302
    due = (clock.today() + timedelta(days=40)).isoformat()
    plan = {"actions-0-action": "Test every worker's blood lead", "actions-0-due_on": due,
            "actions-1-action": "", "actions-1-due_on": "2020-01-01"}
    refused = client.post(f"/cases/desk/{case_id}", data=plan)
    assert refused.status_code == 422 and "actions-1-due_on-errors" in refused.get_data(as_text=True)
    plan["actions-1-due_on"] = ""
    assert client.post(f"/cases/desk/{case_id}", data=plan).status_code == 302
    with Session(db) as session:
        case = session.get(EnforcementCase, case_id)
        assert case.stage == "remediation"
    public = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Test every worker" in public and due in public
