"""Done when (issue 14): a Mexican facility user (es-MX) and a Québec inspector (fr-CA) do their
whole journey — sign in, read a permit's checks, confirm a receipt (typing a decimal comma),
record an inspection, read a report and the certificate PDF — without meeting an English
sentence. Any English message of the catalogues (three words or more, translated differently)
found in a page, a flash, a report PDF or the certificate fails the test."""
from __future__ import annotations

import html as htmlib
import re
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlmodel import Session

from facility_registry.models import Facility
from permits.shipments.models import Shipment
from standards import clock
from tests.helpers import login, make_user
from tests.permits.test_pages import pdf_text
from tests.shipments import factories

ROOT = Path(__file__).resolve().parents[2]
TODAY = clock.today()
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w+\}")
BROWSERS = {"es": "es-MX,es;q=0.9,en;q=0.5", "fr": "fr-CA,fr;q=0.9,en;q=0.5"}


@cache
def english_sentences(language: str) -> tuple[str, ...]:
    """Each English msgid's longest literal stretch of three words or more (between its
    placeholders), when the translation does not contain it too (codes, units, names)."""
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    found = set()
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not ids[0] or not all(strings):
            continue
        for text in ids:
            stretch = max((s.strip(" .,;:()—-") for s in PLACEHOLDER.split(text)), key=len)
            if len(stretch.split()) >= 3 and not any(stretch in s for s in strings):
                found.add(stretch)
    return tuple(sorted(found))


def visible(page: str) -> str:
    # Citations quote the law as it is written; codes are codes.
    page = re.sub(r"<(script|style|code|pre|cite)\b.*?</\1>", " ", page, flags=re.S)
    # An official title in the language it was enacted in, marked so (<span lang="en">).
    page = re.sub(r'<span lang="[^"]*">.*?</span>', " ", page, flags=re.S)
    return re.sub(r"\s+", " ", htmlib.unescape(re.sub(r"<[^>]+>", " ", page)))


def english_in(text: str, language: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text)
    return [sentence for sentence in english_sentences(language) if sentence in flat]


class Reader:
    """A signed-in person whose browser asks for `language`; every page read is checked."""

    def __init__(self, client, user, language: str):
        self.client, self.language = client, language
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = BROWSERS[language]
        self.seen: list[str] = []
        self.get("/login")  # its <html lang> is checked like every page's
        assert login(client, user).status_code == 302

    def _check(self, url: str, response) -> str:
        assert response.status_code == 200, (url, response.status_code)
        if response.mimetype == "application/pdf":
            text = pdf_text(response.data)
        else:
            page = response.get_data(as_text=True)
            assert f'<html lang="{self.language}">' in page, url
            text = visible(page)
        assert english_in(text, self.language) == [], (url, english_in(text, self.language))
        self.seen.append(url)
        return text

    def get(self, url: str) -> str:
        return self._check(url, self.client.get(url, follow_redirects=True))

    def post(self, url: str, **kwargs) -> str:
        return self._check(url, self.client.post(url, follow_redirects=True, **kwargs))


@pytest.fixture
def journey(db, runner, approved, compliant_facility):
    with Session(db, expire_on_commit=False) as session:
        shipment = factories.make_shipment(session, permit=approved, departed_on=TODAY - timedelta(days=1))
        session.commit()
    assert runner.invoke(args=["reports", "run", "monthly_compliance"]).exit_code == 0
    return {"permit": approved, "facility": compliant_facility, "shipment": shipment}


def test_the_english_detector_finds_english(db):
    assert "Checks against U.S. standards" in english_sentences("es")
    assert english_in("Resultado: Checks against U.S. standards", "es")
    assert english_in("The binding limit is self-reported and no inspector has verified it.", "fr")
    assert not english_in("Controles frente a las normas de EE. UU.", "es")


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_facility_user_signs_in_reads_the_checks_and_confirms_a_receipt_in_their_language(
        client, db, journey, language):
    facility_user = make_user(db, "facility", facility_id=journey["facility"].id)
    reader = Reader(client, facility_user, language)
    reader.get("/")
    checks = reader.get("/registry/my-facility")
    said = {"es": "supera el límite de EE. UU.", "fr": "sont inférieures ou égales à la limite américaine"}
    assert {"es": "son iguales o inferiores al límite de EE. UU.",
            "fr": "sont inférieures ou égales à la limite américaine"}[language] in checks, said
    reader.get("/shipments/incoming")
    shipment = journey["shipment"]
    reader.get(f"/shipments/{shipment.id}")
    # A decimal comma, as a Mexican or Québec scale prints it.
    confirmed = reader.post(f"/shipments/{shipment.id}/receipt", data={
        "receive-received_on": TODAY.isoformat(), "receive-quantity_tonnes": "9,875",
        "receive-refused_tonnes": ""})
    assert "9,875" in confirmed  # shown back in the reader's own notation
    with Session(db) as session:
        assert session.get(Shipment, shipment.id).received_kg == 9875


