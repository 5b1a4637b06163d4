"""Benchmark: a generated registry of 10,000 facilities and 300,000 evidence rows.

Run: .venv/bin/python -m benchmarks.bench_registry [--facilities N] [--evidence-per-facility K]
     [--no-postgres]   (or python -m benchmarks --only registry; quick: 300 facilities)

Prints the CSV import rate beside a bare DB-API `executemany` of the same rows into the same
kind of database (the aim: the import reaches at least a quarter of it), then the server time of
the facility list, a facility page and the finder at that size (the aim: each under 100 ms on
SQLite on this machine). Times are medians of several requests through Flask's test client.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, SQLModel

import permits.models  # noqa: F401 - every table
from benchmarks import world as bench_world
from benchmarks.suite import Figure, table
from facility_registry.eligibility import refresh_standings
from facility_registry.equivalence_stamp import DEFERRED as DEFERRED_STAMP
from facility_registry.equivalence_stamp import new_stamp
from facility_registry.importer import COLUMNS, import_csv
from permits.accounts import services as accounts
from permits.core.db import make_engine
from standards import clock, units
from standards.catalogue import load_catalogue, standards_in_force
from standards.clock import utcnow
from standards.processes import derive_processes

TODAY = clock.today()  # the project's day (UTC), as the server sees it
BYPRODUCTS = ("lead_acid_battery_dust", "eaf_dust", "slag")
OPERATIONS = [f"R{i}" for i in range(1, 14)] + [f"D{i}" for i in range(1, 16)]
_SCHEMAS: dict[int, tuple[str, str]] = {}  # PostgreSQL: engine -> (its schema, the server URL)
STATES = ["PA", "OH", "TX", "IN", "MO", "AL", "CA", "IL", "MI", "TN"]


# --- the generated registry -------------------------------------------------------------------

def generate(path: Path, facilities: int, per_facility: int, standards, seed: int = 11) -> list:
    """Write the CSV; return the canonical rows a bare insert would write (facility, evidence)."""
    rng = random.Random(seed)
    rows = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for n in range(facilities):
            facility = _facility(rng, n)
            writer.writerow({"record": "facility", **facility})
            evidence = []
            for k in range(per_facility):  # a limit and a measurement per standard, in turn
                standard = standards[(n + k // 2) % len(standards)]
                kind = "limit" if k % 2 == 0 else "measurement"
                row = _evidence(rng, standard, kind, facility, k)
                writer.writerow({"record": "evidence", **_key(facility), **row})
                evidence.append((standard, row))
            rows.append((facility, evidence))
    return rows


def _facility(rng, n: int) -> dict:
    country = ("US", "MX", "CA")[n % 3]
    ops = {"R4"} if rng.random() < 0.5 else set()
    ops.update(rng.sample(OPERATIONS, rng.randint(1, 2)))
    body = {"name": f"Facility {n:05d}", "country": country, "address": f"{n} Industrial Way",
            "operations": " ".join(sorted(ops)),
            "accepts": " ".join(rng.sample(BYPRODUCTS, rng.randint(1, 3))),
            "annual_capacity_tonnes": str(rng.randint(1000, 200000))}
    identifier = {"US": ("epa_id", f"{STATES[n % len(STATES)]}D{n:09d}"),
                  "MX": ("semarnat_nra", f"NRA{n:010d}"), "CA": ("canada_id", f"ON{n:07d}")}[country]
    body[identifier[0]] = identifier[1]
    return body


def _key(facility: dict) -> dict:
    return {k: facility.get(k, "") for k in ("epa_id", "semarnat_nra", "canada_id")}


def _evidence(rng, standard, kind: str, facility: dict, k: int) -> dict:
    observed = TODAY - timedelta(days=rng.randint(5, 500) + k)
    source = f"report {facility['name']} #{k}"
    if standard.direction == "required":
        return {"standard": standard.code, "kind": kind, "value": "true", "unit": "",
                "basis": standard.basis, "observed_on": observed.isoformat(), "source": source}
    value = round(standard.value * rng.uniform(0.2, 1.2), 6)
    return {"standard": standard.code, "kind": kind, "value": repr(value), "unit": standard.unit,
            "basis": standard.basis, "observed_on": observed.isoformat(), "source": source}


# --- the two inserts --------------------------------------------------------------------------

def fresh_database(url: str | None, folder: Path):
    if url is None:
        engine = make_engine(f"sqlite:///{folder / f'registry-{uuid.uuid4().hex[:8]}.sqlite'}")
    else:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        sep = "&" if "?" in url else "?"
        engine = make_engine(f"{url}{sep}options=-csearch_path%3D{schema}")
        _SCHEMAS[id(engine)] = (schema, url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        load_catalogue(session)
        session.commit()
    return engine


def bare_executemany(engine, rows) -> float:
    """The same rows, already valid and converted, straight through the driver's executemany."""
    now = utcnow()
    facility_columns = ("name", "country", "epa_id", "semarnat_nra", "canada_id", "address",
                        "operations", "accepts", "processes", "annual_capacity_tonnes",
                        "equivalence_stamp", "status", "status_changed_at", "created_at")
    evidence_columns = ("facility_id", "standard_code", "kind", "value_entered", "unit_entered",
                        "value", "unit", "basis", "observed_on", "source", "entered_by_role",
                        "verified", "created_at")
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    facility_sql = (f"INSERT INTO facility ({', '.join(facility_columns)}) "
                    f"VALUES ({', '.join([mark] * len(facility_columns))})")
    evidence_sql = (f"INSERT INTO evidence ({', '.join(evidence_columns)}) "
                    f"VALUES ({', '.join([mark] * len(evidence_columns))})")
    facility_values = [
        (f["name"], f["country"], f.get("epa_id"), f.get("semarnat_nra"), f.get("canada_id"),
         f["address"], json.dumps(f["operations"].split()), json.dumps(f["accepts"].split()),
         json.dumps(derive_processes(f["accepts"].split(), f["operations"].split())),
         float(f["annual_capacity_tonnes"]), new_stamp(), "active", now, now) for f, _ in rows]
    evidence_values = []
    for n, (_facility, evidence) in enumerate(rows, start=1):
        for standard, e in evidence:
            if standard.direction == "required":
                value, unit = 1.0, None
            else:
                value, unit = units.to_canonical(float(e["value"]), e["unit"], standard.unit), standard.unit
            evidence_values.append((n, e["standard"], e["kind"], e["value"], e["unit"] or None, value,
                                    unit, e["basis"], date.fromisoformat(e["observed_on"]),
                                    e["source"], "admin", False, now))
    raw = engine.raw_connection()
    try:
        started = time.perf_counter()
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")
        cursor.executemany(facility_sql, facility_values)
        if engine.dialect.name == "postgresql":  # every facility is new: none needs a new stamp
            cursor.execute(f"SELECT set_config('{DEFERRED_STAMP}', 'on', true)")
        cursor.executemany(evidence_sql, evidence_values)
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


