"""JSON text for the hot reads: orjson (keys sorted, compact, as `jsonify` writes them) and JSON
text kept ready embedded as it is (`fragment`).

An environment installed before orjson became a dependency falls back to the standard library
(the same JSON, slower; a fragment is decoded and encoded again) rather than failing to import.
"""
from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - a virtual environment older than the dependency
    orjson = None


def dumps(value: Any, *, newline: bool = False) -> bytes:
    """`value` as compact JSON text, keys sorted. What orjson refuses (an integer beyond 64 bits)
    the standard library writes."""
    if orjson is not None:
        option = orjson.OPT_SORT_KEYS | (orjson.OPT_APPEND_NEWLINE if newline else 0)
        try:
            return orjson.dumps(value, option=option)
        except TypeError:  # orjson.JSONEncodeError is one
            pass
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (text + "\n" if newline else text).encode()


def fragment(text: bytes) -> Any:
    """JSON text `dumps` embeds as it is, in place of the value it encodes."""
    return orjson.Fragment(text) if orjson is not None else json.loads(text)


class KeptText:
    """Each row's JSON text kept, as a `fragment`, under the row exactly as the driver read it
    and whatever else its text depends on (the day, for a deadline): a page read again and again
    encodes each row once. The key is all the text is made from, so a row changed in any way, by
    the application or behind its back, is a new key and is written afresh. Past `limit` rows
    the store starts afresh (a dict's item assignment and lookup are atomic: threads share it)."""

    def __init__(self, limit: int = 4096):
        self.limit = limit
        self._kept: dict[Any, Any] = {}

    def get(self, key: Any, build) -> Any:
        """The fragment kept under `key`, or `build()`'s JSON values, encoded and kept."""
        try:
            found = self._kept.get(key)
        except TypeError:  # a value that cannot be a key (a list from a JSON column): not kept
            return fragment(dumps(build()))
        if found is None:
            if len(self._kept) >= self.limit:
                self._kept.clear()
            found = self._kept[key] = fragment(dumps(build()))
        return found
