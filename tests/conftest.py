"""Fixtures: a database per run (SQLite file or a PostgreSQL schema), cleaned between tests,
the app, its test client and CLI runner, a user of each role; the pinned clock, cheap
password hashing, URL builders and templates compiled once (tests/route_builders.py,
tests/template_cache.py) for the whole run."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from permits.core.db import make_engine
from standards import clock
from tests import dbtarget, route_builders
from tests.helpers import make_user
from tests.snapshots import Snapshot
from tests.template_cache import share_compiled_templates

# The suite runs on one UTC day, whatever the machine's time zone and the date it runs on: the
# clock starts at noon of that day and ticks on (a run would have to last 12 hours to leave it).
PINNED_START = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
# Pinned when this file is imported, not in pytest_configure: pytest imports the conftest files
# of the paths named on its command line (tests/registry/conftest.py for `pytest tests/registry`)
# before configuring, and their module-level dates (TODAY = clock.today()) must be the pinned day.
clock.set_clock(clock.starting_at(PINNED_START))


# Scratch files (the SQLite databases above all) in memory where the machine has a tmpfs: with
# synchronous=FULL every commit to a file on disk waits 4-5 ms for fsync, on tmpfs 0.02 ms.
# The pragmas stay as in production; only where the file lives changes.
MEMORY_DISK = "/dev/shm"


def pytest_configure(config):
    import tempfile

    from permits.accounts import services as accounts

    if os.path.isdir(MEMORY_DISK) and os.access(MEMORY_DISK, os.W_OK | os.X_OK):
        tempfile.tempdir = MEMORY_DISK  # pytest's tmp_path and every tempfile of the run

    accounts.use_cheap_hashing_for_tests()
    route_builders.install()


def pytest_report_header(config):
    return f"parity database: {'postgresql' if dbtarget.wants_postgres() else 'sqlite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    reason = dbtarget.wants_postgres() and dbtarget.postgres_unreachable_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI asked for PostgreSQL but {reason}")
        pytest.skip(reason)
    with dbtarget.empty_database(tmp_path_factory.mktemp("db") / "parity-test.sqlite") as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url):
    import permits.models  # noqa: F401 - registers every table on SQLModel.metadata

    eng = make_engine(database_url)
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()


# The reference tables the catalogue fills; left alone between tests unless a test changed them.
CATALOGUE_TABLES = ("standard", "treaty_accession", "waste_code", "operation_code")
_catalogue_counts: dict[str, int] = {}


def _row_counts(conn, tables) -> dict[str, int]:
    """Which tables hold rows, in one round trip (a count capped at 1 for the data tables)."""
    parts = [
        f"SELECT '{t.name}' AS name, (SELECT count(*) FROM {_quoted(t.name)}) AS n"
        if t.name in CATALOGUE_TABLES
        else f"SELECT '{t.name}' AS name, (SELECT count(*) FROM (SELECT 1 FROM {_quoted(t.name)} LIMIT 1) x) AS n"
        for t in tables
    ]
    return {row.name: row.n for row in conn.execute(text(" UNION ALL ".join(parts)))}


def _quoted(name: str) -> str:
    return f'"{name}"'


def _clean(eng) -> bool:
    """Empty what the last test filled: DELETE (cheap on small tables, unlike TRUNCATE of all
    26, which cost PostgreSQL 250-600 ms a test) and restart the id sequences, so every test
    starts from id 1 as on a new database."""
    if eng.dialect.name == "postgresql":
        return _clean_postgres(eng)
    tables = SQLModel.metadata.sorted_tables
    with eng.begin() as conn:
        counts = _row_counts(conn, tables)
        catalogue_intact = bool(_catalogue_counts) and all(
            counts.get(name) == n for name, n in _catalogue_counts.items())
        dirty = [t for t in tables if counts.get(t.name)
                 and not (catalogue_intact and t.name in CATALOGUE_TABLES)]
        for table in reversed(dirty):
            conn.execute(table.delete())
        _restart_ids(conn, eng.dialect.name, dirty)
    return catalogue_intact


_postgres_emptying: dict[str, str] = {}


def _clean_postgres(eng) -> bool:
    """`_clean` on PostgreSQL in two round trips instead of one a table: a DO block empties each
    data table that holds rows (children first) and restarts its id sequence, then the catalogue's
    tables are counted and emptied only when a test changed them. (Counting every table, then a
    DELETE and a setval a table, cost 45-60 ms a test; this ~16 ms.)"""
    tables = SQLModel.metadata.sorted_tables
    catalogue = [t for t in tables if t.name in CATALOGUE_TABLES]
    with eng.begin() as conn:
        key = str(eng.url)
        if key not in _postgres_emptying:
            _postgres_emptying[key] = _emptying_block(conn, [t for t in tables if t not in catalogue])
        conn.exec_driver_sql(_postgres_emptying[key])
        counts = _row_counts(conn, catalogue)
        intact = bool(_catalogue_counts) and all(
            counts.get(name) == n for name, n in _catalogue_counts.items())
        if not intact:
            dirty = [t for t in catalogue if counts.get(t.name)]
            for table in reversed(dirty):
                conn.execute(table.delete())
            _restart_ids(conn, "postgresql", dirty)
    return intact


def _emptying_block(conn, tables) -> str:
    steps = []
    for table in reversed(tables):  # children before their parents
        name = _quoted(table.name)
        restart = ""
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement in (True, "auto"):
            sequence = conn.execute(text(
                f"SELECT pg_get_serial_sequence('{name}', 'id')")).scalar_one()
            restart = f" PERFORM setval('{sequence}', 1, false);"
        steps.append(f"IF EXISTS (SELECT 1 FROM {name}) THEN DELETE FROM {name};{restart} END IF;")
    return "DO $$ BEGIN " + " ".join(steps) + " END $$"


def _restart_ids(conn, dialect: str, tables) -> None:
    with_serial_id = [t.name for t in tables if "id" in t.c and t.c.id.autoincrement in (True, "auto")
                      and t.c.id.primary_key]
    if not with_serial_id:
        return
    if dialect == "postgresql":
        for name in with_serial_id:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{_quoted(name)}', 'id'), 1, false)"))
    elif _has_sqlite_sequence(conn):
        names = ", ".join(f"'{n}'" for n in with_serial_id)
        conn.execute(text(f"DELETE FROM sqlite_sequence WHERE name IN ({names})"))


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
    if not _catalogue_counts:
        with eng.connect() as conn:
            tables = [t for t in SQLModel.metadata.sorted_tables if t.name in CATALOGUE_TABLES]
            _catalogue_counts.update(_row_counts(conn, tables))


def _empty_with_catalogue(engine) -> None:
    if not _clean(engine):  # an intact catalogue needs no load: it was loaded and left alone
        _load_reference_data(engine)


@pytest.fixture
def db(engine):
    """The engine, with every table emptied and the standards catalogue loaded."""
    _empty_with_catalogue(engine)
    yield engine


@dataclass
class SeededDemo:
    snapshot: Snapshot
    exit_code: int  # of the first `seed-demo`, the one that made the rows
    output: str


@pytest.fixture(scope="session")
def seeded_demo(engine, database_url):
    """`seed-demo` run once per run on the emptied database, its rows kept aside (see
    tests/snapshots.py) with what the command printed. Tests take the rows with `demo_db`."""
    from permits import cli
    from permits.app import create_app

    _empty_with_catalogue(engine)
    app = create_app(_app_config(database_url))
    with pytest.MonkeyPatch.context() as patch:
        # The test database is made from the models, not by migrations.
        patch.setattr(cli.migrate, "upgrade", lambda url: None)
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    app.extensions["parity.engine"].dispose()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # the seed itself broke (or the test timeout fired inside it)
    seeded = SeededDemo(Snapshot(engine, "demo").take(), result.exit_code, result.output)
    yield seeded
    seeded.snapshot.drop()


@pytest.fixture
def demo_db(seeded_demo, db):
    """The engine, holding the demo exactly as `seed-demo` left it (the rows put back, not
    seeded again: the seed takes ~17 s of CPU). Ask for it before any fixture that adds rows:
    putting the demo back replaces what the tables held."""
    seeded_demo.snapshot.restore()
    yield db


@pytest.fixture
def session(db):
    with Session(db, expire_on_commit=False) as s:
        yield s


def _app_config(database_url: str) -> dict:
    return {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}


@pytest.fixture
def app(db, database_url):
    from permits.app import create_app

    application = create_app(_app_config(database_url))
    share_compiled_templates(application)
    yield application
    application.extensions["parity.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def kept(engine, database_url):
    """`kept(name, build)` -> what `build(engine)` returned, with the rows it made in the database.
    The first call runs `build` on the emptied database and keeps its rows aside (see
    tests/snapshots.py); every call puts those rows back in place of whatever the tables held,
    so a fixture using it must come before any fixture that adds rows."""
    from permits.app import create_app

    built: dict[str, tuple[Snapshot, object]] = {}

    def get(name: str, build):
        if name not in built:
            _empty_with_catalogue(engine)
            # An app made first, as in a test with a client: every event handler is connected.
            create_app(_app_config(database_url)).extensions["parity.engine"].dispose()
            value = build(engine)
            built[name] = (Snapshot(engine, name).take(), value)
        snapshot, value = built[name]
        snapshot.restore()
        return value

    yield get
    for snapshot, _value in built.values():
        snapshot.drop()


@dataclass
class SeededRegistry:
    snapshot: Snapshot
    inspector: object  # the User the step ran as, signed up just before it
    logins: list  # what the step returned: the logins it made


@pytest.fixture(scope="session")
def seeded_registry(engine, database_url):
    """The registry's step of seed-demo alone (permits.registry.demo.seed_registry, ~15 s of
    CPU), run once per run after an inspector signs up, its rows kept aside. Tests take the rows
    with `registry_demo_db`."""
    from permits.app import create_app
    from permits.registry.demo import seed_registry

    _empty_with_catalogue(engine)
    # An app made first, as in a test with a client: every event handler is connected.
    create_app(_app_config(database_url)).extensions["parity.engine"].dispose()
    inspector = make_user(engine, "inspector")
    with Session(engine, expire_on_commit=False) as session:
        logins = seed_registry(session, {"inspector": inspector})
        session.commit()
    seeded = SeededRegistry(Snapshot(engine, "registry").take(), inspector, logins)
    yield seeded
    seeded.snapshot.drop()


@pytest.fixture
def registry_demo_db(seeded_registry, db) -> SeededRegistry:
    """The database as the registry's demo step left it (see `seeded_registry`). Ask for it
    before any fixture that adds rows: putting the rows back replaces what the tables held."""
    seeded_registry.snapshot.restore()
    return seeded_registry


# People of each role, signed up through the accounts service (tests/helpers.make_user).
@pytest.fixture
def shipper(db):
    return make_user(db, "shipper", organization="Acme Metals")


@pytest.fixture
def other_shipper(db):
    return make_user(db, "shipper", organization="Rival Recycling")


@pytest.fixture
def inspector(db):
    return make_user(db, "inspector")


@pytest.fixture
def admin(db):
    return make_user(db, "admin")
