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
    # " 0 ..." (a space before): "120 catalogue entries added" also ends in "0 catalogue ..."
    assert " 0 catalogue entries added" in second.output
    assert " 0 catalogue entries added" not in first.output
    app.extensions["parity.engine"].dispose()


def test_carbon_reports_from_before_the_methods_are_kept_as_legacy(empty_database_url):
    from sqlalchemy import text
    migrate.upgrade(empty_database_url, "c16_cases")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO facility (name, country, address, operations, accepts, "
                              "annual_capacity_tonnes, status, created_at) VALUES ('F', 'US', '', "
                              "'[]', '[]', 10, 'active', '2026-01-01')"))
            conn.execute(text("INSERT INTO carbon_report (facility_id, year, tonnes_co2e_per_tonne, "
                              "method, created_at) VALUES (1, 2025, 0.4, 'GHG Protocol', '2026-01-01')"))
        migrate.upgrade(empty_database_url)
        with engine.begin() as conn:
            row = conn.execute(text("SELECT legacy, verified, method, tonnes_co2e_per_tonne "
                                    "FROM carbon_report")).one()
            assert (bool(row[0]), bool(row[1]), row[2], row[3]) == (True, False, "GHG Protocol", 0.4)
            conn.execute(text("INSERT INTO carbon_report (facility_id, year, tonnes_co2e_per_tonne, "
                              "method, created_at) VALUES (1, 2024, 0.5, 'ghg_protocol', '2026-01-01')"))
            assert not conn.execute(text("SELECT legacy FROM carbon_report WHERE year = 2024")).scalar()
    finally:
        engine.dispose()


def test_processes_migration_derives_the_processes_of_existing_facilities(empty_database_url):
    from sqlalchemy import text

    migrate.upgrade(empty_database_url, "c16_carbon")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO facility (name, country, address, operations, accepts, "
                "annual_capacity_tonnes, status, created_at) VALUES "
                "('Kiln', 'MX', '', '[\"R4\"]', '[\"eaf_dust\"]', 1, 'active', '2026-01-01'), "
                "('Landfill', 'US', '', '[\"D5\"]', '[\"slag\"]', 1, 'active', '2026-01-01'), "
                "('Storage', 'CA', '', '[\"R13\"]', '[\"slag\"]', 1, 'active', '2026-01-01')"))
        migrate.upgrade(empty_database_url)
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT name, processes FROM facility")).all())
        decoded = {k: v if isinstance(v, list) else __import__("json").loads(v) for k, v in rows.items()}
        assert decoded == {"Kiln": ["metals_recovery_kiln"], "Landfill": ["land_disposal"],
                           "Storage": []}
    finally:
        engine.dispose()
