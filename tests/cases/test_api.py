"""The cases over the API: a petition filed without a token is in the public list at once with
its deadlines; bad input is a 422 (400 for wrong types) naming the field with nothing stored;
inspectors carry the case to an outcome; no public answer carries the petitioner."""
from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from facility_registry.models import EnforcementCase
from permits.cases.models import Petition, PetitionAttachment
from standards import clock
from tests.cases.conftest import ALLEGATION, CONTACT, make_facility
from tests.openapi_check import assert_matches_openapi

PDF = b"%PDF-1.4\n% a photo of the dust\n"


@pytest.fixture
def facility_id(db):
    with Session(db, expire_on_commit=False) as session:
        facility = make_facility(session, "MX")
        session.commit()
        return facility.id


def _petition(fid, **overrides):
    return {"facility_id": fid, "category": "environmental", "allegation": ALLEGATION,
            "contact_email": CONTACT, **overrides}


def _count(db, model=EnforcementCase) -> int:
    with Session(db) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_petition_is_in_the_public_list_at_once_with_its_deadline(client, db, facility_id):
    upload = {"filename": "dust.pdf", "content_type": "application/pdf",
              "content_base64": base64.b64encode(PDF).decode()}
    response = client.post("/api/v1/public/petitions",
                           json=_petition(facility_id, attachments=[upload]))
    assert response.status_code == 201, response.get_json()
    assert_matches_openapi(client, "post", "/api/v1/public/petitions", response)
    receipt = response.get_json()
    today = clock.today()
    assert receipt["status"] == "received"
    assert receipt["due"] == {"screening": (today + timedelta(days=30)).isoformat()}
    assert _count(db, PetitionAttachment) == 1

    listed = client.get("/api/v1/public/cases")
    assert_matches_openapi(client, "get", "/api/v1/public/cases", listed)
    [case] = listed.get_json()["items"]
    assert case["reference"] == receipt["reference"]
    assert (case["stage"], case["category"], case["overdue"]) == ("screening", "environmental", False)
    assert case["stages"][0]["due_on"] == receipt["due"]["screening"]
    one = client.get(f"/api/v1/public/cases/{receipt['reference']}")
    assert_matches_openapi(client, "get", "/api/v1/public/cases/{reference}", one)
    assert one.get_json() == case


@pytest.mark.parametrize("change, field, status", [
    ({"allegation": "   "}, "allegation", 422),
    ({"allegation": None}, "allegation", 422),
    ({"facility_id": 999999}, "facility_id", 422),
    ({"facility_id": 118702990291}, "facility_id", 422),
    ({"category": "noise"}, "category", 422),
    ({"contact_email": "not an address"}, "contact_email", 422),
    ({"attachments": [{"filename": "a.exe", "content_type": "application/x-msdownload",
                       "content_base64": base64.b64encode(b"MZ").decode()}]}, "attachments[0]", 422),
    ({"attachments": [{"filename": "a.pdf", "content_type": "application/pdf",
                       "content_base64": base64.b64encode(b"GIF89a").decode()}]}, "attachments[0]", 422),
    ({"facility_id": "one"}, "facility_id", 400),
    ({"allegation": 12}, "allegation", 400),
])
def test_bad_petitions_name_the_field_and_store_nothing(client, db, facility_id, change, field, status):
    response = client.post("/api/v1/public/petitions", json=_petition(facility_id, **change))
    assert response.status_code == status, response.get_json()
    assert_matches_openapi(client, "post", "/api/v1/public/petitions", response)
    assert field in response.get_json()["error"]["fields"]
    assert _count(db) == 0 and _count(db, Petition) == 0


def test_an_oversized_attachment_is_refused_naming_it(client, db, facility_id, monkeypatch):
    from facility_registry import inspections

    monkeypatch.setattr(inspections, "MAX_ATTACHMENT_BYTES", 64)
    upload = {"filename": "big.pdf", "content_type": "application/pdf",
              "content_base64": base64.b64encode(PDF + b"x" * 100).decode()}
    response = client.post("/api/v1/public/petitions", json=_petition(facility_id, attachments=[upload]))
    assert response.status_code == 422
    assert "larger than" in response.get_json()["error"]["fields"]["attachments[0]"][0]
    assert _count(db) == 0


