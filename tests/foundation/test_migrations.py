"""Migrations build the whole schema from empty, match the models exactly, and re-run harmlessly."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import permits.models  # noqa: F401 - the full metadata
from permits.app import create_app
from permits.core import migrate
from permits.core.db import make_engine
from tests import dbtarget


@pytest.fixture
def empty_database_url(tmp_path, database_url):
    """A database with nothing in it, of the kind this run targets."""
    with dbtarget.empty_database(tmp_path / "migrated.sqlite3") as url:
        yield url


def _differences(url):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def test_upgrade_from_empty_matches_the_models(empty_database_url):
    migrate.upgrade(empty_database_url)
    assert _differences(empty_database_url) == []
    assert migrate.current_heads(empty_database_url)


def test_init_db_twice_is_harmless_and_loads_the_catalogue_once(empty_database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": empty_database_url, "SECRET_KEY": "k"})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["init-db"])
    assert second.exit_code == 0, second.output
    assert "0 catalogue entries added" in second.output
    assert "0 catalogue entries added" not in first.output
    app.extensions["parity.engine"].dispose()
