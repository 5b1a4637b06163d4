"""On PostgreSQL every writing transaction takes the writer lock at its first write, so the
audit chain's lock always comes before any row lock and two writers cannot deadlock."""
import pytest
from sqlalchemy import text

from permits.core.db import WRITER_LOCK_KEY


def _holders(conn) -> set[int]:
    rows = conn.execute(text(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = :k"),
        {"k": WRITER_LOCK_KEY}).all()
    return {row.pid for row in rows}


@pytest.fixture
def pg(db):
    if db.dialect.name != "postgresql":
        pytest.skip("the writer lock is PostgreSQL's; SQLite writers begin IMMEDIATE instead")
    return db


def test_first_write_takes_the_lock_and_commit_releases_it(pg):
    with pg.connect() as writer, pg.connect() as observer:
        pid = writer.execute(text("SELECT pg_backend_pid()")).scalar()
        writer.execute(text("SELECT 1 FROM organization"))
        assert pid not in _holders(observer)  # reading takes nothing
        writer.execute(text("INSERT INTO organization (name, country, created_at) VALUES ('W', 'US', now())"))
        assert pid in _holders(observer)
        writer.commit()
        assert pid not in _holders(observer)


def test_select_for_update_counts_as_a_write(pg):
    with pg.connect() as writer, pg.connect() as observer:
        pid = writer.execute(text("SELECT pg_backend_pid()")).scalar()
        writer.execute(text("SELECT id FROM organization FOR UPDATE"))
        assert pid in _holders(observer)
        writer.rollback()
        assert pid not in _holders(observer)


def test_the_lock_is_the_schemas_own(pg):
    """Two schemas of one database (the tests', the benchmarks') do not wait for each other's
    writers: the lock is keyed by the schema as well."""
    with pg.connect() as writer, pg.connect() as observer:
        pid = writer.execute(text("SELECT pg_backend_pid()")).scalar()
        writer.execute(text("INSERT INTO organization (name, country, created_at) VALUES ('S', 'US', now())"))
        held = observer.execute(text(
            "SELECT classid::int AS schema_key FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND objid = :k AND objsubid = 2 AND pid = :pid"), {"k": WRITER_LOCK_KEY, "pid": pid}).all()
        expected = observer.execute(text("SELECT hashtext(current_schema())")).scalar()
        assert [row.schema_key for row in held] == [expected]
        writer.rollback()
