"""What a signed-out visitor can do: find facilities, read the register, and be told plainly
that a certificate number does not exist."""
from __future__ import annotations


def test_the_finder_and_the_register_need_no_sign_in(client, compliant_facility):
    finder = client.get("/registry/finder?byproduct=eaf_dust&operation=R4")
    assert finder.status_code == 200
    html = finder.get_data(as_text=True)
    assert compliant_facility.name in html and "no_evidence" not in html
    register = client.get("/registry/facilities")
    assert register.status_code == 200 and compliant_facility.name in register.get_data(as_text=True)


def test_an_unknown_certificate_number_is_said_to_be_unknown_not_hidden(client):
    response = client.get("/verify/PAR-2026-999999")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "No certificate is numbered PAR-2026-999999" in html
    assert "not visible to your account" not in html


def test_the_home_page_offers_the_public_pages(client):
    html = client.get("/").get_data(as_text=True)
    assert "/registry/finder" in html and "/registry/facilities" in html
