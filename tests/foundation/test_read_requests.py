"""A read request's session only reads: a write there is refused unless its view says it writes
on GET (both databases). Its statements each read by themselves, outside any transaction (no
BEGIN and ROLLBACK or COMMIT round trips), and reads that must share a snapshot get a transaction
of their own (`one_snapshot`); on PostgreSQL a pooled connection is pinged only after it sat idle."""
from __future__ import annotations

import pytest
from flask import Blueprint
from sqlalchemy import text

from permits.core import db as core_db


@pytest.fixture
def pg(db):
    if db.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's autocommit connection, isolation levels and idle pings")
    return db


def _probe_app(app):
    """Two GET views beside the product's: one writes unmarked, one writes marked."""
    probe = Blueprint("probe", __name__)

    def write():
        session = core_db.session()
        session.execute(text("INSERT INTO organization (name, country, created_at) "
                             "VALUES ('Probe', 'US', CURRENT_TIMESTAMP)"))
        session.commit()
        return str(session.execute(text("SELECT count(*) FROM organization")).scalar())

    probe.add_url_rule("/probe/unmarked", "unmarked", write)
    probe.add_url_rule("/probe/marked", "marked", core_db.writes_on_get(lambda: write()))
    probe.add_url_rule("/probe/autocommit", "autocommit", lambda: str(
        core_db.session().connection().connection.driver_connection.autocommit))
    app.register_blueprint(probe)
    return app


def test_a_get_may_not_write_unless_its_view_says_so(db, app):
    errors = []
    app.register_error_handler(core_db.WriteOnReadRequest, lambda e: (errors.append(e), ("", 500))[1])
    client = _probe_app(app).test_client()
    assert client.get("/probe/unmarked").status_code == 500  # a programming error, caught by tests
    assert "writes_on_get" in str(errors[0])
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM organization WHERE name = 'Probe'")).scalar() == 0
    assert client.get("/probe/marked").status_code == 200
    with db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM organization WHERE name = 'Probe'")).scalar() == 1


def test_a_get_reads_without_a_transaction_on_postgresql(pg, app):
    assert _probe_app(app).test_client().get("/probe/autocommit").text == "True"


def test_a_get_reads_without_a_transaction_on_sqlite_and_one_snapshot_opens_one(db, app):
    if db.dialect.name != "sqlite":
        pytest.skip("SQLite's transaction state; PostgreSQL's is tested below")

    def states():
        session = core_db.session()
        session.execute(text("SELECT count(*) FROM organization"))
        driver = session.connection().connection.driver_connection
        outside = driver.in_transaction
        with core_db.one_snapshot(session):
            session.execute(text("SELECT count(*) FROM organization"))
            inside = driver.in_transaction
        return f"{outside} {inside} {driver.in_transaction}"

    app.add_url_rule("/probe/sqlite-snapshot", "sqlite_snapshot_probe", states)
    assert app.test_client().get("/probe/sqlite-snapshot").text == "False True False"


def test_one_snapshot_gives_an_autocommit_read_a_repeatable_read_transaction(pg, app):
    def levels():
        session = core_db.session()
        with core_db.one_snapshot(session):
            inside = session.execute(text("SHOW transaction_isolation")).scalar()
            read_only = session.execute(text("SHOW transaction_read_only")).scalar()
        return f"{inside} {read_only}"

    app.add_url_rule("/probe/snapshot", "snapshot_probe", levels)
    client = app.test_client()
    assert client.get("/probe/snapshot").text == "repeatable read on"


def test_an_idle_pooled_connection_is_pinged_and_a_dead_one_replaced(pg, monkeypatch):
    engine = core_db.make_engine(pg.url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        with pg.connect() as killer:
            killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        monkeypatch.setattr(core_db, "IDLE_BEFORE_PING", -1.0)  # every checkout counts as idle
        with engine.connect() as conn:
            second = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        assert second != first
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged(pg):
    engine = core_db.make_engine(pg.url.render_as_string(hide_password=False))
    pings = []
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda dbapi_connection: pings.append(1) or original(dbapi_connection)
    try:
        for _ in range(5):
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        assert pings == []
    finally:
        engine.dispose()


def test_one_snapshot_inside_another_keeps_the_outer_transaction(pg, app):
    """Audit verify given a checkpoint reads the checkpoint's leaves (one_snapshot) inside its own."""
    def nested():
        session = core_db.session()
        with core_db.one_snapshot(session):
            outer = session.execute(text("SELECT txid_current_if_assigned() IS NULL, "
                                         "pg_current_snapshot()::text")).one()
            with core_db.one_snapshot(session):
                inner = session.execute(text("SELECT pg_current_snapshot()::text")).scalar()
        return "same" if inner == outer[1] else f"{outer[1]} != {inner}"

    app.add_url_rule("/probe/nested", "nested_probe", nested)
    assert app.test_client().get("/probe/nested").text == "same"