# --- the server times -------------------------------------------------------------------------

def server_times(engine, url: str, repeats: int = 7, only: str | None = None,
                 size: int = 10_000) -> dict[str, float]:
    from permits.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with Session(engine) as session:
        if accounts.find_user(session, "bench@example.com") is None:
            accounts.create_user(session, email="bench@example.com", password="bench-password-1",
                                 role="inspector")
            session.commit()
        token = accounts.issue_token(session, user=accounts.find_user(session, "bench@example.com"),
                                     name="bench").secret
        session.commit()
        facility_id = session.execute(text(
            "SELECT facility_id FROM evidence GROUP BY facility_id ORDER BY facility_id LIMIT 1")).scalar()
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.com", "password": "bench-password-1"})
    pages = {
        f"facility list (page 1 of {size:,})": "/registry/facilities",
        "facility list, filtered (country=MX&status=active)": "/registry/facilities?country=MX&status=active",
        "facility page (checks, history, charts)": f"/registry/facilities/{facility_id}",
        "finder (eaf_dust, R4)": "/registry/finder?byproduct=eaf_dust&operation=R4",
        "API facility list": "/api/v1/facilities",
        "API finder (eaf_dust, R4)": "/api/v1/finder?byproduct=eaf_dust&operation=R4",
    }
    headers = {"Authorization": f"Bearer {token}"}
    times = {}
    for label, path in pages.items():
        if only and label != only:
            continue
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(path, headers=headers if path.startswith("/api/") else {})
            samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
        times[label] = statistics.median(samples)
    app.extensions["parity.engine"].dispose()
    return times


