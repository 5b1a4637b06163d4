"""The registry's pages: list with filters, facility page, forms that keep what was typed."""
from __future__ import annotations

import io

import pytest
from sqlmodel import Session

from facility_registry import services
from facility_registry.models import Facility
from tests.helpers import login, make_user
from tests.registry.conftest import FACILITY_FIELDS, INSPECTOR, LAST_MONTH, TODAY, record_passing


def _three_facilities(engine):
    with Session(engine, expire_on_commit=False) as session:
        made = {c: services.create_facility(session, **INSPECTOR, **FACILITY_FIELDS[c])
                for c in ("US", "MX", "CA")}
        record_passing(session, made["US"], "eaf_dust")
        services.suspend_facility(session, facility_id=made["CA"].id, reason="paperwork", **INSPECTOR)
        session.commit()
        return made


@pytest.fixture
def facilities(kept, db):
    """One facility per country; the US one meets every standard for eaf_dust. Built once per
    run (~4 s of CPU: every evidence entry refreshes standings) and its rows put back for each
    test, so it comes before `inspector` in the tests' arguments."""
    return kept("registry-pages-facilities", _three_facilities)


@pytest.fixture
def inspector(client, db):
    user = make_user(db, "inspector")
    login(client, user)
    return user


def test_the_list_filters_by_country_status_and_eligibility(client, facilities, inspector):
    page = client.get("/registry/facilities").get_data(as_text=True)
    assert all(f.name in page for f in facilities.values())
    mexican = client.get("/registry/facilities?country=MX").get_data(as_text=True)
    assert "Reciclados del Norte" in mexican and "Keystone" not in mexican
    suspended = client.get("/registry/facilities?status=suspended").get_data(as_text=True)
    assert "Great Lakes Metals" in suspended and "Keystone" not in suspended
    eligible = client.get("/registry/facilities?eligible_for=eaf_dust").get_data(as_text=True)
    assert "Keystone" in eligible and "Reciclados" not in eligible


def test_the_list_pages_fifty_at_a_time(client, inspector, db):
    with Session(db) as session:
        for i in range(51):
            services.create_facility(session, **INSPECTOR, **{
                **FACILITY_FIELDS["CA"], "name": f"Plant {i:02d}", "canada_id": f"ON{i:07d}"})
        session.commit()
    first = client.get("/registry/facilities").get_data(as_text=True)
    assert "Plant 49" in first and "Plant 50" not in first and "Page 1 of 2" in first
    assert "Plant 50" in client.get("/registry/facilities?page=2").get_data(as_text=True)


def test_the_facility_page_puts_the_numbers_side_by_side(client, facilities, inspector):
    response = client.get(f"/registry/facilities/{facilities['US'].id}?byproduct=eaf_dust")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "osha-lead-pel" in page and "50 µg/m³" in page and "25 µg/m³" in page
    assert 'class="badge meets"' in page
    assert "<svg" in page and "<polyline" not in page  # one measurement per standard: a point
    assert LAST_MONTH.isoformat() in page


