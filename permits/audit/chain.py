"""The audit chain: every state change appends one entry whose hash covers the one before.

Changing, removing or reordering any stored entry breaks the chain from that entry on,
which `verify` reports by sequence number.
"""
from __future__ import annotations

import hashlib
import json
from collections import namedtuple
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from blinker import Namespace
from sqlalchemy import String, Text, bindparam, cast, func, insert, type_coerce
from sqlmodel import Session, select

from facility_registry import events
from permits.audit.models import AuditEntry
from permits.core.canonical import canonical_json
from permits.core.db import Prepared, run_together, take_writer_lock
from standards.clock import utc_text, utcnow

GENESIS = "0" * 64

#: send(entry, session=) once an entry is written, in the caller's transaction: the features
#: that act on what happened (notices) listen here instead of being called from every service.
recorded = Namespace().signal("audit-recorded")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def canonical(entry: AuditEntry) -> bytes:
    """The bytes an entry's hash covers: every field but the hash, in a fixed form."""
    return canonical_json(_body(entry.seq, entry.at, entry.actor_id, entry.action, entry.entity,
                                entry.entity_id, entry.before, entry.after, entry.reason,
                                entry.prev_hash))


def _body(seq, at, actor_id, action, entity, entity_id, before, after, reason, prev_hash) -> dict:
    return {
        "seq": seq,
        "at": utc_text(at),
        "actor_id": actor_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
        "reason": reason,
        "prev_hash": prev_hash,
    }


def _lock_chain(session: Session) -> None:
    """Only one transaction at a time may append: two appenders would fork the chain.

    SQLite write transactions begin IMMEDIATE (one writer). On PostgreSQL every writer
    already holds the writer lock from its first write (see permits.core.db); a transaction
    whose first write is this entry takes it here, before reading the chain's head.
    """
    take_writer_lock(session.connection())


# Compiled once per dialect and sent on the DBAPI cursor with the columns' own conversions
# (permits.core.db.Prepared): these run inside every audited write, where SQLAlchemy's per-statement
# bookkeeping cost more than SQLite spends running them. The entry is a plain INSERT on the table:
# it is never changed after it is written, so it needs none of the unit of work's bookkeeping.
_TABLE = AuditEntry.__table__
_FIELDS = ("seq", "at", "actor_id", "action", "entity", "entity_id", "before", "after", "reason",
           "prev_hash", "hash")
_LAST = Prepared(select(_TABLE.c.seq, _TABLE.c.hash).order_by(_TABLE.c.seq.desc()).limit(1))
_INSERT = Prepared(insert(_TABLE).returning(_TABLE.c.id), keys=_FIELDS)
RecordedEntry = namedtuple("RecordedEntry", ("id", *_FIELDS))


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: Any,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
) -> RecordedEntry:
    """Append one entry in the caller's transaction (flushes, never commits)."""
    # The caller's pending changes first, as an ORM flush of the entry did: they are written
    # before the entry that records them.
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        params = linked_entry(actor_id=actor_id, action=action, entity=entity, entity_id=entity_id,
                              before=before, after=after, reason=reason)
        if params is not None:  # one round trip, the writer lock sent first when not held yet
            [[row]] = run_together(connection, [(LINKED, params)])
            return appended(session, row[0], linked_values(params, row))
    _lock_chain(session)
    values = next_entry(HEAD.first(connection, {}), actor_id=actor_id, action=action, entity=entity,
                        entity_id=entity_id, before=before, after=after, reason=reason)
    return appended(session, INSERT.first(connection, values)[0], values)


# The two halves of `record`, for a caller that sends its statements together (one round trip on
# PostgreSQL): it holds the chain's lock (permits.core.db.take_writer_lock), reads HEAD, builds the
# entry with `next_entry`, sends INSERT with those values, then calls `appended` with the new id.
HEAD, INSERT = _LAST, _INSERT


def next_entry(head_row, *, actor_id: int | None, action: str, entity: str, entity_id: Any,
               before: dict | None = None, after: dict | None = None, reason: str | None = None) -> dict:
    """The entry after the chain's head (`head_row`: HEAD's row, None for an empty chain), hashed."""
    seq, prev_hash = (head_row[0] + 1, head_row[1]) if head_row else (1, GENESIS)
    values = {"seq": seq, **_fields(actor_id, action, entity, before, after, reason),
              "entity_id": str(entity_id), "prev_hash": prev_hash}
    values["hash"] = hashlib.sha256(canonical_json(_body(**values))).hexdigest()
    return values


def _fields(actor_id, action, entity, before, after, reason) -> dict:
    """An entry's fields that neither the chain's head nor the entity's id decide, now."""
    return {
        "at": utcnow(),
        "actor_id": actor_id,
        "action": action,
        "entity": entity,
        "before": _jsonable(before) if before is not None else None,
        "after": _jsonable(after) if after is not None else None,
        "reason": reason,
    }


