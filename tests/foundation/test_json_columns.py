"""JSON columns are written and read with orjson (`permits.core.db.json_text`, `json_value`): every value
comes back as the standard library's JSON gave it back, and what the standard library refused
(a date) is refused as before."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, Table, exc, select

from permits.core import db as parity_db

_META = MetaData()
_DOCS = Table("json_doc", _META, Column("id", Integer, primary_key=True), Column("body", JSON))

VALUES = [
    {"standard": "osha-lead-pel", "value": 0.1 + 0.2, "limit": 1e-05, "big": 1e16, "neg": -0.0},
    {"texte": "Aciers du Québec — « conformes »", "emoji": "😀", "escapes": '" \\ \n \t \u2028 \x7f'},
    {"nested": [{"a": [1, 2, {"b": None}]}, True, False, []], "": {}},
    {1: "an int key", "2": "a str key"},
    {"huge": 2 ** 70, "small": -(2 ** 63)},
    [3.141592653589793, 1.7976931348623157e308, 5e-324],
]


@pytest.mark.parametrize("value", VALUES)
def test_a_value_reads_back_as_the_standard_library_gave_it(db, value):
    expected = json.loads(json.dumps(value))
    assert db.dialect._json_serializer is not None  # the engine's own, not the default
    with db.begin() as conn:
        _DOCS.create(conn, checkfirst=True)
        conn.execute(_DOCS.delete())
        conn.execute(_DOCS.insert(), {"id": 1, "body": value})
    with db.connect() as conn:
        read = conn.execute(select(_DOCS.c.body)).scalar_one()
    assert read == expected and json.dumps(read) == json.dumps(expected)
    with db.begin() as conn:
        _DOCS.drop(conn)


def test_what_json_refused_is_still_refused():
    with pytest.raises(TypeError):
        parity_db.json_text({"on": date(2026, 12, 3)})
    assert parity_db.json_text({"a": [1, "é"]}) == '{"a":[1,"é"]}'
    assert parity_db.json_value("NaN") != parity_db.json_value("NaN")  # text orjson refuses: read as before


def test_a_date_in_a_json_column_fails_the_statement_and_writes_nothing(db):
    with db.begin() as conn:
        _DOCS.create(conn, checkfirst=True)
    try:
        # SQLAlchemy wraps it on SQLite; psycopg adapts the value itself, and raises it as it is
        with pytest.raises((exc.StatementError, TypeError)), db.begin() as conn:
            conn.execute(_DOCS.insert(), {"id": 2, "body": {"on": date(2026, 12, 3)}})
        with db.connect() as conn:
            assert conn.execute(select(_DOCS.c.id)).all() == []
    finally:
        with db.begin() as conn:
            _DOCS.drop(conn)


@pytest.mark.parametrize("text", [
    '{"n": 123456789012345678901234}',            # beyond 64 bits: orjson would give a float
    '{"é": "Québec", "n": -18446744073709551617}',  # after non-ASCII text, negative
    '[1, 999999999999999999, 2]',                 # 18 digits: orjson reads it, exactly
    '{"id": "0000000000000000000000", "v": 1.5}',  # a long run inside a string
])
@pytest.mark.parametrize("as_bytes", [False, True])
def test_a_long_number_reads_as_the_standard_library_reads_it(text, as_bytes):
    read = parity_db.json_value(text.encode() if as_bytes else text)
    assert read == json.loads(text) and json.dumps(read) == json.dumps(json.loads(text))
