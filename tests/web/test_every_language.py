"""The journeys in Spanish and French: each page declares the language it is written in, keeps
its structure (tables named and boxed, one id per element, a label for every field), and shows
no English sentence the catalogues translate."""
from __future__ import annotations

import html as htmlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlmodel import Session

from standards import clock
from tests.helpers import login
from tests.shipments import factories

ROOT = Path(__file__).resolve().parents[2]
TODAY = clock.today()


def _english_sentences(language: str) -> list[str]:
    """Messages long enough to be unmistakable whose translation differs from the English."""
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    return [m.id for m in catalogue if isinstance(m.id, str) and len(m.id) >= 18 and "%" not in m.id
            and m.string and m.string != m.id]


def _visible(page: str) -> str:
    # Citations quote the law as it is written; codes are codes.
    page = re.sub(r"<(script|style|code|pre|cite)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", htmlib.unescape(re.sub(r"<[^>]+>", " ", page)))


def _structure_holds(page: str, url: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), (url, sorted({i for i in ids if ids.count(i) > 1}))
    for table in re.findall(r"<table\b[^>]*>.*?</table>", page, re.S):
        assert "<caption" in table or "aria-labelledby=" in table.split(">", 1)[0], (url, table[:200])
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', page))
    for control in re.findall(r"<(?:input|select|textarea)\b[^>]*>", page):
        if re.search(r'type="(hidden|submit|checkbox)"', control):
            continue
        control_id = re.search(r'\bid="([^"]+)"', control)
        assert control_id and (control_id.group(1) in labelled or "aria-label" in control), (url, control)


@pytest.fixture
def journey(client, db, world, runner):
    with Session(db, expire_on_commit=False) as s:
        shipment = factories.make_shipment(s, permit=world.permit, departed_on=TODAY - timedelta(days=1))
        s.commit()
    runner.invoke(args=["reports", "run", "monthly_compliance"])
    return [
        (world.shipper, ["/", "/account", "/permits/", f"/permits/{world.permit.id}", "/permits/new",
                        "/shipments/", f"/permits/{world.permit.id}/shipments", "/registry/facilities",
                        "/registry/finder", "/standards", "/codes"]),
        (world.facility_user, ["/", "/shipments/incoming", f"/shipments/{shipment.id}",
                              "/registry/my-facility", "/review/evidence-requests"]),
        (world.inspector, ["/", "/review/", "/registry/evidence/unverified", "/shipments/exceptions",
                          f"/registry/facilities/{world.facility.id}",
                          f"/registry/facilities/{world.facility.id}/inspections/new", "/reports"]),
        (None, ["/login", f"/verify/{world.permit.number}", "/public/reports/enforcement"]),
    ]


@pytest.mark.parametrize("language", ["es", "fr"])
def test_every_journey_page_is_in_the_readers_language(client, journey, language):
    english = _english_sentences(language)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language  # sign-in and sign-out too
    for user, urls in journey:
        client.post("/logout") if user is None else login(client, user)
        for url in urls:
            response = client.get(url, follow_redirects=True)
            assert response.status_code == 200, url
            page = response.get_data(as_text=True)
            assert f'<html lang="{language}">' in page, url
            _structure_holds(page, url)
            text = _visible(page)
            left = [sentence for sentence in english if sentence in text]
            assert left == [], (url, left)
