"""Which database the suite runs on: SQLite by default, PostgreSQL when PARITY_TEST_DB=postgres.

Each PostgreSQL run gets a schema of its own, made at the start and dropped at the end, so
two runs (or two developers) on one server never see each other's rows.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

DEFAULT_POSTGRES_URL = "postgresql+psycopg://127.0.0.1:5432/test"


def wants_postgres() -> bool:
    return os.environ.get("PARITY_TEST_DB", "sqlite").lower() in {"postgres", "postgresql", "pg"}


def postgres_base_url() -> str:
    url = os.environ.get("PARITY_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def postgres_unreachable_reason() -> str | None:
    """None when the server answers, else a sentence saying why the PostgreSQL tests skip."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return "psycopg is not installed"
    plain = postgres_base_url().replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(plain, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable here"
        return f"PostgreSQL at {plain} is not reachable ({exc.__class__.__name__}: {exc})".strip()


def new_schema_name() -> str:
    return f"parity_test_{uuid.uuid4().hex[:12]}"


def url_with_schema(base: str, schema: str) -> str:
    """The URL of `schema` on the server at `base`. Its commits do not wait for the server's
    disk (synchronous_commit=off: 0.3 ms a commit instead of 4-8 ms here): a test's rows need
    only outlive the test's processes, never a crash of the server itself."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema} -csynchronous_commit=off')}"


@contextmanager
def empty_database(sqlite_path: Path) -> Iterator[str]:
    """The URL of an empty database of the kind this run targets: a SQLite file at
    `sqlite_path`, or a PostgreSQL schema of its own, dropped at the end."""
    if not wants_postgres():
        yield f"sqlite:///{sqlite_path}"
        return
    from sqlalchemy import text

    from permits.core.db import make_engine

    base = postgres_base_url()
    schema = new_schema_name()
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield url_with_schema(base, schema)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
