"""`GET /api/v1/permits/{id}` answers from plain rows (`permits.permitting.permit_answers`): the
answer must be the shape's (`PermitPublic.of` through `dump`, the decision built afresh), field
for field and type for type (1 and 1.0 differ), for every permit of the demo (every state, held
permits, consents decided on paper and pending, amendments) and every kind of reader, and a
permit a reader may not see is the same 404."""
from __future__ import annotations

import json

from sqlmodel import Session, select

from permits.accounts.models import User
from permits.api.shapes import dump
from permits.permitting import decision_answers, decisions
from permits.permitting import services as service
from permits.permitting.api_shapes import PermitPublic
from permits.permitting.models import Permit
from standards.errors import NotFound
from tests.helpers import token_for

# Every top-level field API.md gives a permit; none may go missing or be renamed.
FIELDS = {
    "id", "number", "status", "status_reason", "organization_id", "applicant_id", "byproduct",
    "waste_codes", "quantity_tonnes", "shipments_planned", "valid_from", "valid_to",
    "receiving_facility_id", "operation_code", "final_facility_id", "final_operation_code",
    "origin", "route", "transporters", "used_tonnes", "shipments_used", "created_at",
    "submitted_at", "hold", "consent_status", "consent_until", "decision", "consents",
}


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True)


def _readers(session: Session) -> list[User]:
    """One user of each kind of reach: per role, organization, facility and country."""
    seen, readers = set(), []
    for user in session.exec(select(User).where(User.active).order_by(User.id)):
        reach = (user.role, user.organization_id, user.facility_id, user.country)
        if reach not in seen:
            seen.add(reach)
            readers.append(user)
    return readers


def _by_the_shape(app, db, headers: dict, permit_id: int, reader: User):
    """The answer as the shape writes it, or None for a permit `reader` may not see."""
    with Session(db) as session, app.test_request_context(f"/api/v1/permits/{permit_id}",
                                                          headers=headers):
        try:
            permit = service.get_permit(session, permit_id=permit_id, actor=session.get(User, reader.id))
        except NotFound:
            return None
        return dump(PermitPublic, PermitPublic.of(permit, decisions.current_decision(session, permit_id)))


def test_every_permit_reads_as_the_shape_writes_it_for_every_reader(demo_db, app, client):
    decision_answers.forget()
    with Session(demo_db) as session:
        permit_ids = session.exec(select(Permit.id).order_by(Permit.id)).all()
        readers = _readers(session)
    assert {"shipper", "facility", "inspector", "authority"} <= {r.role for r in readers}
    seen = 0
    for reader in readers:
        headers = {"Authorization": f"Bearer {token_for(demo_db, reader)}"}
        for permit_id in permit_ids:
            response = client.get(f"/api/v1/permits/{permit_id}", headers=headers)
            expected = _by_the_shape(app, demo_db, headers, permit_id, reader)
            if expected is None:
                assert response.status_code == 404, (reader.role, permit_id, response.data[:200])
                continue
            assert response.status_code == 200, (reader.role, permit_id, response.data[:300])
            assert response.mimetype == "application/json"
            got = response.get_json()
            assert set(got) == FIELDS, (permit_id, set(got) ^ FIELDS)
            assert _canonical(got) == _canonical(expected), (reader.role, permit_id, got["status"])
            seen += 1
    with Session(demo_db) as session:  # the demo has permits in every state, one held (read the long way)
        statuses = set(session.exec(select(Permit.status)).all())
    assert {"draft", "approved", "on_hold", "denied", "revoked"} <= statuses, statuses
    assert seen >= len(permit_ids)


def test_a_permit_of_another_organization_is_the_same_404(client, db, approved, other_shipper):
    headers = {"Authorization": f"Bearer {token_for(db, other_shipper)}"}
    response = client.get(f"/api/v1/permits/{approved.id}", headers=headers)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    missing = client.get("/api/v1/permits/999999", headers=headers)
    assert missing.status_code == 404 and missing.get_json() == response.get_json() | {
        "error": {**response.get_json()["error"], "message": missing.get_json()["error"]["message"]}}


def test_the_json_text_is_the_same_without_orjson(monkeypatch):
    from permits.api import json_text

    value = {"b": [1, 1.5, None, True, "é\u2028"], "a": {"z": 0.1, "y": -3}, "c": 1e-7}
    kept = json_text.dumps({"x": [2, "two"]})
    with_orjson = json_text.dumps({**value, "k": json_text.fragment(kept)}, newline=True)
    monkeypatch.setattr(json_text, "orjson", None)
    without = json_text.dumps({**value, "k": json_text.fragment(kept)}, newline=True)
    assert json.loads(with_orjson) == json.loads(without) == {**value, "k": {"x": [2, "two"]}}
    assert with_orjson.endswith(b"\n") and without.endswith(b"\n")
    assert with_orjson.index(b'"a"') < with_orjson.index(b'"b"') < with_orjson.index(b'"k"')


def test_a_permit_with_several_live_consents_reads_as_the_shape_writes_it(app, client, db, approved,
                                                                          shipper, inspector):
    """Each live consent is a row of the read's one statement (a transit country's request
    beside the importing country's consent; a superseded one left out)."""
    from permits.consents.models import Consent
    from standards import clock

    with Session(db) as session:
        session.add(Consent(permit_id=approved.id, country="GT", role="transit",
                            requested_on=clock.today()))
        session.add(Consent(permit_id=approved.id, country="BZ", role="transit",
                            requested_on=clock.today(), superseded_at=clock.utcnow(),
                            superseded_reason="the route changed"))
        session.commit()
    for reader in (shipper, inspector):
        headers = {"Authorization": f"Bearer {token_for(db, reader)}"}
        got = client.get(f"/api/v1/permits/{approved.id}", headers=headers).get_json()
        countries = [c["country"] for c in got["consents"]]
        assert len(countries) == 2 and "GT" in countries and countries == sorted(countries)
        expected = _by_the_shape(app, db, headers, approved.id, reader)
        assert _canonical(got) == _canonical(expected)
