"""A permit's standing decision as the API answers it, built once per process for each record
as stored.

Building the answer (decoding some fifty checks, validating them into the shape, hashing the
record again to say whether it is `verified`) costs more than the rest of a permit read. The
record is read as stored, its JSON as text, and the answer is kept with exactly what was read
(each value and its type): a record read differently in any way (tampered behind the
application's back, with or without its hash) is built and verified afresh, and `verified`
still says whether the stored record hashes to its `record_hash`. Comparing what was read with
what was kept costs a memory compare, where hashing fifty kilobytes on every read did not. The
answer is kept both as JSON values and as its JSON text (`standing_json`), so that a read
neither builds nor encodes it again.
"""
from __future__ import annotations

import json
import threading
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, or_, select
from sqlmodel import Session

from permits.api.json_text import dumps
from permits.api.shapes import dump
from permits.core.db import Prepared
from permits.permitting.api_shapes import DecisionPublic
from permits.permitting.decision_models import Decision

LIMIT = 512  # answers kept per process; past it the store starts afresh

_TABLE = Decision.__table__
_JSON = frozenset(c.name for c in _TABLE.c if c.type.__class__.__name__ == "JSON")
# Built once: the standing decision (on the application, or an approved amendment), its JSON
# columns as the text stored (no decoding unless the answer has to be built).
COLUMNS = [cast(c, Text).label(c.name) if c.name in _JSON else c for c in _TABLE.c]
_STANDING = Prepared(
    select(*COLUMNS)
    .where(_TABLE.c.permit_id == bindparam("permit_id"),
           or_(_TABLE.c.amendment_id.is_(None), _TABLE.c.outcome == "approved"))
    .order_by(_TABLE.c.id.desc()).limit(1)
)
_NAMES = tuple(column.name for column in _STANDING.statement.selected_columns)


def standing_id(permit_id_column):
    """The id of the standing decision of the permit `permit_id_column` names, as a correlated
    scalar subquery (the newest on the application or an approved amendment, as `_STANDING`):
    for a read that joins the decision's `COLUMNS` to the permit's row in one statement."""
    decision = _TABLE.alias("standing")
    return (select(func.max(decision.c.id))
            .where(decision.c.permit_id == permit_id_column,
                   or_(decision.c.amendment_id.is_(None), decision.c.outcome == "approved"))
            .scalar_subquery())

# decision id -> (the record as read, its answer as JSON values, the same as JSON text)
_ID = _NAMES.index("id")
_answers: dict[int, tuple[tuple, dict[str, Any], bytes]] = {}
_lock = threading.Lock()


def standing_answer(session: Session, permit_id: int) -> dict[str, Any] | None:
    """The permit's standing decision as DecisionPublic's JSON values (read-only: shared), or
    None when it has none."""
    kept = _kept(session, permit_id)
    return None if kept is None else kept[0]


def standing_json(session: Session, permit_id: int) -> bytes | None:
    """The same answer as JSON text (keys sorted, compact), or None when it has none."""
    kept = _kept(session, permit_id)
    return None if kept is None else kept[1]


def _kept(session: Session, permit_id: int) -> tuple[dict[str, Any], bytes] | None:
    session.flush()  # the decision just recorded in this transaction, if any, is read too
    return kept_for(_STANDING.first(session.connection(), {"permit_id": permit_id}))


def kept_for(read: tuple | None) -> tuple[dict[str, Any], bytes] | None:
    """(answer, JSON text) of the decision read as `COLUMNS` (None, or a null id: no decision)."""
    if read is None or read[_ID] is None:
        return None
    kept = _answers.get(read[_ID])
    if kept is None or not _same(kept[0], read):
        answer = _build(read)
        kept = (read, answer, dumps(answer))
        with _lock:
            if len(_answers) >= LIMIT:
                _answers.clear()
            _answers[read[_ID]] = kept
    return kept[1], kept[2]


def _same(kept: tuple, read: tuple) -> bool:
    """Exactly what was read before: every value equal and of the same type (1 is not 1.0)."""
    return len(kept) == len(read) and all(
        type(a) is type(b) and a == b for a, b in zip(kept, read, strict=True))


def _build(read: tuple) -> dict[str, Any]:
    values = dict(zip(_NAMES, read, strict=True))
    for name in _JSON:
        values[name] = None if values[name] is None else json.loads(values[name])
    return dump(DecisionPublic, DecisionPublic.of(Decision(**values)))


def forget() -> None:
    with _lock:
        _answers.clear()
