"""Fixtures: a database per run (SQLite file or a PostgreSQL schema), cleaned between tests,
the app, its test client and CLI runner, and makers for users and tokens."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from permits.db import make_engine
from tests import dbtarget


def pytest_configure(config):
    from permits import accounts

    accounts.use_cheap_hashing_for_tests()


def pytest_report_header(config):
    return f"parity database: {'postgresql' if dbtarget.wants_postgres() else 'sqlite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if not dbtarget.wants_postgres():
        path = tmp_path_factory.mktemp("db") / "parity-test.sqlite"
        yield f"sqlite:///{path}"
        return
    reason = dbtarget.postgres_unreachable_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI asked for PostgreSQL but {reason}")
        pytest.skip(reason)
    base = dbtarget.postgres_base_url()
    schema = dbtarget.new_schema_name()
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield dbtarget.url_with_schema(base, schema)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url):
    import permits.models  # noqa: F401 - registers every table on SQLModel.metadata

    eng = make_engine(database_url)
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()


def _clean(eng) -> None:
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    with eng.begin() as conn:
        if eng.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
            conn.execute(text("DELETE FROM sqlite_sequence")) if _has_sqlite_sequence(conn) else None


def _has_sqlite_sequence(conn) -> bool:
    return bool(
        conn.execute(
            text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='sqlite_sequence'")
        ).first()
    )


def _load_reference_data(eng) -> None:
    try:
        from standards.catalogue import load_catalogue
    except ImportError:  # the catalogue is not written yet
        return
    with Session(eng) as s:
        load_catalogue(s)
        s.commit()


@pytest.fixture
def db(engine):
    """The engine, with every table emptied and the standards catalogue loaded."""
    _clean(engine)
    _load_reference_data(engine)
    yield engine


@pytest.fixture
def session(db):
    with Session(db, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def app(db, database_url):
    from permits.app import create_app

    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    yield application
    application.extensions["parity.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
