"""The shipper's and the inspector's pages: the form names each bad field and keeps what was
typed, drafts come back, the permit page shows the U.S. value beside the facility's, the
certificate and the public verification page carry the record hash."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from babel.dates import format_date
from pypdf import PdfReader
from sqlalchemy import event, text
from sqlmodel import Session, select

from permits.permitting.decision_models import Decision
from permits.permitting.models import Permit
from tests.helpers import bearer, login, make_facility, make_user
from tests.permits.conftest import application, record_evidence


def form_data(facility_id: int, **overrides) -> dict[str, str]:
    data = {
        "byproduct": "eaf_dust", "waste_codes": "K061", "quantity_tonnes": "500",
        "shipments_planned": "20", "valid_from": application(0)["valid_from"],
        "valid_to": application(0)["valid_to"], "origin_name": "Acme Steel Works",
        "origin_country": "US", "origin_epa_id": "OHD123456789",
        "receiving_facility_id": str(facility_id), "operation_code": "R4",
        "final_facility_id": "", "final_operation_code": "", "exit_port": "Laredo, TX",
        "entry_port": "Nuevo Laredo", "transit_countries": "",
        "transporters": "Border Haulage LLC, US", "submit": "1",
    }
    data.update(overrides)
    return data


def apply_over_api(client, db, shipper, facility_id, **overrides) -> dict:
    response = client.post("/api/v1/permits", json=application(facility_id, **overrides),
                           headers=bearer(db, shipper))
    assert response.status_code == 201
    return response.get_json()


def pdf_text(data: bytes) -> str:
    """The PDF's text as a reader extracts it (an embedded TrueType font encodes glyph ids)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_applying_on_the_form_decides_at_once(client, shipper, compliant_facility):
    login(client, shipper)
    response = client.post("/permits/new", data=form_data(compliant_facility.id))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Your application is approved." in html
    assert "PAR-" in html