def tidy(engine) -> None:
    """On PostgreSQL, what its autovacuum does on its own after a bulk import: the dead row
    versions the import's updates left (every evidence statement restamps its facilities)
    cleared, fresh statistics. This server runs with autovacuum off: without it the facility
    table measured 8,000 pages for 10,000 rows and a scan of it 80 ms. (SQLite has no such
    daemon: left as imported.)"""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table_name in ("facility", "evidence", "facility_standing"):
                conn.execute(text(f"VACUUM ANALYZE {table_name}"))


def measure(url: str | None, facilities: int, per_facility: int, repeats: int = 7) -> list[Figure]:
    found: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        engine = fresh_database(url, folder)
        label = f"registry {engine.dialect.name} {facilities:,} facilities"
        with Session(engine) as session:
            standards = sorted({s.code: s for b in BYPRODUCTS
                                for s in standards_in_force(session, TODAY, b)}.values(),
                               key=lambda s: s.code)
        csv_path = folder / "registry.csv"
        rows = generate(csv_path, facilities, per_facility, standards)
        total = facilities * (1 + per_facility)
        started = time.perf_counter()
        result = import_csv(lambda: Session(engine, expire_on_commit=False), csv_path, actor_id=None)
        imported = time.perf_counter() - started
        assert not result.errors, result.errors[:5]
        baseline_engine = fresh_database(url, folder)
        bare = bare_executemany(baseline_engine, rows)
        found += [Figure(f"{label}: import_csv rate", total / imported, "rows/s"),
                  Figure(f"{label}: import rate / bare executemany", bare / imported, "x",
                         aim=">= 0.25")]
        started = time.perf_counter()
        again = import_csv(lambda: Session(engine, expire_on_commit=False), csv_path, actor_id=None)
        assert again.added_facilities + again.added_evidence == 0
        found.append(Figure(f"{label}: re-import (adds nothing)", time.perf_counter() - started, "s"))
        with Session(engine) as session:
            refresh_standings(session)
            session.commit()
        tidy(engine)
        url_text = str(engine.url.render_as_string(hide_password=False))
        for page, seconds in server_times(engine, url_text, repeats=repeats, size=facilities).items():
            found.append(Figure(f"{label}: {page}", seconds * 1000, "ms", aim="< 100"))
        with Session(engine) as session:
            session.execute(text("DELETE FROM facility_standing"))
            session.commit()
        cold = server_times(engine, url_text, repeats=1, only="finder (eaf_dust, R4)", size=facilities)
        found.append(Figure(f"{label}: finder with no stored standings", cold["finder (eaf_dust, R4)"] * 1000,
                            "ms", note="the worst case, after a bulk change"))
        for eng in (engine, baseline_engine):
            _drop(eng)
    return found


QUICK_FACILITIES = 300  # the quick run's whole budget is 3 minutes


def run(*, quick: bool = False, postgres: bool = True, facilities: int | None = None,
        per_facility: int = 30) -> list[Figure]:
    # quick: every figure, on 300 facilities, each page the median of 3
    facilities = facilities or (QUICK_FACILITIES if quick else 10_000)
    repeats = 3 if quick else 7
    found = measure(None, facilities, per_facility, repeats)
    if postgres and bench_world.postgres_reachable():
        found += measure(bench_world.POSTGRES_URL, facilities, per_facility, repeats)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=10_000)
    parser.add_argument("--evidence-per-facility", type=int, default=30)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(table(run(facilities=args.facilities, per_facility=args.evidence_per_facility,
                    postgres=not args.no_postgres)))


def _drop(engine) -> None:
    engine.dispose()
    if id(engine) in _SCHEMAS:
        schema, admin_url = _SCHEMAS.pop(id(engine))
        admin = make_engine(admin_url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
