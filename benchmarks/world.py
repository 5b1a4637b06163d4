"""The benchmarks' world: a database of its own (SQLite file or a PostgreSQL schema), the catalogue
topped up to 30 standards for EAF dust, a facility meeting every one of them, a shipper with a token."""
from __future__ import annotations

import csv
import io
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic_core import PydanticUndefined
from sqlalchemy import insert, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

import permits.models  # noqa: F401 - every table
from facility_registry import services as registry
from facility_registry.eligibility import governing
from facility_registry.importer import import_csv
from permits.accounts import services as accounts
from permits.core.db import make_engine
from standards import clock
from standards.catalogue import load_catalogue, standards_in_force
from standards.models import Standard

TODAY = clock.today()  # the project's day (UTC), as the server sees it
TARGET_STANDARDS = 30
INSPECTOR = {"actor_id": None, "actor_role": "inspector"}
POSTGRES_URL = "postgresql+psycopg://127.0.0.1:5432/test"


@dataclass
class World:
    url: str
    facility_id: int
    shipper_id: int
    standards: int
    token: str


def database(kind: str) -> tuple[str, callable]:
    """A fresh database URL of `kind` ("sqlite" or "postgresql") and how to drop it."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="parity-bench-")
        # Dropping removes the folder: a run leaves no databases behind in the temporary folder.
        return f"sqlite:///{folder}/bench.sqlite3", lambda: shutil.rmtree(folder, ignore_errors=True)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        # A server stopped just before may leave workers finishing their last requests in the
        # schema: the DROP can lose a deadlock to them. They end; try again a little later.
        for attempt in range(10):
            try:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                break
            except OperationalError:
                if attempt == 9:
                    raise
                time.sleep(3)
        admin.dispose()
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}", drop


def defaults(model) -> dict:
    """Every column's default as `model` declares it (its default or default factory), the
    primary key left to the database. A bulk Core insert skips the models' defaults, so the
    seeds start each row from these: a column added later gets its default instead of a NULL
    that a NOT NULL constraint refuses."""
    keys = {column.name for column in model.__table__.primary_key.columns}
    found = {}
    for name, field in model.model_fields.items():
        if name in keys:
            continue
        if field.default_factory is not None:
            found[name] = field.default_factory()
        elif field.default is not PydanticUndefined:
            found[name] = field.default
    return found


def insert_rows(connection, model, rows: list[dict]) -> None:
    """Insert `rows` of `model` in bulk, each row completed with the model's defaults: COPY on
    PostgreSQL (several times faster than multi-row INSERTs), one executemany on SQLite."""
    if not rows:
        return
    base = defaults(model)
    rows = [{**base, **row} for row in rows]
    if connection.dialect.name == "postgresql":
        _copy(connection, model.__table__.name, rows)
    else:
        connection.execute(insert(model), rows)


def _copy(connection, table: str, rows: list[dict]) -> None:
    from psycopg.types.json import Json

    names = list(rows[0])
    columns = ", ".join(f'"{name}"' for name in names)
    # The driver's own connection, inside the transaction SQLAlchemy has open.
    with connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([Json(value) if isinstance(value, dict | list) else value
                            for value in (row[name] for name in names)])


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def build(url: str) -> World:
    """The catalogue topped up to 30 standards for EAF dust and a facility meeting all of them."""
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_catalogue(session)
        facility = registry.create_facility(
            session, **INSPECTOR, name="Bench Metals", country="MX", semarnat_nra="BENCH0001",
            address="x", operations=["R4"], accepts=["eaf_dust"], annual_capacity_tonnes=1e6)
        # Only the standards governing the facility's processes are decided on (issue 11).
        in_force = governing(standards_in_force(session, TODAY, "eaf_dust"), facility.processes)
        for n in range(TARGET_STANDARDS - len(in_force)):  # like the PEL, under other codes
            session.add(Standard(code=f"bench-extra-{n}", version=1, title="benchmark standard",
                                 pollutant="lead", medium="workplace_air", category="occupational",
                                 value=50.0, unit="µg/m³", basis="8h_twa", direction="max",
                                 applies_to=["eaf_dust"], citation="benchmark",
                                 effective_from=date(2000, 1, 1)))
        session.flush()
        standards = governing(standards_in_force(session, TODAY, "eaf_dust"), facility.processes)
        result = import_csv(session, io.StringIO(_evidence_csv(standards)), **INSPECTOR, verified=True)
        assert not result.errors, result.errors[:3]
        org = accounts.get_or_create_organization(session, "Bench Shipper")
        shipper = accounts.create_user(session, email="bench@example.com",
                                       password="bench-password-1", role="shipper", organization=org)
        token = accounts.issue_token(session, user=shipper).secret
        session.commit()
        world = World(url, facility.id, shipper.id, len(standards), token)
    engine.dispose()
    return world


def _evidence_csv(standards) -> str:
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow(["record", "name", "country", "semarnat_nra", "standard", "kind", "value",
                     "unit", "basis", "observed_on", "source"])
    for standard in standards:
        required = standard.direction == "required"
        value = "true" if required else repr(standard.value * (0.5 if standard.direction == "max" else 2))
        for kind in ("limit", "measurement"):
            writer.writerow(["evidence", "Bench Metals", "MX", "BENCH0001", standard.code, kind,
                             value, "" if required else standard.unit, standard.basis,
                             (TODAY - timedelta(days=30)).isoformat(), "bench"])
    return handle.getvalue()


def application(facility_id: int, **overrides) -> dict:
    """An application the world's facility meets in full (approved at once)."""
    return {"byproduct": "eaf_dust", "waste_codes": ["K061"], "quantity_tonnes": 100,
            "shipments_planned": 4, "valid_from": (TODAY + timedelta(days=1)).isoformat(),
            "valid_to": (TODAY + timedelta(days=200)).isoformat(),
            "receiving_facility_id": facility_id, "operation_code": "R4",
            "origin": {"name": "Works", "country": "US", "epa_id": "OHD123456789"},
            "route": {"exit_port": "A", "entry_port": "B", "transit_countries": []},
            "transporters": [{"name": "Haul", "country": "US"}], **overrides}