def test_a_bad_form_names_each_field_and_keeps_what_was_typed(client, db, shipper,
                                                             compliant_facility):
    login(client, shipper)
    response = client.post("/permits/new", data=form_data(
        compliant_facility.id, quantity_tonnes="-3", transporters="Border Haulage LLC",
        origin_epa_id="", valid_to="2020-01-01"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Quantity (tonnes): must be greater than 0" in html
    assert "Transporters: line 1 country is required" in html
    assert "Origin EPA ID: is required" in html
    assert "Valid to: must be on or after valid_from" in html
    assert 'value="-3"' in html and "Border Haulage LLC</textarea>" in html
    with Session(db) as session:
        assert session.exec(select(Permit)).all() == []


def test_a_draft_is_saved_and_finished_later(client, db, shipper, compliant_facility):
    login(client, shipper)
    saved = client.post("/permits/new", data=form_data(
        compliant_facility.id, transporters="", submit="", save_draft="1"))
    assert saved.status_code == 302
    with Session(db) as session:
        draft = session.exec(select(Permit)).one()
    assert (draft.status, draft.transporters) == ("draft", [])
    listed = client.get("/permits/").get_data(as_text=True)
    assert f"Draft {draft.id}" in listed
    edit = client.get(f"/permits/{draft.id}/edit").get_data(as_text=True)
    assert 'value="Acme Steel Works"' in edit
    submitted = client.post(f"/permits/{draft.id}/edit", data=form_data(compliant_facility.id))
    assert submitted.status_code == 302
    with Session(db) as session:
        assert session.get(Permit, draft.id).status == "approved"


def test_the_permit_page_shows_the_us_value_beside_the_facilitys(client, db, shipper,
                                                                 compliant_facility):
    permit = apply_over_api(client, db, shipper, compliant_facility.id)
    login(client, shipper)
    html = client.get(f"/permits/{permit['id']}").get_data(as_text=True)
    row = re.search(r"<code>osha-lead-pel</code>.*?</tr>", html, re.S).group(0)
    assert "50 µg/m³" in row and "25 µg/m³" in row and "meets" in row
    assert "0 t shipped of 500 t allowed" in html  # the shipments panel's bar
    assert permit["decision"]["record_hash"] in html
    assert "matches the stored record" in html


def test_another_shippers_permit_page_is_404(client, db, shipper, other_shipper,
                                             compliant_facility):
    permit = apply_over_api(client, db, shipper, compliant_facility.id)
    login(client, other_shipper)
    assert client.get(f"/permits/{permit['id']}").status_code == 404


def test_the_certificate_carries_number_limits_checks_hash_and_where_to_verify(
        client, db, shipper, compliant_facility):
    permit = apply_over_api(client, db, shipper, compliant_facility.id)
    login(client, shipper)
    response = client.get(f"/permits/{permit['id']}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    content = pdf_text(response.data)
    for expected in (permit["number"], permit["decision"]["record_hash"],
                     f"http://localhost:5000/verify/{permit['number']}", "500 t in at most 20",
                     "osha-lead-pel", format_date(date.fromisoformat(permit["valid_from"]), "medium", locale="en")):
        assert expected in content


def test_the_verification_page_says_whether_the_record_still_matches(client, db, shipper,
                                                                     compliant_facility):
    permit = apply_over_api(client, db, shipper, compliant_facility.id)
    page = client.get(f"/verify/{permit['number']}").get_data(as_text=True)
    assert "Verified." in page and shipper.email not in page
    with db.begin() as conn:
        conn.execute(text("UPDATE decision SET outcome = 'denied' WHERE permit_id = :id"),
                     {"id": permit["id"]})
    tampered = client.get(f"/verify/{permit['number']}").get_data(as_text=True)
    assert "Does not verify." in tampered
    assert client.get("/verify/PAR-1999-000001").status_code == 404


def test_withdrawing_on_the_page(client, db, shipper, compliant_facility):
    permit = apply_over_api(client, db, shipper, compliant_facility.id)
    login(client, shipper)
    client.post(f"/permits/{permit['id']}/withdraw", data={"reason": "cancelled"})
    with Session(db) as session:
        assert session.get(Permit, permit["id"]).status == "withdrawn"


def test_amending_on_the_page(client, db, shipper, compliant_facility):
    permit = apply_over_api(client, db, shipper, compliant_facility.id)
    login(client, shipper)
    data = form_data(compliant_facility.id, quantity_tonnes="750", reason="bigger contract")
    response = client.post(f"/permits/{permit['id']}/amend", data=data)
    assert response.status_code == 302
    with Session(db) as session:
        assert session.get(Permit, permit["id"]).quantity_kg == 750_000
    same = client.post(f"/permits/{permit['id']}/amend",
                       data=form_data(compliant_facility.id, quantity_tonnes="750"))
    assert same.status_code == 422
    assert "The amendment changes nothing" in same.get_data(as_text=True)


def test_the_inspectors_queue_and_actions(client, db, shipper, inspector, bare_facility):
    permit = apply_over_api(client, db, shipper, bare_facility.id)
    login(client, inspector)
    queue = client.get("/review/").get_data(as_text=True)
    assert permit["number"] in queue
    refused = client.post(f"/review/permits/{permit['id']}/approve", follow_redirects=True)
    assert "It cannot be approved" in refused.get_data(as_text=True)
    client.post(f"/review/permits/{permit['id']}/request-evidence",
                data={"standard": "osha-lead-pel", "message": "Send the lab report"})
    client.post(f"/review/permits/{permit['id']}/deny", data={"reason": "No evidence"})
    with Session(db) as session:
        assert session.get(Permit, permit["id"]).status == "denied"
    assert permit["number"] not in client.get("/review/").get_data(as_text=True)


def test_the_facility_sees_the_evidence_requested_of_it(client, db, shipper, inspector,
                                                        bare_facility):
    permit = apply_over_api(client, db, shipper, bare_facility.id)
    client.post(f"/api/v1/permits/{permit['id']}/evidence-requests",
                json={"message": "Send your operating permit"}, headers=bearer(db, inspector))
    login(client, make_user(db, "facility", facility_id=bare_facility.id))
    page = client.get("/review/evidence-requests").get_data(as_text=True)
    assert "Send your operating permit" in page and permit["number"] in page


@pytest.mark.parametrize("role", ["shipper", "inspector", "admin", "facility"])
def test_the_menu_links_to_the_permit_pages(client, db, role, bare_facility):
    user = make_user(db, role, facility_id=bare_facility.id if role == "facility" else None)
    login(client, user)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/permits/"' in html
    assert ('href="/review/"' in html) == (role in ("inspector", "admin"))


def test_pages_and_api_do_not_query_per_check(client, db, app, shipper):
    """A permit on slag (fewer standards) and one on EAF dust take the same number of queries."""
    with Session(db, expire_on_commit=False) as session:
        facility = make_facility(session, "MX")
        record_evidence(session, facility)
        record_evidence(session, facility, "slag")
        session.commit()
    dust = apply_over_api(client, db, shipper, facility.id)
    slag = apply_over_api(client, db, shipper, facility.id, byproduct="slag",
                          waste_codes=["D008"])
    assert len(dust["decision"]["checks"]) != len(slag["decision"]["checks"])
    headers = bearer(db, shipper)
    login(client, shipper)
    client.get("/api/v1/me", headers=headers)  # the token's first use is bookkept once
    statements: list[str] = []
    engine = app.extensions["parity.engine"]

    def count(*args, **kwargs):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        per_url: dict[str, list[int]] = {"api": [], "page": []}
        for permit in (dust, slag):
            for kind, url in (("api", f"/api/v1/permits/{permit['id']}"),
                              ("page", f"/permits/{permit['id']}")):
                statements.clear()
                assert client.get(url, headers=headers).status_code == 200
                per_url[kind].append(len(statements))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    for counts in per_url.values():
        assert counts[0] == counts[1]


def test_seed_demo_makes_decisions_of_every_kind(db):
    from permits import demo

    with Session(db, expire_on_commit=False) as session:
        eligible = make_facility(session, "MX")
        record_evidence(session, eligible)
        make_facility(session, "CA")
        session.commit()
    with Session(db, expire_on_commit=False) as session:
        logins = demo.seed(session)
        session.commit()
    assert ("shipper@northern-alloys.example", "shipper") in logins
    with Session(db) as session:
        statuses = set(session.exec(select(Permit.status)).all())
        kinds = set(session.exec(select(Decision.kind)).all())
        outcomes = set(session.exec(select(Decision.outcome)).all())
    assert {"approved", "under_review", "denied", "draft", "withdrawn"} <= statuses
    assert outcomes == {"approved", "denied", "under_review"}
    assert "amendment" in kinds
    with Session(db, expire_on_commit=False) as session:
        assert demo.seed(session) == []  # seeding twice changes nothing


def test_a_denied_application_has_no_certificate_and_leads_with_what_to_do(
        client, db, shipper, compliant_facility):
    route = {"exit_port": "Ciudad Hidalgo", "entry_port": "Brownsville, TX",
             "transit_countries": ["GT"]}
    permit = apply_over_api(client, db, shipper, compliant_facility.id, route=route)
    assert permit["status"] == "denied"
    login(client, shipper)
    html = client.get(f"/permits/{permit['id']}").get_data(as_text=True)
    assert "certificate.pdf" not in html
    outcome = html.index("Denied: no load may travel")
    assert outcome < html.index("Checks against U.S. standards")
    assert "Guatemala" in html and "What to do next:" in html
    response = client.get(f"/permits/{permit['id']}/certificate.pdf")
    assert response.status_code == 302


def test_the_certificate_prints_names_outside_latin1_and_words_for_codes(
        client, db, shipper, compliant_facility):
    with Session(db) as session:
        facility = session.get(type(compliant_facility), compliant_facility.id)
        facility.name = "Łódź Metal Odzysk"
        session.add(facility)
        session.commit()
    permit = apply_over_api(client, db, shipper, compliant_facility.id)
    login(client, shipper)
    content = pdf_text(client.get(f"/permits/{permit['id']}/certificate.pdf").data)
    assert "Łódź Metal Odzysk" in content
    assert "EAF dust" in content and "eaf_dust" not in content
    assert "8h_twa" not in content and "time-weighted average" in content