def test_petitions_are_limited_per_address(db, database_url, facility_id):
    from permits.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k",
                      "RATELIMIT_ENABLED": True, "PARITY_PETITION_RATE_LIMIT": "2 per hour"})
    client = app.test_client()
    statuses = [client.post("/api/v1/public/petitions", json=_petition(facility_id),
                            environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code for _ in range(3)]
    other = client.post("/api/v1/public/petitions", json=_petition(facility_id),
                        environ_base={"REMOTE_ADDR": "198.51.100.4"})
    app.extensions["parity.engine"].dispose()
    assert statuses == [201, 201, 429]
    assert other.status_code == 201
    assert _count(db) == 3


def _move(client, headers, case_id, step, body):
    response = client.post(f"/api/v1/cases/{case_id}/{step}", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert_matches_openapi(client, "post", f"/api/v1/cases/{{case_id}}/{step}", response)
    return response.get_json()


def test_an_inspector_carries_a_petition_to_its_outcome(client, db, facility_id, inspector_headers):
    reference = client.post("/api/v1/public/petitions", json=_petition(facility_id)).get_json()["reference"]
    [case] = client.get("/api/v1/cases", headers=inspector_headers).get_json()["items"]
    assert case["petition"]["contact_email"] == CONTACT  # inspectors may reach the petitioner
    assert client.get("/api/v1/cases", headers={}).status_code == 401
    case_id = case["id"]
    _move(client, inspector_headers, case_id, "screening", {"decision": "accept", "reasons": "Specific"})
    _move(client, inspector_headers, case_id, "investigation",
          {"method": "evidence_request", "country_agreed": True, "request": "Ambient lead data"})
    body = _move(client, inspector_headers, case_id, "findings",
                 {"violation": True, "summary": "Ambient lead over the NAAQS"})
    assert body["stage"] == "remediation_plan"
    assert client.get(f"/api/v1/facilities/{facility_id}", headers=inspector_headers).get_json()["status"] == "suspended"
    due = (clock.today() + timedelta(days=60)).isoformat()
    body = _move(client, inspector_headers, case_id, "remediation",
                 {"actions": [{"action": "Enclose the dust pile", "due_on": due}]})
    assert body["remedy"] == [{"action": "Enclose the dust pile", "due_on": due}]
    body = _move(client, inspector_headers, case_id, "close",
                 {"outcome": "violation_confirmed", "summary": "Plan not followed"})
    assert (body["stage"], body["outcome"]) == ("closed", "violation_confirmed")
    public = client.get(f"/api/v1/public/cases/{reference}").get_json()
    assert public["outcome"] == "violation_confirmed" and public["closed_on"] == clock.today().isoformat()

    again = client.post(f"/api/v1/cases/{case_id}/close", headers=inspector_headers,
                        json={"outcome": "remedied", "summary": "x"})
    assert again.status_code == 409 and "stage" in again.get_json()["error"]["fields"]
    counts = client.get("/api/v1/cases/dashboard", headers=inspector_headers)
    assert_matches_openapi(client, "get", "/api/v1/cases/dashboard", counts)


def test_no_public_answer_carries_the_petitioner(client, runner, db, facility_id):
    """The e-mail, the allegation and the attached file are searched for in every public answer
    about cases: the lists, each case, the public register and the enforcement report."""
    upload = {"filename": "quintero-family.pdf", "content_type": "application/pdf",
              "content_base64": base64.b64encode(PDF).decode()}
    for category in ("environmental", "occupational"):
        assert client.post("/api/v1/public/petitions", json=_petition(
            facility_id, category=category, attachments=[upload])).status_code == 201
    year = clock.today().year
    assert runner.invoke(args=["reports", "run", "enforcement_public", "--period", str(year)]).exit_code == 0
    answers = [client.get("/api/v1/public/cases?limit=1"), client.get("/api/v1/public/cases"),
               client.get(f"/api/v1/public/cases?facility_id={facility_id}"),
               client.get("/api/v1/public/facilities"), client.get("/api/v1/public/case-periods"),
               client.get(f"/api/v1/public/reports/enforcement/{year}")]
    references = [c["reference"] for c in answers[1].get_json()["items"]]
    answers += [client.get(f"/api/v1/public/cases/{r}") for r in references]
    answers += [client.get("/cases"), client.get(f"/public/facilities/{facility_id}"),
                *(client.get(f"/cases/{r}") for r in references)]
    assert len(references) == 2
    for response in answers:
        assert response.status_code == 200, response.request.path
        text = response.get_data(as_text=True)
        for secret in (CONTACT, "rosa.quintero", "Quintero", ALLEGATION[:30], "quintero-family"):
            assert secret not in text, f"{response.request.path} shows {secret}"
