"""On PostgreSQL an audit entry is linked by the database, in its INSERT (`chain.LINKED`): the
head read and the entry hashed with sha256() in SQL, its canonical text spliced around the head's
hash and the next seq. These hold that text to `canonical`'s byte for byte, and the chain so
written to Python's `verify`."""
from __future__ import annotations

import hashlib
from datetime import date, datetime

import pytest
from sqlmodel import Session, select

from permits.audit import chain
from permits.audit.models import AuditEntry
from permits.core.canonical import canonical_json

ODD = [
    {"actor_id": None, "action": "x.made", "entity": "thing", "entity_id": 1},
    {"actor_id": 7, "action": "permit.decided", "entity": "permit", "entity_id": "PRM-2026-0001",
     "before": {"status": "submitted"}, "after": {"status": "approved", "on": date(2026, 11, 2),
                                                  "at": datetime(2026, 11, 2, 8, 30)},
     "reason": "Québec: « conforme » — 5 µg/m³ \"quoted\" \\ back\nline"},
    {"actor_id": 3, "action": "evidence.added", "entity": "facility", "entity_id": 42,
     "after": {"nested": [1, 2.5, None, True, {"ü": "ñ", "emoji": "☢"}]}, "reason": ""},
]


@pytest.mark.parametrize("fields", ODD)
def test_the_spliced_text_is_canonical_text(fields):
    params = chain.linked_entry(**fields)
    seq, prev = 1234, "ab" * 32
    spliced = (params["lead"] + params["entity_id"] + '","prev_hash":"' + prev + params["tail"]
               + str(seq) + "}").encode()
    body = chain._body(seq, params["at"], fields["actor_id"], fields["action"], fields["entity"],
                       str(fields["entity_id"]), params["before"], params["after"],
                       fields.get("reason"), prev)
    assert spliced == canonical_json(body)


def test_an_id_json_would_escape_is_not_spliced():
    assert chain.linked_entry(actor_id=None, action="a", entity="e", entity_id='a"b') is None
    assert chain.linked_entry(actor_id=None, action="a", entity="e", entity_id="ñ-1") is not None


def test_entries_linked_in_sql_hash_as_python_hashes_them(db):
    if db.dialect.name != "postgresql":
        pytest.skip("the linked INSERT is PostgreSQL's (sha256 in SQL); SQLite links in Python")
    with Session(db) as session:
        for fields in [*ODD, {"actor_id": 1, "action": "odd.id", "entity": "e", "entity_id": 'q"1'}]:
            entry = chain.record(session, **fields)
            stored = session.get(AuditEntry, entry.id)
            assert stored.hash == entry.hash == hashlib.sha256(chain.canonical(stored)).hexdigest()
            assert (stored.seq, stored.prev_hash, stored.entity_id) == (entry.seq, entry.prev_hash,
                                                                        entry.entity_id)
        session.commit()
    with Session(db) as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1)) and len(entries) >= 4
        assert chain.verify(session).ok