def test_the_evidence_form_keeps_what_was_typed_and_names_the_bad_field(client, facilities, inspector):
    url = f"/registry/facilities/{facilities['MX'].id}/evidence/new"
    response = client.post(url, data={"standard": "osha-lead-pel", "kind": "measurement",
                                      "value": "0.031", "unit": "furlongs", "basis": "8h_twa",
                                      "observed_on": LAST_MONTH.isoformat(), "source": "lab 77"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="0.031"' in page and 'value="furlongs"' in page and 'value="lab 77"' in page
    assert "furlongs" in page.split('id="unit-errors"')[1]


def test_recording_evidence_then_correcting_it(client, facilities, inspector, db):
    facility_id = facilities["MX"].id
    url = f"/registry/facilities/{facility_id}/evidence/new"
    body = {"standard": "osha-lead-pel", "kind": "measurement", "value": "0.031", "unit": "mg/m3",
            "basis": "8h_twa", "observed_on": LAST_MONTH.isoformat(), "source": "lab 77"}
    assert client.post(url, data=body).status_code == 302
    with Session(db) as session:
        (entry,) = services.unverified_queue(session)[0] or [None]  # inspector's: verified
    assert entry is None
    page = client.get(f"/registry/facilities/{facility_id}").get_data(as_text=True)
    assert "31 µg/m³" in page
    from facility_registry.evidence import history

    with Session(db) as session:
        ((first, _),) = history(session, facility_id)
    fixed = client.post(f"{url}?supersedes={first.id}", data={**body, "value": "0.021",
                                                               "reason": "wrong sample"})
    assert fixed.status_code == 302
    page = client.get(f"/registry/facilities/{facility_id}").get_data(as_text=True)
    assert f"superseded by #{first.id + 1}" in page and "wrong sample" in page


def test_the_inspection_form_suspends_on_violation_and_keeps_typed_findings(client, facilities,
                                                                            inspector, db):
    facility_id = facilities["US"].id
    url = f"/registry/facilities/{facility_id}/inspections/new"
    bad = client.post(url, data={"inspected_on": TODAY.isoformat(), "outcome": "violation",
                                 "summary": "dust everywhere", "findings-0-standard": "osha-lead-pel",
                                 "findings-0-value": "eighty", "findings-0-unit": "µg/m³",
                                 "findings-0-basis": "8h_twa"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'value="eighty"' in page and "must be a number" in page
    good = client.post(url, content_type="multipart/form-data", data={
        "inspected_on": TODAY.isoformat(), "outcome": "violation", "summary": "dust everywhere",
        "findings-0-standard": "osha-lead-pel", "findings-0-value": "80",
        "findings-0-unit": "µg/m³", "findings-0-basis": "8h_twa",
        "attachments": (io.BytesIO(b"%PDF-1.4 x"), "report.pdf", "application/pdf")})
    assert good.status_code == 302
    with Session(db) as session:
        assert session.get(Facility, facility_id).status == "suspended"
    page = client.get(f"/registry/facilities/{facility_id}").get_data(as_text=True)
    assert "report.pdf" in page and 'class="badge violation"' in page


def test_the_unverified_queue_and_verifying_from_it(client, db, facilities):
    facility_user = make_user(db, "facility", facility_id=facilities["MX"].id)
    login(client, facility_user)
    url = f"/registry/facilities/{facilities['MX'].id}/evidence/new"
    assert client.post(url, data={"standard": "epa-lead-naaqs", "kind": "limit", "value": "1.5",
                                  "unit": "µg/m³", "basis": "rolling_3_month",
                                  "observed_on": LAST_MONTH.isoformat(),
                                  "source": "NOM-026-SSA1-1993"}).status_code == 302
    assert client.get(f"/registry/facilities/{facilities['US'].id}").status_code == 403
    client.post("/logout")
    login(client, make_user(db, "inspector"))
    queue = client.get("/registry/evidence/unverified").get_data(as_text=True)
    assert "NOM-026-SSA1-1993" in queue
    with Session(db) as session:
        ((entry, _),) = services.unverified_queue(session)[0]
    assert client.post(f"/registry/evidence/{entry.id}/verify").status_code == 302
    assert "Nothing waits" in client.get("/registry/evidence/unverified").get_data(as_text=True)


def test_the_finder_shows_eligible_facilities_and_why_not_the_others(client, db, facilities):
    login(client, make_user(db, "shipper"))
    page = client.get("/registry/finder?byproduct=eaf_dust&operation=R4").get_data(as_text=True)
    _, eligible, others = page.split("<h2>", 2)
    assert "Keystone" in eligible
    assert "Great Lakes Metals" in others and "the facility is suspended" in others
    assert client.get("/registry/finder?byproduct=gold&operation=R4").status_code == 422


def test_registering_a_facility_through_the_form(client, inspector):
    response = client.post("/registry/facilities/new", data={
        **{k: v for k, v in FACILITY_FIELDS["US"].items() if k not in ("operations", "accepts")},
        "operations": "R4", "accepts": "eaf_dust slag", "epa_id": "PAD12"})
    assert response.status_code == 422
    assert 'value="PAD12"' in response.get_data(as_text=True)
    response = client.post("/registry/facilities/new", data={
        **{k: v for k, v in FACILITY_FIELDS["US"].items() if k not in ("operations", "accepts")},
        "operations": "R4", "accepts": "eaf_dust slag"})
    assert response.status_code == 302


def test_suspending_from_the_facility_page(client, facilities, inspector, db):
    facility_id = facilities["MX"].id
    response = client.post(f"/registry/facilities/{facility_id}/status/suspend",
                           data={"reason": "spill reported"})
    assert response.status_code == 302
    with Session(db) as session:
        assert session.get(Facility, facility_id).status == "suspended"
