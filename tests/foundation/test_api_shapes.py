"""The shape glue: a body's JSON types are a 400 naming each field as sent, a missing or unknown
field a 422, a query's choices a 422; answers keep what the API always wrote."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import ClassVar, Literal

import pytest

from permits.api.errors import http_status
from permits.api.reading import read_body, read_query
from permits.api.shapes import Body, Day, InDate, Number, Public, Query, Sparse, UtcTimestamp, dump
from standards.errors import DomainError


class Part(Body):
    name: str
    size: Number | None = None


class Thing(Body):
    unknown_field: ClassVar[str] = "is not a thing field"
    title: str
    count: int | None = None
    value: Number | bool | str | None = None
    part: Part | None = None
    parts: list[Part] | None = None
    on: InDate | None = None


class Filter(Query):
    status: Literal["open", "all"] = "open"


def _error(app, model, body: dict, *, method="POST") -> DomainError:
    with app.test_request_context("/api/x", method=method, json=body):
        with pytest.raises(DomainError) as caught:
            read_body(model)
    return caught.value


def test_wrong_types_are_a_400_naming_each_field_as_nested(app):
    error = _error(app, Thing, {"title": 3, "count": 1.5, "value": [1], "part": {"name": 2},
                                "parts": [{"name": "a"}, {"name": "b", "size": "big"}]})
    assert (http_status(error), error.code) == (400, "wrong_type")
    assert error.fields == {"title": ["must be a string"], "count": ["must be a whole number"],
                            "value": ["must be a number or true/false"],
                            "part.name": ["must be a string"], "parts[1].size": ["must be a number"]}


def test_missing_null_and_unknown_fields_are_a_422(app):
    error = _error(app, Thing, {"title": None, "colour": "red", "part": {"nam": "x"}})
    assert (http_status(error), error.code) == (422, "validation_failed")
    assert error.fields == {"title": ["is required"], "colour": ["is not a thing field"],
                            "part.name": ["is required"],
                            "part.nam": ["is not a field of this request"]}


def test_a_date_is_text_spelled_as_a_day(app):
    assert http_status(_error(app, Thing, {"title": "t", "on": 20260101})) == 400
    error = _error(app, Thing, {"title": "t", "on": "2026-02-30"})
    assert (http_status(error), error.fields) == (422, {"on": ["is not a valid date (YYYY-MM-DD)"]})


def test_a_body_keeps_what_was_sent(app):
    with app.test_request_context("/api/x", method="POST",
                                  json={"title": "t", "value": 3, "count": None, "on": "2026-01-02"}):
        body = read_body(Thing)
    assert body.given() == {"title": "t", "value": 3, "count": None, "on": date(2026, 1, 2)}
    assert isinstance(body.given()["value"], int)  # typed as sent: 3 stays 3, not 3.0


def test_a_query_choice_is_a_422_naming_the_choices(app):
    with app.test_request_context("/api/x?status=closed"):
        with pytest.raises(DomainError) as caught:
            read_query(Filter)
    assert caught.value.fields == {"status": ["must be one of open, all"]}
    with app.test_request_context("/api/x?status="):
        assert read_query(Filter).status == "open"  # empty is absent


class Answer(Sparse):
    on: Day
    at: UtcTimestamp
    note: str | None = None


class Listing(Public):
    answers: list[Answer]


def test_answers_write_dates_in_iso_and_leave_out_what_they_were_not_given():
    naive = datetime(2026, 1, 2, 3, 4, 5)
    assert dump(Listing, {"answers": [{"on": date(2026, 1, 2), "at": naive}]}) == {
        "answers": [{"on": "2026-01-02", "at": naive.replace(tzinfo=UTC).isoformat()}]}
    assert dump(Answer, {"on": date(2026, 1, 2), "at": naive, "note": None})["note"] is None


def test_a_view_may_answer_a_model_without_declaring_it(app):
    from permits.api.endpoint import endpoint

    def day():
        return Answer(on=date(2026, 1, 2), at=datetime(2026, 1, 2, tzinfo=UTC))

    app.add_url_rule("/api/v1/_day_for_test", "day_for_test", endpoint(is_public=True)(day))
    assert app.test_client().get("/api/v1/_day_for_test").get_json() == {
        "on": "2026-01-02", "at": "2026-01-02T00:00:00+00:00"}
