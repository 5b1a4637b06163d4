"""The permit read answers its standing decision built once per stored record
(`permits.permitting.decision_answers`): the same answer as building it afresh, and a record
changed behind the application's back is built again and reads `verified: false`."""
from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlmodel import Session

from permits.api.shapes import dump
from permits.permitting import decision_answers, decisions
from permits.permitting.api_shapes import DecisionPublic
from permits.permitting.decision_models import Decision
from tests.helpers import bearer
from tests.permits.api_client import CheckedApi


@pytest.fixture(autouse=True)
def _nothing_kept():
    decision_answers.forget()
    yield
    decision_answers.forget()


def _read(client, db, shipper, permit_id) -> dict:
    response = CheckedApi(client).as_(bearer(db, shipper)).get("/api/v1/permits/{permit_id}",
                                                                 path_args={"permit_id": permit_id})
    assert response.status_code == 200
    return response.get_json()["decision"]


def test_the_kept_answer_is_the_answer_built_afresh(client, db, shipper, approved):
    first = _read(client, db, shipper, approved.id)
    assert _read(client, db, shipper, approved.id) == first
    with Session(db) as session:
        fresh = dump(DecisionPublic, DecisionPublic.of(decisions.current_decision(session, approved.id)))
    assert first == fresh and first["verified"] is True


def test_a_record_changed_behind_the_applications_back_reads_unverified(client, db, shipper,
                                                                        approved):
    before = _read(client, db, shipper, approved.id)
    assert before["verified"] is True
    with Session(db) as session:  # the hash left as it was: only the checks are rewritten
        decision = decisions.current_decision(session, approved.id)
        checks = [{**c, "verdict": "meets"} for c in decision.checks]
        checks[0] = {**checks[0], "reason": "rewritten"}
        session.execute(update(Decision).where(Decision.id == decision.id).values(checks=checks))
        session.commit()
    after = _read(client, db, shipper, approved.id)
    assert after["checks"][0]["reason"] == "rewritten"
    assert after["verified"] is False
    assert after["record_hash"] == before["record_hash"]
