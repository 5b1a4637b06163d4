"""The database engine, the session of each request, and SQLite's durability settings."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`; SQLite gets WAL, FULL sync, foreign keys and IMMEDIATE writes."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            # A file database needs no pool, and a fresh connection per checkout keeps
            # the pragmas and the manual BEGIN below simple and thread-safe.
            poolclass=NullPool,
        )
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        # Take transaction control away from pysqlite so that we can say BEGIN IMMEDIATE:
        # a deferred write transaction upgrades its lock late and fails with SQLITE_BUSY
        # instead of waiting, which is how two writers both "win" a read-then-write.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        mode = "DEFERRED" if connection.info.get("read_only") else "IMMEDIATE"
        connection.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def session_scope(engine: Engine, *, read_only: bool = False) -> Iterator[Session]:
    """A session for work outside a request (CLI, scheduler, tests): commits on success."""
    with Session(engine, expire_on_commit=False) as session:
        if read_only:
            session.connection().info["read_only"] = True
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def init_app(app: Flask) -> None:
    app.extensions["parity.engine"] = make_engine(
        app.config["DATABASE_URL"], echo=app.config.get("SQLALCHEMY_ECHO", False)
    )
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["parity.engine"]


def session() -> Session:
    """The request's session. Reads (GET) begin DEFERRED on SQLite; everything else IMMEDIATE.

    Views call `session().commit()` once; anything not committed is rolled back at teardown.
    """
    if "db_session" not in g:
        s = Session(engine(), expire_on_commit=False)
        if _is_read_request():
            s.connection().info["read_only"] = True
        g.db_session = s
    return g.db_session


def _is_read_request() -> bool:
    try:
        return request.method in READ_METHODS
    except RuntimeError:  # no request: CLI or scheduler inside an app context
        return False


def _close_session(_exc: BaseException | None) -> None:
    s = g.pop("db_session", None)
    if s is None:
        return
    # SQLite connections are not pooled (NullPool), so the read-only mark dies with them.
    s.rollback()
    s.close()
