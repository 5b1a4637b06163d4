"""An application's answer is shaped after the request commits (`endpoint.Later`): validating
and encoding a decision's fifty kilobytes of checks no longer holds the one writer lock. The
answer is the same as the permit's own read; with an Idempotency-Key, whose record keeps the
answer in the same commit, it is shaped before the commit and replayed byte for byte."""
from __future__ import annotations

import pytest

from permits.core import db as parity_db
from permits.permitting import api_shapes
from tests.helpers import bearer
from tests.permits.conftest import application

PERMITS = "/api/v1/permits"


@pytest.fixture
def shaped_in(monkeypatch):
    """Whether the request's transaction was still open each time a permit's answer was shaped."""
    seen: list[bool] = []
    shape = api_shapes.PermitPublic.of.__func__

    def watched(cls, *args, **kwargs):
        seen.append(parity_db.session().in_transaction())
        return shape(cls, *args, **kwargs)

    monkeypatch.setattr(api_shapes.PermitPublic, "of", classmethod(watched))
    return seen


def test_the_answer_is_shaped_after_the_commit_and_is_the_permits_read(client, db, shipper,
                                                                         compliant_facility, shaped_in):
    headers = bearer(db, shipper)
    answer = client.post(PERMITS, json=application(compliant_facility.id), headers=headers)
    assert answer.status_code == 201, answer.get_json()
    assert shaped_in == [False]
    body = answer.get_json()
    assert body["decision"]["verified"] is True and body["consents"]
    read = client.get(f"{PERMITS}/{body['id']}", headers=headers).get_json()
    assert body == read


def test_with_an_idempotency_key_the_answer_is_shaped_before_and_replayed(client, db, shipper,
                                                                          compliant_facility, shaped_in):
    headers = {**bearer(db, shipper), "Idempotency-Key": "apply-once"}
    first = client.post(PERMITS, json=application(compliant_facility.id), headers=headers)
    again = client.post(PERMITS, json=application(compliant_facility.id), headers=headers)
    assert first.status_code == again.status_code == 201
    assert shaped_in == [True]  # the replay shapes nothing: it is the stored answer
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
