"""SQLite runs durable and serialized: WAL, FULL sync, foreign keys, IMMEDIATE writes."""
import threading

import pytest
from sqlalchemy import text

from permits.core.db import make_engine


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    yield engine
    engine.dispose()


def test_pragmas(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_write_transactions_take_the_write_lock_at_begin(sqlite_engine):
    """With BEGIN IMMEDIATE, a read-then-write in two transactions cannot interleave."""
    with sqlite_engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))

    def bump():
        with sqlite_engine.begin() as conn:
            n = conn.execute(text("SELECT n FROM counter")).scalar()
            conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar() == 8


def test_page_reads_do_not_queue_behind_a_writer(app, client, db):
    """GET requests begin DEFERRED: a long write elsewhere does not block them."""
    if db.dialect.name != "sqlite":
        pytest.skip("SQLite's locking only")
    with db.connect() as writer:  # begins IMMEDIATE: holds the write lock
        writer.execute(text("INSERT INTO organization (name, country, created_at) "
                            "VALUES ('Held', 'US', '2026-01-01')"))
        response = client.get("/api/health")
        assert response.status_code == 200


def _queue_is_free(path) -> bool:
    import fcntl
    import os

    fd = os.open(f"{path}-writers", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_writers_queue_from_begin_to_commit_or_rollback(tmp_path):
    """A write transaction holds the writers' queue (a flock beside the database) from its BEGIN
    IMMEDIATE to its end, whichever way it ends; reads never take it."""
    path = tmp_path / "queue.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (n INTEGER)"))
            assert not _queue_is_free(path)
        assert _queue_is_free(path)
        conn = engine.connect()
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert not _queue_is_free(path)
        conn.rollback()
        assert _queue_is_free(path)
        conn.execute(text("INSERT INTO t VALUES (2)"))
        conn.close()  # back to the pool: rolled back, and the queue let go
        assert _queue_is_free(path)
        with engine.execution_options(parity_read_only=True).connect() as reader:
            reader.execute(text("SELECT count(*) FROM t")).scalar()
            assert _queue_is_free(path)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
    finally:
        engine.dispose()
