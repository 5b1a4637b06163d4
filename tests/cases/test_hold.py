"""A case under investigation holds a shipper's permits naming the facility: audited, shown on
the permit page with the case reference; closing unfounded releases them; a confirmed violation
goes through the cascade and suspends them; the daily re-check never releases a case's hold."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from permits.audit.models import AuditEntry
from permits.cases import services
from permits.cases.errors import InvalidPetition, InvalidStage
from permits.permitting import holds
from tests.cases.conftest import INSPECTOR
from tests.helpers import login
from tests.permits.conftest import TODAY, apply, make_facility, record_evidence

START = TODAY - timedelta(days=3)


def _investigated(session, facility):
    case = services.file_petition(session, facility_id=facility.id, category="environmental",
                                  allegation="Dust from the kiln at night", today=START)
    services.screen(session, case_id=case.id, decision="accept", reasons="credible", today=START,
                    **INSPECTOR)
    services.investigate(session, case_id=case.id, method="inspection", country_agreed=True,
                         today=START, **INSPECTOR)
    return case


@pytest.fixture
def held(session, shipper, other_shipper):
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    mine, _ = apply(session, shipper, facility.id)
    theirs, _ = apply(session, other_shipper, facility.id)
    case = _investigated(session, facility)
    done = services.hold_permits(session, case_id=case.id, organization_id=mine.organization_id,
                                 today=TODAY, **INSPECTOR)
    return case, mine, theirs, done


def test_a_case_holds_only_the_named_shippers_permits_audited(session, held):
    case, mine, theirs, done = held
    session.refresh(mine)
    session.refresh(theirs)
    assert done == [mine]
    assert (mine.status, mine.hold_case_id, theirs.status) == ("on_hold", case.id, "approved")
    assert mine.hold_reasons == [f"held while case {case.reference} is investigated"]
    actions = [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.seq))]
    assert actions[-2:] == ["permit.case_hold", "case.hold_permits"]


def test_the_daily_recheck_does_not_release_a_case_hold(session, held):
    case, mine, _, _ = held
    assert holds.recheck(session, mine, today=TODAY, actor_id=None, cause="daily") is None
    session.refresh(mine)
    assert (mine.status, mine.hold_case_id) == ("on_hold", case.id)


def test_closing_unfounded_releases_the_hold(session, held):
    case, mine, _, _ = held
    services.record_findings(session, case_id=case.id, violation=False, summary="Nothing found",
                             today=TODAY, **INSPECTOR)
    session.refresh(mine)
    assert (case.outcome, mine.status, mine.hold_case_id, mine.hold_reasons) == (
        "unfounded", "approved", None, [])
    last = session.exec(select(AuditEntry).where(AuditEntry.action == "permit.case_release")).one()
    assert case.reference in last.reason


def test_a_confirmed_violation_suspends_the_held_permits_through_the_cascade(session, held):
    case, mine, theirs, _ = held
    services.record_findings(session, case_id=case.id, violation=True, summary="Baghouse bypassed",
                             today=TODAY, **INSPECTOR)
    session.refresh(mine)
    session.refresh(theirs)
    assert (mine.status, mine.hold_case_id, theirs.status) == ("suspended", None, "suspended")


def test_a_case_holds_permits_only_while_investigated(session, shipper):
    facility = make_facility(session, "MX")
    case = services.file_petition(session, facility_id=facility.id, category="environmental",
                                  allegation="Dust", today=START)
    with pytest.raises(InvalidStage):
        services.hold_permits(session, case_id=case.id, today=TODAY, **INSPECTOR)
    services.screen(session, case_id=case.id, decision="accept", reasons="ok", today=START, **INSPECTOR)
    with pytest.raises(InvalidPetition) as caught:
        services.hold_permits(session, case_id=case.id, organization_id=999999, today=TODAY,
                              **INSPECTOR)
    assert "organization_id" in caught.value.fields


def test_the_permit_page_names_the_case_holding_it(client, db, session, held, shipper):
    case, mine, _, _ = held
    session.commit()
    login(client, shipper)
    page = client.get(f"/permits/{mine.id}").get_data(as_text=True)
    assert case.reference in page and f"/cases/{case.reference}" in page


def test_the_api_holds_and_the_case_lists_the_held_permits(client, db, session, shipper,
                                                          inspector_headers):
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    permit, _ = apply(session, shipper, facility.id)
    case = _investigated(session, facility)
    session.commit()
    response = client.post(f"/api/v1/cases/{case.id}/hold-permits", headers=inspector_headers,
                           json={"organization_id": permit.organization_id})
    assert response.status_code == 200, response.json
    assert response.json["held_permits"] == [permit.number]
    public = client.get("/api/v1/public/cases").get_data(as_text=True)
    assert permit.number not in public and "Acme" not in public


def test_case_errors_are_said_in_the_readers_language(client, session, inspector_headers):
    facility = make_facility(session, "MX")
    case = services.file_petition(session, facility_id=facility.id, category="environmental",
                                  allegation="Dust", today=START)
    session.commit()
    response = client.post(f"/api/v1/cases/{case.id}/findings", json={"violation": False, "summary": "x"},
                           headers={**inspector_headers, "Accept-Language": "es"})
    assert (response.status_code, response.json["error"]["code"]) == (409, "invalid_stage")
    assert "no puede moverse" in response.json["error"]["message"]
    hold = client.post(f"/api/v1/cases/{case.id}/hold-permits", json={},
                       headers={**inspector_headers, "Accept-Language": "fr"})
    assert hold.status_code == 409 and "ne retient aucun permis" in hold.json["error"]["message"]


def test_an_inspector_holds_a_shippers_permits_from_the_case_desk(client, db, session, shipper):
    from tests.helpers import make_user
    facility = make_facility(session, "MX")
    record_evidence(session, facility)
    permit, _ = apply(session, shipper, facility.id)
    case = _investigated(session, facility)
    session.commit()
    login(client, make_user(db, "inspector"))
    desk = client.get(f"/cases/desk/{case.id}").get_data(as_text=True)
    assert "Acme Metals" in desk and "Hold the permits" in desk
    done = client.post(f"/cases/desk/{case.id}/hold", data={"organization_id": str(permit.organization_id)})
    assert done.status_code == 302
    assert permit.number in client.get(f"/cases/desk/{case.id}").get_data(as_text=True)
