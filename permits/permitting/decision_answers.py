"""A permit's standing decision as the API answers it, built once per process for each record
as stored.

Building the answer (decoding some fifty checks, validating them into the shape, hashing the
record again to say whether it is `verified`) costs more than the rest of a permit read. The
record is read as stored, its JSON as text, and the answer is kept under a digest of exactly
what was read: a record changed in any way behind the application's back (tampered, with or
without its hash) reads as a new key, is built and verified afresh, and `verified` still says
whether the stored record hashes to its `record_hash`.
"""
from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from sqlalchemy import Text, bindparam, cast, or_, select
from sqlmodel import Session

from permits.api.shapes import dump
from permits.permitting.api_shapes import DecisionPublic
from permits.permitting.decision_models import Decision

LIMIT = 512  # answers kept per process; past it the store starts afresh

_TABLE = Decision.__table__
_JSON = frozenset(c.name for c in _TABLE.c if c.type.__class__.__name__ == "JSON")
# Built once: the standing decision (on the application, or an approved amendment), its JSON
# columns as the text stored (no decoding unless the answer has to be built).
_STANDING = (
    select(*[cast(c, Text).label(c.name) if c.name in _JSON else c for c in _TABLE.c])
    .where(_TABLE.c.permit_id == bindparam("permit_id"),
           or_(_TABLE.c.amendment_id.is_(None), _TABLE.c.outcome == "approved"))
    .order_by(_TABLE.c.id.desc()).limit(1)
)

_answers: dict[bytes, dict[str, Any]] = {}
_lock = threading.Lock()


def standing_answer(session: Session, permit_id: int) -> dict[str, Any] | None:
    """The permit's standing decision as DecisionPublic's JSON values (read-only: shared), or
    None when it has none."""
    session.flush()  # the decision just recorded in this transaction, if any, is read too
    row = session.connection().execute(_STANDING, {"permit_id": permit_id}).first()
    if row is None:
        return None
    key = hashlib.sha256(repr(tuple(row)).encode()).digest()
    answer = _answers.get(key)
    if answer is None:
        answer = _build(row)
        with _lock:
            if len(_answers) >= LIMIT:
                _answers.clear()
            _answers[key] = answer
    return answer


def _build(row) -> dict[str, Any]:
    values = dict(row._mapping)
    for name in _JSON:
        values[name] = None if values[name] is None else json.loads(values[name])
    return dump(DecisionPublic, DecisionPublic.of(Decision(**values)))


def forget() -> None:
    with _lock:
        _answers.clear()