# On PostgreSQL an entry is linked by the database, in its INSERT: the statement reads the chain's
# head (under the writer lock the transaction holds) and hashes the entry's canonical text with
# sha256(). The text is built here, less the parts only the head decides (the next seq and the
# head's hash), and spliced around them in SQL exactly where canonical_json puts them: its keys
# are sorted, the entity's id, then prev_hash, then reason, then seq, last. One round trip under
# the lock every writer waits on, where reading the head and then inserting took two. `verify`
# re-hashes in Python, so the two forms are held to each other by every chain the tests verify
# (tests/audit/test_linked_entries.py compares them byte for byte).
_BEFORE_PREV = ("action", "actor_id", "after", "at", "before", "entity", "entity_id")
assert sorted(_body(0, datetime(2000, 1, 1), *range(8))) == [*_BEFORE_PREV, "prev_hash", "reason", "seq"]
_LINKED_FIELDS = ("at", "actor_id", "action", "entity", "before", "after", "reason")


def linked_insert(entity_id=None) -> Prepared:
    """The INSERT that links its entry to the head in SQL (PostgreSQL: sha256, convert_to),
    taking `linked_entry`'s parameters, returning (id, seq, entity_id, prev_hash, hash).
    `entity_id`: an SQL expression for an entity written earlier in the same transaction (whose id
    Python does not know yet; digits only, spliced as they are); by default a parameter."""
    last = func.coalesce(func.max(_TABLE.c.seq), 0).label("seq")
    counted = select(last).subquery("last")
    prev = _TABLE.alias("prev")
    seq = counted.c.seq + 1
    prev_hash = func.coalesce(prev.c.hash, GENESIS)
    entity = bindparam("entity_id", type_=String) if entity_id is None else cast(entity_id, Text)
    text = (bindparam("lead", type_=Text) + entity + '","prev_hash":"' + prev_hash
            + bindparam("tail", type_=Text) + cast(seq, Text) + "}")
    digest = func.encode(func.sha256(func.convert_to(text, "UTF8")), "hex")
    columns = {name: bindparam(name, type_=_TABLE.c[name].type) for name in _LINKED_FIELDS}
    rows = (select(seq, *columns.values(), entity, prev_hash, digest)
            .select_from(counted.outerjoin(prev, prev.c.seq == counted.c.seq)))
    return Prepared(insert(_TABLE).from_select(
        ["seq", *_LINKED_FIELDS, "entity_id", "prev_hash", "hash"], rows).returning(
        _TABLE.c.id, _TABLE.c.seq, _TABLE.c.entity_id, _TABLE.c.prev_hash, _TABLE.c.hash))


LINKED = linked_insert()


def linked_entry(*, actor_id: int | None, action: str, entity: str, entity_id: Any = None,
                 before: dict | None = None, after: dict | None = None, reason: str | None = None,
                 id_in_sql: bool = False) -> dict | None:
    """`linked_insert`'s parameters for the entry: its fields, and its canonical text less the
    head's parts (`lead`, up to the entity's id; `tail`, from after the head's hash to the seq).
    None when the entity's id is not text JSON writes as it is (a quote, a control character):
    `record` then reads the head and hashes here. `id_in_sql`: the statement supplies the id."""
    values = _fields(actor_id, action, entity, before, after, reason)
    text_id = "" if id_in_sql else str(entity_id)
    if canonical_json(text_id) != b'"' + text_id.encode() + b'"':
        return None
    lead = canonical_json({"actor_id": actor_id, "action": action, "after": values["after"],
                           "at": utc_text(values["at"]), "before": values["before"], "entity": entity,
                           "entity_id": ""})  # the keys of _BEFORE_PREV; the id's quotes end it
    values["lead"] = lead[:-2].decode()
    values["tail"] = '","reason":' + canonical_json(reason).decode() + ',"seq":'
    if not id_in_sql:
        values["entity_id"] = text_id
    return values


def linked_values(params: dict, row) -> dict:
    """The entry's fields (as `next_entry` gives them) from `linked_entry`'s parameters and the
    linked INSERT's row (id, seq, entity_id, prev_hash, hash)."""
    _id, seq, entity_id, prev_hash, digest = row
    return {"seq": seq, "at": params["at"], "actor_id": params["actor_id"], "action": params["action"],
            "entity": params["entity"], "entity_id": entity_id, "before": params["before"],
            "after": params["after"], "reason": params["reason"], "prev_hash": prev_hash, "hash": digest}


def appended(session: Session, entry_id: int, values: dict) -> RecordedEntry:
    """The entry `next_entry` built, once INSERT has written it as `entry_id`; tells the listeners."""
    entry = RecordedEntry(id=entry_id, **values)
    if recorded.receivers:
        recorded.send(entry, session=session)
    return entry


