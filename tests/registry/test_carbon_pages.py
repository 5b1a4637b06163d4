"""Carbon pages: the form asks for the chosen method's activity data; an inspector verifies or
rejects from the facility page; unverified figures say so."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from facility_registry import services
from facility_registry.models import CarbonReport
from tests.helpers import login, make_user
from tests.registry.conftest import FACILITY_FIELDS, INSPECTOR


@pytest.fixture
def smelter(db):
    with Session(db, expire_on_commit=False) as session:
        made = services.create_facility(session, **INSPECTOR, **FACILITY_FIELDS["US"])
        session.commit()
        return made


def _reports(db):
    with Session(db) as session:
        return session.exec(select(CarbonReport)).all()


def test_a_facility_reports_by_a_method_and_an_inspector_verifies_it(client, db, smelter):
    login(client, make_user(db, "facility", facility_id=smelter.id))
    url = f"/registry/facilities/{smelter.id}/carbon/new"
    choose = client.get(url).get_data(as_text=True)
    assert "Subpart R" in choose and 'value="ghgrp_subpart_q"' in choose  # lead and EAF dust
    form = client.get(url + "?method=ghgrp_subpart_r").get_data(as_text=True)
    assert "inputs-0-carbon_fraction" in form and "fuels-0-quantity" not in form
    body = {"method": "ghgrp_subpart_r", "year": "2025", "receiving_process": "secondary_lead_smelting",
            "tonnes_received": "1000", "tonnes_processed": "800",
            "inputs-0-material": "carbonaceous", "inputs-0-tonnes": "12",
            "inputs-0-carbon_fraction": "1.5"}
    refused = client.post(url, data=body)
    assert refused.status_code == 422 and 'id="inputs-0-carbon_fraction-errors"' in refused.get_data(as_text=True)
    assert _reports(db) == []
    done = client.post(url, data={**body, "inputs-0-carbon_fraction": "0.85"})
    assert done.status_code == 302
    (report,) = _reports(db)
    assert report.total_tco2e == pytest.approx(12 * 0.85 * 44 / 12) and not report.verified
    page = client.get(f"/registry/facilities/{smelter.id}").get_data(as_text=True)
    assert 'class="badge unverified"' in page and "(unverified)" in page
    client.post("/logout")
    login(client, make_user(db, "inspector"))
    assert client.post(f"/registry/carbon/{report.id}/verify").status_code == 302
    assert _reports(db)[0].verified
    page = client.get(f"/registry/facilities/{smelter.id}").get_data(as_text=True)
    assert 'class="badge verified"' in page and "(unverified)" not in page


def test_an_inspector_rejects_a_report_with_a_reason(client, db, smelter):
    with Session(db) as session:
        report = services.record_carbon(
            session, facility_id=smelter.id, year=2025, method="ghg_protocol",
            tonnes_received=10, tonnes_processed=10, actor_id=None, actor_role="facility",
            activity={"sources": [{"source": "gas", "scope": 1, "amount": 5, "factor_tco2e_per_unit": 1}]})
        session.commit()
        report_id = report.id
    login(client, make_user(db, "inspector"))
    url = f"/registry/carbon/{report_id}/reject"
    assert client.post(url, data={"reason": ""}).status_code == 422
    assert client.post(url, data={"reason": "no invoices"}).status_code == 302
    assert _reports(db)[0].rejection_reason == "no invoices"
    assert "no invoices" in client.get(f"/registry/facilities/{smelter.id}").get_data(as_text=True)