@pytest.mark.parametrize("language", ["es", "fr"])
def test_an_inspector_reads_checks_records_an_inspection_a_report_and_the_certificate(
        client, db, journey, inspector, language):
    reader = Reader(client, inspector, language)
    permit, facility = journey["permit"], journey["facility"]
    page = reader.get(f"/permits/{permit.id}")
    assert {"es": "Plomo, aire del centro de trabajo", "fr": "Plomb, air du milieu de travail"}[language] in page
    reader.get(f"/registry/facilities/{facility.id}")
    reader.get(f"/registry/facilities/{facility.id}/inspections/new")
    recorded = reader.post(f"/registry/facilities/{facility.id}/inspections/new", data={
        "inspected_on": TODAY.isoformat(), "outcome": "compliant", "summary": "sin hallazgos",
        "findings-0-standard": "osha-lead-pel", "findings-0-value": "12,5",
        "findings-0-unit": "µg/m³", "findings-0-basis": "8h_twa"})
    assert "12,5" in recorded
    with Session(db) as session:
        assert session.get(Facility, facility.id).status == "active"
    listed = client.get("/reports").get_data(as_text=True)
    reader.get("/reports")
    report_url = re.search(r'href="(/reports/monthly_compliance/[^"]+)"', listed).group(1)
    report = reader.get(report_url)
    assert {"es": "Informe mensual de cumplimiento", "fr": "Rapport mensuel de conformité"}[language] in report
    report_pdf = reader.get(f"{report_url}/v1.pdf")
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", report_pdf), "an ISO date in the report PDF"
    certificate = reader.get(f"/permits/{permit.id}/certificate.pdf")
    assert permit.number in certificate
    assert {"es": "Plomo, aire del centro de trabajo", "fr": "Plomb, air du milieu de travail"}[language] in certificate


# What the certificate prints, as each reader writes it: dates in words, a decimal comma, the
# locale's own space before a percent sign (none in Spanish's, a narrow no-break one in French).
CERTIFICATE_FORMS = {
    "es": {"valid": "Vigente del {start} al {end}", "tonnes": "500 t en un máximo de 20 embarques",
           "decimal": "0,075 µg/m³"},
    "fr": {"valid": "Valide du {start} au {end}", "tonnes": "500 t en au plus 20 envois",
           "decimal": "0,075 µg/m³"},
}


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_certificate_writes_numbers_and_dates_as_the_reader_does(client, db, journey, inspector, language):
    from babel.dates import format_date

    reader = Reader(client, inspector, language)
    permit = journey["permit"]
    text = re.sub(r"\s+", " ", reader.get(f"/permits/{permit.id}/certificate.pdf"))
    forms = CERTIFICATE_FORMS[language]
    start, end = (format_date(d, "medium", locale=language) for d in (permit.valid_from, permit.valid_to))
    assert forms["valid"].format(start=start, end=end) in text, text[:1500]
    assert forms["tonnes"] in text
    assert forms["decimal"] in text.replace("\u00a0", " ")
    assert not re.search(r"\b\d\.\d", text.replace(permit.number, "")), "a decimal point in " + language
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text), "an ISO date in " + language


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_inbox_the_admin_pages_and_the_reference_pages_are_in_the_reader_language(
        app, client, db, journey, admin, shipper, language):
    """Beyond the done-when journey: the notifications inbox, every admin page (the daily jobs
    described in words), the cases, treaties and instruments pages, and a refused page (whose
    Werkzeug description is English only)."""
    facility_user = make_user(db, "facility", facility_id=journey["facility"].id)
    reader = Reader(client, facility_user, language)
    inbox = reader.get("/notifications/")
    refused = client.get("/admin/")
    assert refused.status_code == 403
    assert "permission" not in visible(refused.get_data(as_text=True))
    reader = Reader(app.test_client(), shipper, language)
    reader.get("/notifications/")
    reader = Reader(app.test_client(), admin, language)
    for url in ("/admin/", "/admin/users", "/admin/users/new", f"/admin/users/{facility_user.id}",
                "/admin/organizations", "/admin/organizations/new", "/admin/requests", "/admin/audit",
                "/admin/verification", "/cases", "/treaties", "/instruments", "/notifications/"):
        reader.get(url)
    jobs = reader.get("/admin/jobs")
    assert {"es": "Firmar y publicar un punto de control", "fr": "Signer et publier un point de contrôle"}[
        language] in jobs
    assert inbox
