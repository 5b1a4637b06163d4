"""The audit chain detects any entry changed, removed or reordered after it was written."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from permits.audit import chain as audit


def _write(engine, n):
    with Session(engine) as session:
        for i in range(n):
            audit.record(session, actor_id=7, action="test.changed", entity="thing", entity_id=i,
                         before={"status": "a"}, after={"status": "b"}, reason=f"step {i}")
        session.commit()


def _verify(engine):
    with Session(engine) as session:
        return audit.verify(session)


def test_an_untouched_chain_verifies(db):
    _write(db, 5)
    result = _verify(db)
    assert result.ok and result.entries == 5 and len(result.head) == 64


@pytest.mark.parametrize("tamper, first_bad", [
    ("UPDATE audit_entry SET after = '{\"status\": \"c\"}' WHERE seq = 3", 3),
    ("DELETE FROM audit_entry WHERE seq = 2", 2),
    ("UPDATE audit_entry SET actor_id = 8 WHERE seq = 5", 5),
    # Every field the hash covers, as verify reads it straight off the driver.
    ("UPDATE audit_entry SET before = NULL WHERE seq = 4", 4),
    ("UPDATE audit_entry SET reason = 'step 9' WHERE seq = 2", 2),
    ("UPDATE audit_entry SET entity_id = '9' WHERE seq = 1", 1),
    ("UPDATE audit_entry SET action = 'test.other' WHERE seq = 3", 3),
    ("UPDATE audit_entry SET hash = prev_hash WHERE seq = 5", 5),
])
def test_tampering_is_found_at_the_first_bad_entry(db, tamper, first_bad):
    _write(db, 5)
    with db.begin() as conn:
        conn.execute(text(tamper))
    result = _verify(db)
    assert not result.ok and result.first_bad == first_bad


def test_an_entry_moved_in_time_by_a_microsecond_is_found(db):
    _write(db, 3)
    from sqlalchemy import select, update

    from permits.audit.models import AuditEntry

    table = AuditEntry.__table__
    with db.begin() as conn:
        at = conn.execute(select(table.c.at).where(table.c.seq == 2)).scalar_one()
        conn.execute(update(table).where(table.c.seq == 2).values(at=at + timedelta(microseconds=1)))
    result = _verify(db)
    assert not result.ok and result.first_bad == 2


def test_swapping_two_entries_is_found(db):
    _write(db, 4)
    with db.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET seq = -1 WHERE seq = 2"))
        conn.execute(text("UPDATE audit_entry SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_entry SET seq = 3 WHERE seq = -1"))
    assert _verify(db).first_bad == 2


def test_concurrent_writers_never_fork_the_chain(db):
    threads = [threading.Thread(target=_write, args=(db, 5)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = _verify(db)
    assert result.ok and result.entries == 30


def test_appending_reads_only_the_last_entry(db):
    """The chain's head is one row, however long the chain: an append must not read them all."""
    from sqlalchemy import event

    _write(db, 30)
    rows_read = []

    def count(_conn, cursor, statement, *_):
        if statement.lstrip().upper().startswith(("SELECT", "INSERT")) and "audit_entry" in statement:
            rows_read.append(statement)

    event.listen(db, "after_cursor_execute", count)
    try:
        _write(db, 1)
    finally:
        event.remove(db, "after_cursor_execute", count)
    if db.dialect.name == "postgresql":
        # One INSERT that links the entry in SQL: the head is the greatest seq (read off the end
        # of its unique index) and the row of that seq, no scan of the chain.
        [statement] = rows_read
        assert "max(audit_entry.seq)" in statement and "prev.seq = last.seq" in statement
    else:
        reads = [s for s in rows_read if s.lstrip().upper().startswith("SELECT")]
        assert reads and all("LIMIT" in statement.upper() for statement in reads)


def test_an_entry_hashes_the_same_instant_the_same_in_any_zone():
    """SQLite hands back naive UTC, PostgreSQL an aware time in the session's zone."""
    from datetime import UTC, datetime, timedelta, timezone

    from permits.audit.models import AuditEntry

    def entry(at):
        return AuditEntry(seq=1, at=at, actor_id=1, action="a", entity="e", entity_id="1",
                          prev_hash=audit.GENESIS, hash="")

    utc = datetime(2026, 11, 2, 2, 30, 0, 123456, tzinfo=UTC)
    mexico_city = utc.astimezone(timezone(timedelta(hours=-6)))
    assert audit.canonical(entry(mexico_city)) == audit.canonical(entry(utc))
    assert audit.canonical(entry(utc.replace(tzinfo=None))) == audit.canonical(entry(utc))


def test_every_postgresql_session_is_in_utc_whatever_the_client_asks(database_url, monkeypatch):
    from permits.core.db import make_engine

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite stores no time zone")
    monkeypatch.setenv("PGTZ", "America/Mexico_City")
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW TIME ZONE")).scalar() == "UTC"
    finally:
        engine.dispose()
