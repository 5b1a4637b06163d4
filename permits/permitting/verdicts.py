"""Shipment-time verdicts remembered per process, under a key that changes with everything they
depend on.

`holds.unmet_checks` is a function of: the standards the permit was decided on and its byproduct,
the day, each facility's processes, and each facility's evidence and the catalogue as they stand.
The last two are summed up by the facility's `equivalence_stamp`, which database triggers change
in the same statement as any change to them (`facility_registry.equivalence_stamp`). So the key
is (codes, byproduct, day, (facility id, stamp, processes) for each facility), read in the
shipment's own transaction: a verdict found under it is the verdict the check would reach now.

A facility without a stamp is never remembered. Stamps are random, so a key can only match the
database it was read from. The store is bounded: past `LIMIT` entries it starts afresh.
"""
from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from permits.core.db import json_value

LIMIT = 4096

FacilityFacts = tuple[int, int | None, tuple[str, ...]]  # (id, stamp, processes)

_verdicts: dict[tuple, tuple[dict, ...]] = {}
_lock = threading.Lock()


def key(codes: Iterable[str], byproduct: str, on: date, facilities: Iterable[FacilityFacts]) -> tuple | None:
    facilities = tuple(facilities)
    if any(stamp is None for _id, stamp, _processes in facilities):
        return None
    return (frozenset(codes), byproduct, on, facilities)


def remembered(verdict_key: tuple | None, compute: Callable[[], list[dict]]) -> list[dict]:
    """The unmet checks under `verdict_key`, computed once per key (a copy each time: callers
    may change what they get)."""
    if verdict_key is None:
        return compute()
    found = _verdicts.get(verdict_key)
    if found is None:
        found = tuple(compute())
        with _lock:
            if len(_verdicts) >= LIMIT:
                _verdicts.clear()
            _verdicts[verdict_key] = found
    return copy.deepcopy(list(found)) if found else []


def remembered_plain(verdict_key: tuple | None, compute: Callable[[], list[dict]]) -> list[dict]:
    """`compute()` as plain JSON values (exactly what a JSON column gives back, read as a JSON
    column is read: `db.json_value`), computed once per key: kept as its JSON text, so that each
    caller gets its own copy from one reading of it."""
    found = _verdicts.get(verdict_key) if verdict_key is not None else None
    if found is None:
        found = json.dumps(compute(), default=_json_default)
        if verdict_key is not None:
            with _lock:
                if len(_verdicts) >= LIMIT:
                    _verdicts.clear()
                _verdicts[verdict_key] = found
    return json_value(found)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def forget() -> None:
    """Empty the store (tests that compare a remembered verdict with a fresh one)."""
    with _lock:
        _verdicts.clear()
