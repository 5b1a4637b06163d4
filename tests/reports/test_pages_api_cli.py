"""The reports' pages, API and CLI: who may see them, what they serve, and the public
enforcement report that needs no sign-in and names no person."""
from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
from sqlmodel import Session, select

from permits.reports.models import ComplianceReport
from permits.reports.period import MONTH, last_complete
from permits.reports.store import run_report
from standards import clock
from tests.helpers import bearer, login, make_user
from tests.openapi_check import assert_matches_openapi
from tests.reports.conftest import INSPECTOR_EMAIL, INSPECTOR_NAME, PERIODS, TODAY

EMAIL = re.compile(rb"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture
def stored(db, world):
    with Session(db, expire_on_commit=False) as s:
        for kind, period in PERIODS.items():
            run_report(s, kind=kind, period=period, today=TODAY, trigger="cli")
        s.commit()


def _chart_urls(page: bytes) -> list[str]:
    return [url.decode() for url in re.findall(rb'<img class="chart" src="([^"]+)"', page)]


def _versions(db, kind: str) -> list[int]:
    with Session(db) as s:
        return sorted(s.exec(select(ComplianceReport.version).where(ComplianceReport.kind == kind)).all())


# API

def test_inspectors_list_and_read_reports_as_the_document_says(client, db, stored):
    headers = bearer(db, make_user(db, "inspector"))
    listed = client.get("/api/v1/reports?kind=carbon", headers=headers)
    assert listed.status_code == 200 and listed.get_json()["total"] == 1
    assert_matches_openapi(client, "get", "/api/v1/reports", listed)
    one = client.get("/api/v1/reports/monthly_compliance/2026-10", headers=headers)
    assert one.status_code == 200, one.data
    body = one.get_json()
    assert body["version"] == 1 and body["intact"] and body["content"]["period"] == "2026-10"
    assert_matches_openapi(client, "get", "/api/v1/reports/{kind}/{period}", one)


def test_the_api_serves_the_newest_version_unless_asked(client, db, stored):
    with Session(db) as s:
        run_report(s, kind="carbon", period="2026", today=TODAY, trigger="cli")
        s.commit()
    headers = bearer(db, make_user(db, "admin"))
    assert client.get("/api/v1/reports/carbon/2026", headers=headers).get_json()["version"] == 2
    assert client.get("/api/v1/reports/carbon/2026?version=1", headers=headers).get_json()["version"] == 1
    missing = client.get("/api/v1/reports/carbon/2019", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    # The report kind by its title, in the reader's language (the code stays "not_found").
    assert missing.get_json()["error"]["message"] == (
        "The report “Carbon intensity” for 2019 is not stored.")
    for language, title in (("es-MX", "Intensidad de carbono"), ("fr-CA", "Intensité carbone")):
        said = client.get("/api/v1/reports/carbon/2019?version=3",
                          headers={**headers, "Accept-Language": language}).get_json()["error"]
        assert said["code"] == "not_found" and title in said["message"], said
        assert "“carbon”" not in said["message"] and "« carbon »" not in said["message"]
    assert client.get("/api/v1/reports/gossip/2026", headers=headers).status_code == 404
    bad = client.get("/api/v1/reports/carbon/2026?version=x", headers=headers)
    assert bad.status_code == 400 and "version" in bad.get_json()["error"]["fields"]


@pytest.mark.parametrize("role", ["shipper", "facility"])
def test_other_roles_may_not_read_reports(client, db, world, stored, role):
    facility_id = world.mx.id if role == "facility" else None
    headers = bearer(db, make_user(db, role, facility_id=facility_id))
    assert client.get("/api/v1/reports", headers=headers).status_code == 403
    assert client.get("/api/v1/reports/carbon/2026", headers=headers).status_code == 403
    assert client.get("/api/v1/reports").status_code == 401


def test_the_public_enforcement_report_needs_no_token_and_names_no_person(client, stored):
    response = client.get("/api/v1/public/reports/enforcement/2026")
    assert response.status_code == 200
    assert_matches_openapi(client, "get", "/api/v1/public/reports/enforcement/{year}", response)
    assert response.get_json()["content"]["kind"] == "enforcement_public"
    _assert_no_personal_data(response.data)
    assert client.get("/api/v1/public/reports/enforcement/2019").status_code == 404


def _assert_no_personal_data(body: bytes) -> None:
    assert not EMAIL.search(body), EMAIL.search(body)
    for person in (INSPECTOR_NAME, INSPECTOR_EMAIL, "Sam Shipper", "Ada Admin", "baghouse"):
        assert person.encode() not in body


# Pages

def test_an_inspector_reads_a_report_with_its_charts_and_pdf(client, db, stored):
    login(client, make_user(db, "inspector"))
    index = client.get("/reports")
    assert index.status_code == 200 and b"/reports/monthly_compliance/2026-10" in index.data
    page = client.get("/reports/monthly_compliance/2026-10")
    assert page.status_code == 200
    assert b"Decisions by outcome" in page.data and b"content matches" in page.data
    urls = _chart_urls(page.data)
    assert len(urls) == 5
    for url in urls:
        chart = client.get(url)
        assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
        assert ElementTree.fromstring(chart.data).tag.endswith("svg") and b"<script" not in chart.data
    alts = re.findall(rb'alt="([^"]+)"', page.data)
    assert any(b"approved: Decisions 2" in alt for alt in alts)
    pdf = client.get("/reports/monthly_compliance/2026-10/v1.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_the_report_menu_is_for_inspectors_and_admins(client, db, stored):
    shipper = make_user(db, "shipper")
    login(client, shipper)
    assert client.get("/reports").status_code == 403
    assert client.get("/reports/carbon/2026").status_code == 403
    assert client.get("/reports/carbon/2026/v1.pdf").status_code == 403
    assert b'href="/reports"' not in client.get("/").data
    client.post("/logout")
    assert client.get("/reports").status_code == 302
    login(client, make_user(db, "admin"))
    assert b'href="/reports"' in client.get("/").data


def test_the_public_enforcement_page_needs_no_sign_in(client, stored):
    page = client.get("/public/reports/enforcement/2026")
    assert page.status_code == 200
    _assert_no_personal_data(page.data)
    urls = _chart_urls(page.data)
    assert urls and all(url.startswith("/public/reports/enforcement/2026/") for url in urls)
    assert all(client.get(url).mimetype == "image/svg+xml" for url in urls)
    assert client.get("/public/reports/enforcement/2026/v1.pdf").data.startswith(b"%PDF")
    assert b"/public/reports/enforcement/2026" in client.get("/public/reports/enforcement").data
    # The other kinds stay behind the sign-in, even at a guessed public-looking address.
    assert client.get("/reports/carbon/2026").status_code == 302


def test_running_a_report_from_the_page_stores_a_new_version(client, db, stored):
    login(client, make_user(db, "inspector"))
    response = client.post("/reports/run", data={"kind": "carbon", "period": "2026"})
    assert response.status_code == 302 and response.location.endswith("/reports/carbon/2026")
    assert _versions(db, "carbon") == [1, 2]
    refused = client.post("/reports/run", data={"kind": "carbon", "period": "26"}, follow_redirects=True)
    assert b"period" in refused.data and _versions(db, "carbon") == [1, 2]


# Command line

def test_the_cli_runs_a_report_and_a_rerun_adds_a_version(runner, db, world):
    first = runner.invoke(args=["reports", "run", "monthly_compliance", "--period", "2026-10"])
    assert first.exit_code == 0, first.output
    assert "Decisions: done" in first.output and "monthly_compliance 2026-10 version 1" in first.output
    second = runner.invoke(args=["reports", "run", "monthly_compliance", "--period", "2026-10"])
    assert "version 2" in second.output
    assert _versions(db, "monthly_compliance") == [1, 2]
    listed = runner.invoke(args=["reports", "list"])
    assert listed.exit_code == 0 and re.search(r"monthly_compliance\s+2026-10\s+v2", listed.output)


def test_the_cli_defaults_to_the_last_complete_period_and_names_a_bad_one(runner, db, world):
    done = runner.invoke(args=["reports", "run", "monthly_compliance"])
    assert done.exit_code == 0, done.output
    expected = last_complete(MONTH, clock.today()).label
    assert f"monthly_compliance {expected} version 1" in done.output
    bad = runner.invoke(args=["reports", "run", "annual_exports", "--period", "2026-10"])
    assert bad.exit_code == 2 and "--period" in bad.output
    unknown = runner.invoke(args=["reports", "run", "gossip"])
    assert unknown.exit_code == 2
