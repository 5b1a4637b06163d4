"""The consent pages: the authority's queue with days left, recording and revising a decision,
the permit page and the shipper's lists saying what shipments wait for."""
from __future__ import annotations

import io
from datetime import timedelta

from sqlmodel import Session, select

from permits.consents.models import Consent
from permits.permitting.models import Permit
from tests.consents.conftest import PDF, TODAY, approved_permit
from tests.helpers import login


def _form(**overrides) -> dict:
    return {"country": "MX", "decision": "consent", "reference": "AOC-MX-77",
            "decided_on": TODAY.isoformat(), **overrides}


def test_the_authority_records_its_consent_from_the_permit_page(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    login(client, world.mx)
    queue = client.get("/consents/").get_data(as_text=True)
    assert permit.number in queue and "no tacit consent" in queue
    page = client.get(f"/permits/{permit.id}").get_data(as_text=True)
    assert "Shipments wait for the consent of: Mexico." in page
    assert f"/consents/permits/{permit.id}/record" in page
    assert "Log a shipment" not in page  # the authority sees the permit, not the shipper's tools
    response = client.post(f"/consents/permits/{permit.id}/record", data=_form())
    assert response.status_code == 302
    with Session(db) as s:
        assert s.get(Permit, permit.id).consent_status == "granted"
    page = client.get(f"/permits/{permit.id}").get_data(as_text=True)
    assert "AOC-MX-77" in page and "Revise the decision" in page


def test_a_bad_decision_comes_back_with_the_field_named_and_what_was_typed(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    login(client, world.mx)
    response = client.post(f"/consents/permits/{permit.id}/record",
                           data=_form(decision="objection", reason="", reference="AOC-KEPT-1"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Reason for the objection: is required" in page
    assert 'value="AOC-KEPT-1"' in page
    with Session(db) as s:
        assert s.exec(select(Consent.status)).all() == ["pending"]


def test_an_inspector_records_a_paper_objection_and_revises_it(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    login(client, world.inspector)
    response = client.post(f"/consents/permits/{permit.id}/record", content_type="multipart/form-data",
                           data={**_form(decision="objection", reason="incomplete notice"),
                                 "document": (io.BytesIO(PDF), "objection.pdf", "application/pdf")})
    assert response.status_code == 302, response.get_data(as_text=True)
    with Session(db) as s:
        consent = s.exec(select(Consent)).one()
    assert consent.channel == "paper" and consent.document == PDF
    assert client.get(f"/consents/{consent.id}/document").data == PDF
    revised = client.post(f"/consents/{consent.id}/revise", content_type="multipart/form-data",
                          data={**_form(), "revision_reason": "the notice was completed",
                                "document": (io.BytesIO(PDF), "aoc.pdf", "application/pdf")})
    assert revised.status_code == 302, revised.get_data(as_text=True)
    with Session(db) as s:
        assert s.get(Permit, permit.id).consent_status == "granted"


def test_the_shipper_sees_what_its_permits_wait_for(client, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    login(client, world.shipper)
    listed = client.get("/permits/").get_data(as_text=True)
    assert "waiting for Mexico" in listed
    shipments = client.get("/shipments/").get_data(as_text=True)
    assert "Waiting for the consent of Mexico" in shipments
    assert f"/permits/{permit.id}#consents" in shipments


def test_the_canadian_queue_shows_the_days_left(client, db, world):
    permit = approved_permit(db, world, world.ca_facility_id)
    with Session(db) as s:  # the notice went out ten days ago
        consent = s.exec(select(Consent)).one()
        consent.requested_on = TODAY - timedelta(days=10)
        consent.tacit_on = TODAY + timedelta(days=20)
        s.commit()
    login(client, world.ca)
    queue = client.get("/consents/").get_data(as_text=True)
    assert permit.number in queue
    tacit_day = (TODAY + timedelta(days=20))
    assert f"20 (tacit on {tacit_day:%b} {tacit_day.day}, {tacit_day.year})" in queue


def test_the_home_page_counts_what_waits_for_consent(client, db, world):
    approved_permit(db, world, world.mx_facility_id)
    login(client, world.mx)
    home = client.get("/").get_data(as_text=True)
    assert "Consents to decide" in home and 'href="/consents/"' in home
    client.post("/logout")
    login(client, world.shipper)
    assert "Consents pending" in client.get("/").get_data(as_text=True)
