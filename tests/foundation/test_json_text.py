"""`json_text.dumps`, which writes the API's answers: compact, keys sorted, UTF-8 as it is, what
orjson refuses (an integer beyond 64 bits) written by the standard library, the same JSON."""
from __future__ import annotations

import json

from permits.api import json_text


def test_answers_are_compact_sorted_utf8_json():
    value = {"b": [1, 2.5, None, True], "a": {"é": "Québec — « ok »", "z": "\u2028"}}
    text = json_text.dumps(value, newline=True)
    assert text.endswith(b"\n") and text.index(b'"a"') < text.index(b'"b"')
    assert b" " not in text.replace("Québec — « ok »".encode(), b"")
    assert "Québec".encode() in text and json.loads(text) == value


def test_what_orjson_refuses_is_written_by_the_standard_library():
    value = {"huge": 2 ** 70, "small": -(2 ** 63), "é": 1}
    text = json_text.dumps(value)
    assert text == '{"huge":1180591620717411303424,"small":-9223372036854775808,"é":1}'.encode()
    assert json.loads(text) == value