def head(session: Session) -> tuple[int, str]:
    """The chain's length and the hash of its last entry (GENESIS when empty)."""
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    return (last[0], last[1]) if last else (0, GENESIS)


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    head: str
    first_bad: int | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": self.ok, "entries": self.entries, "head": self.head}
        if not self.ok:
            body["first_bad"] = {"seq": self.first_bad, "problem": self.problem}
        return body


def verify(session: Session) -> Verification:
    """Every entry in sequence order: numbered one after the other, each linking to the one
    before, each still hashing to its hash. Streamed: a million entries are read in batches
    straight off the driver's cursor (no ORM rows, no result processing) and dropped as they go."""
    table = AuditEntry.__table__
    # The JSON columns as their text on SQLite (parsed here, where a JSON null, most `before`s,
    # costs nothing); PostgreSQL's driver hands them back parsed already.
    columns = [type_coerce(table.c[name], Text) if name in ("before", "after") else table.c[name]
               for name in _FIELDS]
    connection = session.connection()
    statement = select(*columns).order_by(table.c.seq).compile(dialect=connection.dialect)
    instant = _instant_reader(connection.dialect)
    encode = _CANONICAL.encode
    sha256 = hashlib.sha256
    prev_hash, count = GENESIS, 0
    driver = connection.connection.driver_connection
    # On PostgreSQL a named (server-side) cursor: the server sends the rows a batch at a time.
    cursor = (driver.cursor(name="audit_verify") if connection.dialect.name == "postgresql"
              else driver.cursor())
    try:
        cursor.execute(str(statement))
        while batch := cursor.fetchmany(_VERIFY_BATCH):
            for seq, at, actor_id, action, entity, entity_id, before, after, reason, prev, digest in batch:
                count += 1
                problem = None
                if seq != count:
                    problem = f"expected entry {count} here, found entry {seq} (removed or reordered)"
                elif prev != prev_hash:
                    problem = "does not link to the entry before it"
                else:
                    # `_body`'s fields, hashed as `canonical` hashes them (the same encoder settings).
                    body = {"seq": seq, "at": instant(at), "actor_id": actor_id, "action": action,
                            "entity": entity, "entity_id": entity_id, "before": _parsed(before),
                            "after": _parsed(after), "reason": reason, "prev_hash": prev}
                    if sha256(encode(body).encode()).hexdigest() != digest:
                        problem = "its content no longer matches its hash (changed after it was written)"
                if problem:
                    return Verification(False, count - 1, prev_hash, first_bad=count, problem=problem)
                prev_hash = digest
    finally:
        cursor.close()
    return Verification(True, count, prev_hash)


_VERIFY_BATCH = 5000
# canonical_json's settings in one encoder built once (json.dumps builds one per call).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _instant_reader(dialect):
    """The `at` column as the driver gives it -> `utc_text` of the datetime SQLAlchemy would
    have made of it. PostgreSQL's driver gives a datetime. SQLite gives the stored text: in the
    form SQLAlchemy writes ("2026-11-01 12:00:00.000000") it is read with fromisoformat, which
    gives the same datetime several times faster; any other text goes through SQLAlchemy's own
    reading of it, as before."""
    process = AuditEntry.__table__.c.at.type.result_processor(dialect, None)

    def instant(value):
        if isinstance(value, str):
            if len(value) == 26 and value[10] == " " and value[19] == ".":
                value = datetime.fromisoformat(value)
            elif process is not None:
                value = process(value)
        return utc_text(value)
    return instant


def _parsed(value: Any) -> Any:
    # PostgreSQL's driver hands JSON back parsed already; SQLite gives the text.
    if isinstance(value, str):
        return None if value == "null" else json.loads(value)
    return value


def verify_entries(entries: Iterable[AuditEntry]) -> Verification:
    prev_hash, count = GENESIS, 0
    for count, entry in enumerate(entries, start=1):
        problem = None
        if entry.seq != count:
            problem = f"expected entry {count} here, found entry {entry.seq} (removed or reordered)"
        elif entry.prev_hash != prev_hash:
            problem = "does not link to the entry before it"
        elif hashlib.sha256(canonical(entry)).hexdigest() != entry.hash:
            problem = "its content no longer matches its hash (changed after it was written)"
        if problem:
            return Verification(False, count - 1, prev_hash, first_bad=count, problem=problem)
        prev_hash = entry.hash
    return Verification(True, count, prev_hash)


def _on_registry_change(_sender, *, session, actor_id, action, entity, entity_id,
                        before=None, after=None, reason=None, **_):
    record(session, actor_id=actor_id, action=action, entity=entity, entity_id=entity_id,
           before=before, after=after, reason=reason)


# The registry sits below us and cannot call `record` itself; it announces, we write.
events.audited.connect(_on_registry_change, weak=False)
