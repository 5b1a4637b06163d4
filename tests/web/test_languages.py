"""Choosing the language: the header's switch, the account's setting, Accept-Language; the page
declares the language it is written in; numbers and dates in the reader's locale; API error
messages follow Accept-Language while their codes stay."""
from __future__ import annotations

import html as htmlib
import re

import pytest
from sqlmodel import Session, select

from permits.accounts.models import User
from permits.audit.models import AuditEntry
from tests.helpers import login, make_user

SIGN_IN = {"en": "Sign in", "es": "Iniciar sesión", "fr": "Se connecter"}


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


@pytest.mark.parametrize(("header", "expected"), [("es-MX,es;q=0.9", "es"), ("fr-CA", "fr"),
                                                   ("en-US", "en"), ("de-DE", "en"), (None, "en")])
def test_the_browser_language_picks_the_page_language_and_html_lang_says_it(client, db, header, expected):
    headers = {"Accept-Language": header} if header else {}
    html = client.get("/login", headers=headers).get_data(as_text=True)
    assert _lang(html) == expected
    assert f">{SIGN_IN[expected]}</" in html


def test_the_header_switch_needs_no_script_and_wins_over_the_browser(client, db):
    html = client.get("/login?next=/standards", headers={"Accept-Language": "es-MX"}).get_data(as_text=True)
    links = dict(re.findall(r'<a href="([^"]+)" lang="(\w+)" hreflang="\w+"', html))
    french = next(href for href, code in links.items() if code == "fr")
    response = client.get(french.replace("&amp;", "&"))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    html = client.get("/login", headers={"Accept-Language": "es-MX"}).get_data(as_text=True)
    assert _lang(html) == "fr" and 'lang="fr" hreflang="fr" aria-current="true"' in html
    assert "<script" not in html


def test_the_switch_refuses_an_unknown_language_and_a_foreign_redirect(client, db):
    assert client.get("/language/de").status_code == 404
    response = client.get("/language/es?next=https://evil.example/")
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_the_account_setting_is_stored_audited_and_followed_on_every_page(client, db):
    user = make_user(db, "shipper")
    login(client, user)
    response = client.post("/account/language", data={"account-language": "es"},
                           headers={"Accept-Language": "fr-CA"})
    assert response.status_code == 302
    html = client.get("/account", headers={"Accept-Language": "fr-CA"}).get_data(as_text=True)
    assert _lang(html) == "es" and "Se guardó su idioma." in html
    assert '<option selected value="es">Español</option>' in html
    with Session(db) as session:
        assert session.get(User, user.id).locale == "es"
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "user.language_set")).one()
        assert entry.entity_id == str(user.id) and entry.after == {"locale": "es"}
    client.post("/account/language", data={"account-language": ""})
    html = client.get("/account", headers={"Accept-Language": "fr-CA"}).get_data(as_text=True)
    assert _lang(html) == "fr"


def test_a_language_that_is_not_offered_is_refused_by_the_account_form(client, db):
    login(client, make_user(db, "shipper"))
    response = client.post("/account/language", data={"account-language": "de"})
    assert response.status_code == 422
    assert 'id="account-language"' in response.get_data(as_text=True)


def test_api_error_messages_follow_accept_language_and_codes_stay(client, db):
    for header, word in (("es-MX", "token"), ("fr-CA", "jeton"), ("en", "token")):
        body = client.get("/api/v1/permits", headers={"Accept-Language": header}).get_json()
        assert body["error"]["code"] == "unauthorized"
        assert word in body["error"]["message"]
    english = client.get("/api/v1/permits").get_json()["error"]["message"]
    spanish = client.get("/api/v1/permits", headers={"Accept-Language": "es"}).get_json()["error"]["message"]
    assert english != spanish


def test_a_service_error_reads_in_the_readers_language_on_the_api_and_on_the_form(client, db, shipper,
                                                                                    compliant_facility):
    from tests.helpers import bearer
    from tests.permits.conftest import application

    body = application(compliant_facility.id, quantity_tonnes=-3)
    english = client.post("/api/v1/permits", json=body, headers=bearer(db, shipper)).get_json()["error"]
    spanish = client.post("/api/v1/permits", json=body, headers={
        **bearer(db, shipper), "Accept-Language": "es-MX"}).get_json()["error"]
    assert english["code"] == spanish["code"] == "validation_failed"
    assert english["fields"]["quantity_tonnes"] == ["must be greater than 0"]
    assert spanish["fields"]["quantity_tonnes"] == ["debe ser mayor que 0"]
    assert spanish["message"] == "quantity_tonnes: debe ser mayor que 0"
    login(client, shipper)
    page = client.post("/permits/new", data={"quantity_tonnes": "-3", "submit": "1"},
                       headers={"Accept-Language": "fr-CA"}).get_data(as_text=True)
    assert "doit être supérieur à 0" in page and "must be greater than" not in page


@pytest.mark.parametrize(("language", "title", "description", "note"), [
    ("es", "Plomo, aire del centro de trabajo: valor límite de exposición permisible",
     "Reciclado o recuperación de metales y compuestos metálicos.",
     "Para una jornada de más de 8 horas el límite es 400 ÷ horas trabajadas"),
    ("fr", "Plomb, air du milieu de travail : limite d’exposition admissible",
     "Recyclage ou récupération des métaux et des composés métalliques.",
     "Pour un quart de travail de plus de 8 heures, la limite est de 400 ÷ heures travaillées"),
])
def test_the_catalogue_data_reads_in_the_readers_language(client, db, language, title, description, note):
    login(client, make_user(db, "shipper"))
    headers = {"Accept-Language": language}
    standards = htmlib.unescape(client.get("/standards", headers=headers).get_data(as_text=True))
    assert title in standards and "Lead, workplace air: permissible exposure limit" not in standards
    standard = htmlib.unescape(client.get("/standards/osha-lead-pel", headers=headers).get_data(as_text=True))
    assert f"<h1>{title}</h1>" in standard and note in standard
    codes = htmlib.unescape(client.get("/codes", headers=headers).get_data(as_text=True))
    assert description in codes and "Recycling/reclamation of metals" not in codes
    english = htmlib.unescape(client.get("/codes", headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert "Recycling/reclamation of metals and metal compounds." in english


def test_errors_converted_last_follow_accept_language_too(client, db):
    """The public register's and the reports' errors (the last raw-English sites of issue 14):
    the message in the reader's language, the code unchanged."""
    said = {}
    for header in ("en", "es-MX", "fr-CA"):
        error = client.get("/api/v1/public/permits/PAR-1999-000009",
                           headers={"Accept-Language": header}).get_json()["error"]
        assert error["code"] == "not_found"
        said[header[:2]] = error["message"]
    assert said == {"en": "No permit numbered PAR-1999-000009.",
                    "es": "No hay una autorización con el número PAR-1999-000009.",
                    "fr": "Aucun permis ne porte le numéro PAR-1999-000009."}
