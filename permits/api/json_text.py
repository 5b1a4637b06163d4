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
    """`value` as compact JSON text, keys sorted."""
    if orjson is not None:
        option = orjson.OPT_SORT_KEYS | (orjson.OPT_APPEND_NEWLINE if newline else 0)
        return orjson.dumps(value, option=option)
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return (text + "\n" if newline else text).encode()


def fragment(text: bytes) -> Any:
    """JSON text `dumps` embeds as it is, in place of the value it encodes."""
    return orjson.Fragment(text) if orjson is not None else json.loads(text)
