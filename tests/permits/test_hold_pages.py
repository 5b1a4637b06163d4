"""The pages of continuous equivalence: a held permit says since when and why (to its shipper
and to the facility), the inspectors' queue lists holds, and an inspector rejects an entry or
records a correction from the facility's page (bad input names its field, nothing changes)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlmodel import Session

from facility_registry import services as registry
from facility_registry.models import Evidence
from permits.permitting.models import Permit
from tests.helpers import login, make_user
from tests.permits.conftest import PEL, SYSTEM_INSPECTOR, TODAY

FACILITY_USER = {"actor_id": None, "actor_role": "facility"}


@pytest.fixture
def held(db, approved, compliant_facility):
    permit = approved
    with Session(db, expire_on_commit=False) as session:
        own = registry.record_evidence(
            session, facility_id=compliant_facility.id, standard=PEL, kind="measurement",
            value=40, shift_hours=12, unit="µg/m³", basis="8h_twa", observed_on=TODAY,
            source="self-reported", **FACILITY_USER)
        session.commit()
        assert session.get(Permit, permit.id).status == "on_hold"
        return permit, own


def test_the_shipper_and_the_facility_see_the_hold(client, db, shipper, held, compliant_facility):
    permit, _own = held
    login(client, shipper)
    page = client.get(f"/permits/{permit.id}").get_data(as_text=True)
    assert "On hold: no new load may leave" in page
    assert f"On hold since {format_date(TODAY, 'medium', locale='en')}" in page
    assert 'id="hold-h"' in page and "400 ÷ 12 h" in page
    client.get("/logout")
    facility_user = make_user(db, "facility", facility_id=compliant_facility.id)
    login(client, facility_user)
    page = client.get(f"/permits/{permit.id}").get_data(as_text=True)
    assert "On hold: no new load may leave" in page


def test_the_review_queue_lists_permits_on_hold(client, db, inspector, held):
    permit, _own = held
    login(client, inspector)
    page = client.get("/review/").get_data(as_text=True)
    assert "Permits on hold" in page
    assert permit.number in page.split("Permits on hold", 1)[1]


def test_rejecting_from_the_page_releases_the_permit(client, db, inspector, held):
    permit, own = held
    login(client, inspector)
    assert client.get(f"/registry/evidence/{own.id}/reject").status_code == 200
    response = client.post(f"/registry/evidence/{own.id}/reject", data={"reason": " "})
    assert response.status_code == 422
    assert 'id="reason"' in response.get_data(as_text=True)
    with Session(db) as session:
        assert session.get(Evidence, own.id).rejected_at is None
    response = client.post(f"/registry/evidence/{own.id}/reject",
                           data={"reason": "pump failed during sampling"})
    assert response.status_code == 302
    with Session(db) as session:
        assert session.get(Permit, permit.id).status == "approved"


def test_recording_a_correction_from_the_page(client, db, inspector, compliant_facility):
    with Session(db, expire_on_commit=False) as session:
        high = registry.record_evidence(
            session, facility_id=compliant_facility.id, standard=PEL, kind="measurement",
            value=150, unit="µg/m³", basis="8h_twa", observed_on=TODAY - timedelta(days=4),
            source="spot check", **SYSTEM_INSPECTOR)
        again = registry.record_evidence(
            session, facility_id=compliant_facility.id, standard=PEL, kind="measurement",
            value=20, unit="µg/m³", basis="8h_twa", observed_on=TODAY, source="re-test",
            **SYSTEM_INSPECTOR)
        session.commit()
    login(client, inspector)
    page = client.get(f"/registry/evidence/{high.id}/correct").get_data(as_text=True)
    assert f'value="{again.id}"' in page
    response = client.post(f"/registry/evidence/{high.id}/correct",
                           data={"corrective_action": "enclosure fixed",
                                 "remeasurement_evidence_id": ""})
    assert response.status_code == 422
    assert "remeasurement_evidence_id" in response.get_data(as_text=True)
    response = client.post(f"/registry/evidence/{high.id}/correct",
                           data={"corrective_action": "enclosure fixed",
                                 "remeasurement_evidence_id": str(again.id)})
    assert response.status_code == 302
    page = client.get(f"/registry/facilities/{compliant_facility.id}").get_data(as_text=True)
    assert "enclosure fixed" in page
