"""What the pages promise their readers: tables that name themselves and scroll in their box,
the checks with each standard's title and the blocking ones first, errors listed above a form
that keeps what was typed, and each action in a section that says what it does."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session

from standards import clock
from tests.helpers import bearer, login, make_facility
from tests.permits.conftest import PEL, application, record_evidence

TODAY = clock.today()


def _apply(client, db, shipper, facility_id) -> dict:
    response = client.post("/api/v1/permits", json=application(facility_id),
                           headers=bearer(db, shipper))
    assert response.status_code == 201
    return response.get_json()


def _html(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def _tables_are_named_and_boxed(html: str) -> int:
    """Every table has a caption or a heading naming it, and scrolls inside its own box."""
    tables = re.findall(r"<table\b[^>]*>.*?</table>", html, re.S)
    for table in tables:
        assert "<caption" in table or "aria-labelledby=" in table.split(">", 1)[0], table[:200]
    assert html.count("<table") == len(re.findall(
        r'<div class="(?:table-scroll|report-table[^"]*)"[^>]*>\s*<table', html))
    return len(tables)


def test_a_check_row_names_the_standard_and_the_blocking_checks_come_first(client, db, shipper):
    with Session(db, expire_on_commit=False) as session:
        facility = make_facility(session, "MX")
        record_evidence(session, facility, skip={PEL})  # the PEL alone has no evidence
        session.commit()
    permit = _apply(client, db, shipper, facility.id)
    login(client, shipper)
    html = _html(client, f"/permits/{permit['id']}")
    rows = re.findall(r'<tr>\s*<th scope="row">(.*?)</tr>', html.split('class="checks"')[1], re.S)
    assert "<code>osha-lead-pel</code>" in rows[0] and "no evidence" in rows[0]
    assert "Lead, workplace air: permissible exposure limit" in rows[0]
    assert all("meets" in row for row in rows[1:])
    assert "no evidence</span> <span class=\"nowrap\">× 1</span>" in html  # the summary line


def test_an_application_under_review_is_not_told_twice_and_each_action_is_labelled(
        client, db, shipper, inspector, bare_facility):
    permit = _apply(client, db, shipper, bare_facility.id)
    login(client, inspector)
    html = _html(client, f"/permits/{permit['id']}")
    assert '<p class="lead">' not in html  # its status reason is the checks run together
    for heading in ("Approve or decide again", "Ask the facility for evidence",
                    "Deny the application", "Revoke this permit"):
        assert (heading in html) == (heading != "Revoke this permit")
    assert '<label for="deny-reason">' in html and 'id="deny-reason"' in html
    assert _tables_are_named_and_boxed(html)


def test_the_application_form_lists_its_errors_in_page_order_and_keeps_what_was_typed(
        client, shipper, compliant_facility):
    login(client, shipper)
    body = {"byproduct": "eaf_dust", "waste_codes": "K061", "quantity_tonnes": "-3",
            "shipments_planned": "twenty", "valid_from": "", "valid_to": "",
            "origin_name": "Acme Steel Works", "origin_country": "US", "origin_epa_id": "",
            "receiving_facility_id": str(compliant_facility.id), "operation_code": "R4",
            "exit_port": "Laredo, TX", "entry_port": "", "transporters": "Border Haulage LLC, US",
            "submit": "1"}
    response = client.post("/permits/new", data=body)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    linked = re.findall(r'<a href="#(\w+)">', summary)
    assert linked[:2] == ["quantity_tonnes", "shipments_planned"]
    assert linked.index("origin_epa_id") < linked.index("entry_port")
    assert 'value="-3"' in html and 'value="twenty"' in html and 'value="Laredo, TX"' in html


def test_a_decimal_comma_comes_back_in_the_shipment_form_to_be_corrected(client, world):
    login(client, world.shipper)
    response = client.post(f"/permits/{world.permit.id}/shipments", data={
        "movement_document": "MD-1", "quantity_tonnes": "12,5", "carrier": "Lone Star Haulage",
        "departed_on": TODAY.isoformat(), "expected_arrival_on": (TODAY + timedelta(days=2)).isoformat()})
    assert response.status_code == 422
    field = re.search(r'<input[^>]*name="quantity_tonnes"[^>]*>', response.get_data(as_text=True)).group(0)
    assert 'type="text"' in field and 'value="12,5"' in field and 'inputmode="decimal"' in field


def test_lists_name_their_tables_and_show_words_not_stored_values(client, db, world):
    login(client, world.shipper)
    tables = 0
    for url in ("/permits/", "/shipments/", f"/permits/{world.permit.id}/shipments",
                "/registry/facilities"):
        html = _html(client, url)
        tables += _tables_are_named_and_boxed(html)
        assert "eaf_dust" not in re.sub(r'value="[^"]*"|href="[^"]*"', "", html), url
    assert tables >= 3
    shipments = _html(client, "/shipments/")
    assert world.permit.number in shipments  # the permit by its number, not its id


def test_a_facility_with_nothing_coming_is_told_what_will_appear(client, world):
    login(client, world.other_facility_user)
    html = _html(client, "/shipments/incoming")
    assert "No load is waiting for a confirmation from you" in html and "<table" not in html


def test_the_home_page_says_what_each_area_is_for_and_checks_a_certificate(client, world):
    signed_out = _html(client, "/")
    assert 'action="/verify"' in signed_out
    found = client.get(f"/verify?number={world.permit.number.lower()}")
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/verify/{world.permit.number}")
    login(client, world.facility_user)
    assert "Loads on their way to you: confirm receipt and recovery." in _html(client, "/")


def test_the_facility_page_folds_each_standards_history_and_opens_what_waits(client, db,
                                                                             inspector):
    with Session(db, expire_on_commit=False) as session:
        facility = make_facility(session, "MX")
        record_evidence(session, facility, only={PEL},
                        actor={"actor_id": None, "actor_role": "facility"})
        record_evidence(session, facility, only={"osha-cadmium-pel"})
        session.commit()
    login(client, inspector)
    html = _html(client, f"/registry/facilities/{facility.id}")
    assert re.search(r'<details id="evidence-osha-lead-pel" open>', html)
    assert re.search(r'<details id="evidence-osha-cadmium-pel">', html)
    assert _tables_are_named_and_boxed(html)
