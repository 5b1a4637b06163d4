"""Benchmark: the four reports over 1,000,000 shipments, beside bare SQL aggregates of the same figures.

Run: .venv/bin/python -m benchmarks --only reports [--quick]   (quick: 20,000 shipments)
     or .venv/bin/python -m benchmarks.bench_reports [SHIPMENTS] [--no-postgres] [--keep]
        [--sqlite-url URL] [--postgres-url URL]   (measure again on databases kept before)

Each report is built twice (the best counts) on SQLite and on PostgreSQL, in a fresh
process (one per database), and compared with the bare aggregates of the same figures run through the
driver (aim: within 3x); that process's peak resident memory is the memory figure (aim: under
300 MB: the report sums in SQL, it never holds the shipments).
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlmodel import SQLModel

import permits.models  # noqa: F401 - every table
from benchmarks import world as bench_world
from benchmarks.suite import PEAK_RSS_KIB, Figure, table
from facility_registry.models import CarbonReport, EnforcementCase, Facility, Inspection
from permits.accounts.models import Organization, User
from permits.core.db import make_engine
from permits.permitting.decision_models import Decision
from permits.permitting.models import Permit
from permits.shipments.models import Shipment, ShipmentException

BYPRODUCTS = ("eaf_dust", "lead_acid_battery_dust", "slag")
COUNTRIES = ("US", "MX", "CA")
STATUSES = ("in_transit", "received", "recovered", "recovered", "recovered", "refused")
NOW = datetime(2026, 11, 1, tzinfo=UTC)
VERDICTS = ("meets", "meets", "meets", "fails", "no_evidence", "stale", "unverified")


PROCESSES = ("secondary_lead_smelting", "metals_recovery_kiln", "slag_processing")
BATCH = 10_000
SEEDED = ("facility", "organization", "permit", "decision", "shipment", "shipment_exception",
          "inspection", "enforcement_case", "carbon_report")


def seed(engine, shipments: int, rng: random.Random) -> None:
    """Facilities, permits, decisions, `shipments` shipments and what the other reports read.

    Rows go in by bulk Core inserts, each completed with its model's defaults
    (`benchmarks.world.insert_rows`), so a column added to a model later does not break the seed.
    """
    facilities, permits_n = 300, max(50, shipments // 50)
    add = bench_world.insert_rows
    with engine.begin() as conn:
        add(conn, Facility, [
            {"name": f"Facility {i}", "country": COUNTRIES[i % 3], "operations": ["R4"],
             "accepts": list(BYPRODUCTS), "processes": [PROCESSES[i % 3]],
             "annual_capacity_tonnes": 1e5, "status": "active", "created_at": NOW}
            for i in range(1, facilities + 1)])
        add(conn, Organization, [{"name": f"Org {i}", "country": "US", "created_at": NOW}
                                 for i in range(1, 41)])
        add(conn, User, [{"email": "bench@example.com", "password_hash": "x", "role": "shipper",
                          "organization_id": 1, "session_version": 1, "active": True,
                          "created_at": NOW}])
        add(conn, Permit, [
            {"number": f"PAR-B-{i:06d}", "organization_id": rng.randint(1, 40), "applicant_id": 1,
             "status": "approved", "byproduct": rng.choice(BYPRODUCTS), "waste_codes": ["K061"],
             "quantity_kg": 10**9, "shipments_planned": 10**4, "valid_from": date(2026, 1, 1),
             "valid_to": date(2026, 12, 31), "receiving_facility_id": rng.randint(1, facilities),
             "operation_code": "R4", "origin": {"country": rng.choice(COUNTRIES)}, "route": {},
             "transporters": [], "created_at": NOW, "updated_at": NOW}
            for i in range(1, permits_n + 1)])
        add(conn, Decision, [
            {"permit_id": rng.randint(1, permits_n), "kind": "submission",
             "outcome": rng.choice(("approved", "denied", "under_review")),
             "decided_at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(365 * 24)),
             "standards_version": "b", "terms": {}, "reasons": [], "evidence": [], "record_hash": "0" * 64,
             "rules": [{"rule": "facility_active", "met": rng.random() > 0.1}],
             "checks": [{"standard": f"std-{k}", "verdict": rng.choice(VERDICTS)} for k in range(6)]}
            for _ in range(permits_n * 2)])
        for first in range(1, shipments + 1, BATCH):
            add(conn, Shipment, [_shipment(i, permits_n, rng)
                                 for i in range(first, min(first + BATCH, shipments + 1))])
        add(conn, ShipmentException, [
            {"kind": rng.choice(("receipt_overdue", "recovery_overdue")), "shipment_id": i,
             "due_on": date(2026, 6, 1), "detected_on": date(2026, 1, 1) + timedelta(days=rng.randrange(365)),
             "created_at": NOW}
            for i in range(1, shipments // 50)])
        add(conn, Inspection, [
            {"facility_id": rng.randint(1, facilities), "outcome": rng.choice(("compliant", "violation")),
             "inspected_on": date(2026, 1, 1) + timedelta(days=rng.randrange(365)), "summary": "",
             "created_at": NOW}
            for _ in range(2_000)])
        inspections = conn.execute(select(Inspection.id, Inspection.facility_id, Inspection.inspected_on)
                                   .where(Inspection.outcome == "violation")).all()
        add(conn, EnforcementCase, [
            {"facility_id": f, "inspection_id": i, "opened_on": on,
             "resolved_on": on + timedelta(days=rng.randrange(5, 200)) if rng.random() > 0.3 else None}
            for i, f, on in inspections])
        add(conn, CarbonReport, [
            {"facility_id": i, "year": 2026, "tonnes_co2e_per_tonne": rng.uniform(0.2, 2.5),
             "method": "b", "process": PROCESSES[i % 3], "verified": True, "created_at": NOW}
            for i in range(1, facilities + 1)])


def _shipment(i: int, permits_n: int, rng: random.Random) -> dict:
    departed = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
    status = rng.choice(STATUSES)
    received = status != "in_transit"
    return {"permit_id": rng.randint(1, permits_n), "movement_document": f"MD-{i:08d}",
            "carrier": rng.choice(("Sierra", "Lone Star", "Great Lakes")),
            "quantity_kg": rng.randint(1_000, 30_000), "departed_on": departed,
            "expected_arrival_on": departed + timedelta(days=2), "status": status,
            "received_on": departed + timedelta(days=2) if received else None,
            "received_kg": rng.randint(1_000, 30_000) if received else None,
            "created_at": NOW, "updated_at": NOW}


# Every figure each report that reads the shipments computes, as bare SQL through the driver: the floor.
# The JSON arrays of the decisions are read the way each database spells it ({checks}, {rules},
# {field}: see `bare_statements`).
MONTH = "decided_at >= '2026-06-01' AND decided_at < '2026-07-01'"
BARE = {
    "monthly_compliance": [
        f"SELECT outcome, count(*), sum(CASE WHEN amendment_id IS NULL THEN 1 ELSE 0 END) "
        f"FROM decision WHERE {MONTH} GROUP BY outcome",
        "SELECT {standard}, {verdict}, count(*), count(DISTINCT d.permit_id) FROM decision d, {checks} "
        f"WHERE d.{MONTH} AND d.outcome != 'approved' AND {{verdict}} != 'meets' "
        "GROUP BY {standard}, {verdict}",
        "SELECT {rule}, count(*), count(DISTINCT d.permit_id) FROM decision d, {rules} "
        f"WHERE d.{MONTH} AND d.outcome != 'approved' AND {{unmet}} GROUP BY {{rule}}",
        "SELECT p.byproduct, f.country, count(s.id), sum(s.quantity_kg) FROM shipment s "
        "JOIN permit p ON p.id = s.permit_id JOIN facility f ON f.id = p.receiving_facility_id "
        "WHERE s.departed_on >= '2026-06-01' AND s.departed_on < '2026-07-01' "
        "GROUP BY p.byproduct, f.country",
        "SELECT kind, sum(CASE WHEN detected_on >= '2026-06-01' AND detected_on < '2026-07-01' "
        "THEN 1 ELSE 0 END), sum(CASE WHEN resolved_at >= '2026-06-01' AND resolved_at < '2026-07-01' "
        "THEN 1 ELSE 0 END), sum(CASE WHEN detected_on < '2026-07-01' AND (resolved_at IS NULL "
        "OR resolved_at >= '2026-07-01') THEN 1 ELSE 0 END) FROM shipment_exception GROUP BY kind",
        "SELECT c.at, f.name, f.country, c.from_status, c.to_status, c.reason "
        "FROM facility_status_change c JOIN facility f ON f.id = c.facility_id "
        "WHERE c.at >= '2026-06-01' AND c.at < '2026-07-01' AND (c.to_status = 'suspended' "
        "OR (c.to_status = 'active' AND c.from_status = 'suspended'))",
        "SELECT count(*) FROM enforcement_case WHERE opened_on >= '2026-06-01' AND opened_on < '2026-07-01'",
        "SELECT e.id, f.name, f.country, e.opened_on, e.notified_on, e.resolved_on "
        "FROM enforcement_case e JOIN facility f ON f.id = e.facility_id "
        "WHERE e.resolved_on >= '2026-06-01' AND e.resolved_on < '2026-07-01'",
    ],
    "annual_exports": [
        "SELECT s.*, p.number, p.byproduct, p.waste_codes, p.operation_code, p.origin, o.name, "
        "f.name, f.country, f.epa_id, f.semarnat_nra, f.canada_id FROM (SELECT permit_id, count(*), "
        "sum(quantity_kg), sum(coalesce(received_kg, 0)), "
        "sum(CASE WHEN status = 'recovered' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN status = 'recovered' THEN coalesce(received_kg, 0) - refused_kg ELSE 0 END), "
        "sum(CASE WHEN status = 'in_transit' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN status = 'received' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN status = 'received' THEN coalesce(received_kg, 0) - refused_kg ELSE 0 END), "
        "sum(CASE WHEN status IN ('refused', 'returned') THEN 1 ELSE 0 END) FROM shipment "
        "WHERE departed_on >= '2026-01-01' AND departed_on < '2027-01-01' GROUP BY permit_id) s "
        "JOIN permit p ON p.id = s.permit_id JOIN organization o ON o.id = p.organization_id "
        "JOIN facility f ON f.id = p.receiving_facility_id",
        "SELECT DISTINCT permit_id, carrier FROM shipment "
        "WHERE departed_on >= '2026-01-01' AND departed_on < '2027-01-01'",
    ],
    "carbon": [
        "SELECT f.name, f.country, c.*, r.kg FROM carbon_report c "
        "JOIN facility f ON f.id = c.facility_id LEFT JOIN (SELECT p.receiving_facility_id AS facility_id, "
        "sum(coalesce(s.received_kg, 0) - s.refused_kg) AS kg FROM shipment s "
        "JOIN permit p ON p.id = s.permit_id "
        "WHERE s.received_on >= '2026-01-01' AND s.received_on < '2027-01-01' "
        "GROUP BY p.receiving_facility_id) r ON r.facility_id = c.facility_id "
        "WHERE c.year = 2026 AND c.rejected_at IS NULL ORDER BY c.tonnes_co2e_per_tonne, f.name",
    ],
}
JSON_SPELLING = {
    "sqlite": {"checks": "json_each(d.checks) e", "rules": "json_each(d.rules) e",
               "field": "json_extract(e.value, '$.{}')", "unmet": "json_extract(e.value, '$.met') = 0"},
    "postgresql": {"checks": "json_array_elements(d.checks) e", "rules": "json_array_elements(d.rules) e",
                   "field": "(e.value ->> '{}')", "unmet": "(e.value ->> 'met') = 'false'"},
}


def bare_statements(dialect: str, report: str) -> list[str]:
    spelling = JSON_SPELLING[dialect]
    fields = {name: spelling["field"].format(name) for name in ("standard", "verdict", "rule")}
    return [statement.format(checks=spelling["checks"], rules=spelling["rules"],
                             unmet=spelling["unmet"], **fields)
            for statement in BARE[report]]


PERIODS = {"monthly_compliance": "2026-06", "annual_exports": "2026", "enforcement_public": "2026",
           "carbon": "2026"}


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bare_aggregate(engine, statements: list[str]) -> float:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        for statement in statements:
            cursor.execute(statement)
            cursor.fetchall()
        return time.perf_counter() - started
    finally:
        raw.close()


# A fresh process builds the reports, one after the other: its peak resident memory after each
# is that report's figure (an upper bound: it is the most any report so far has needed), not
# the seed's, and it includes what the driver and SQLAlchemy hold, which tracemalloc misses.
_BUILD = PEAK_RSS_KIB + """
import json, sys, time
import permits.models
from sqlmodel import Session
from permits import reports
from permits.core.db import make_engine
url, runs, *asked = sys.argv[1:]
engine = make_engine(url)
found = {}
with Session(engine) as session:
    session.connection()
    base = peak_rss_kib()
    for kind, period in zip(asked[::2], asked[1::2]):
        times = []
        for _ in range(int(runs)):
            started = time.perf_counter()
            reports.build(session, kind, period)
            times.append(time.perf_counter() - started)
            session.rollback()
        found[kind] = {"seconds": min(times), "base_kib": base,
                       "peak_kib": peak_rss_kib()}
print(json.dumps(found))
"""
QUICK_SHIPMENTS = 20_000  # the quick run's whole budget is 3 minutes
RUNS = 2  # the best of two: the first reads the tables into the cache


def build_in_fresh_process(url: str, periods: dict[str, str]) -> dict[str, dict]:
    asked = [word for pair in periods.items() for word in pair]
    out = subprocess.run([sys.executable, "-c", _BUILD, url, str(RUNS), *asked],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def seeded_database(kind: str, shipments: int) -> tuple[str, callable, float]:
    """A fresh database of `kind` seeded with `shipments`, how to drop it, and the seconds it took."""
    url, drop = bench_world.database(kind)
    engine = make_engine(url)
    try:
        SQLModel.metadata.create_all(engine)
        began = time.perf_counter()
        seed(engine, shipments, random.Random(7))
        with engine.begin() as conn:  # fresh statistics, as a live database would have
            for table_name in SEEDED:
                conn.execute(text(f"ANALYZE {table_name}"))
        return url, drop, time.perf_counter() - began
    finally:
        engine.dispose()


def measure(kind: str, shipments: int, *, url: str | None = None, keep: bool = False) -> list[Figure]:
    """The figures on a fresh seeded database (or on `url`, seeded before); `keep` leaves it."""
    seeded = 0.0
    if url is None:
        url, drop, seeded = seeded_database(kind, shipments)
    else:
        def drop():
            return None
        keep = True
    engine = make_engine(url)
    label = f"reports {kind} {shipments:,} shipments"
    try:
        found = []
        for report, built in build_in_fresh_process(url, PERIODS).items():
            found.append(Figure(f"{label}: {report}", built["seconds"] * 1000, "ms",
                                note=f"seeded in {seeded:.0f} s" if not found else ""))
            if report in BARE:
                statements = bare_statements(engine.dialect.name, report)
                bare = min(bare_aggregate(engine, statements) for _ in range(RUNS))
                found.append(Figure(f"{label}: {report} / bare SQL aggregate",
                                    built["seconds"] / bare, "x", aim="<= 3",
                                    note=f"bare {bare * 1000:.0f} ms"))
            found.append(Figure(f"{label}: {report} peak RSS", built["peak_kib"] / 1024, "MiB",
                                aim="< 300", note=f"before building: {built['base_kib'] / 1024:.0f} MiB"))
        return found
    finally:
        engine.dispose()
        if keep:
            print(f"kept {kind}: {url}", file=sys.stderr)
        else:
            drop()
            if kind == "sqlite":  # a million shipments fill hundreds of megabytes
                shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent, ignore_errors=True)


def run(*, quick: bool = False, postgres: bool = True, shipments: int | None = None,
        urls: dict[str, str] | None = None, keep: bool = False) -> list[Figure]:
    shipments = shipments or (QUICK_SHIPMENTS if quick else 1_000_000)
    urls = urls or {}
    found = measure("sqlite", shipments, url=urls.get("sqlite"), keep=keep)
    if postgres and bench_world.postgres_reachable():
        found += measure("postgresql", shipments, url=urls.get("postgresql"), keep=keep)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shipments", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave the seeded databases (their URLs are printed)")
    parser.add_argument("--sqlite-url", help="a database seeded before (with --keep): no new seed")
    parser.add_argument("--postgres-url", help="a database seeded before (with --keep): no new seed")
    args = parser.parse_args()
    urls = {k: v for k, v in (("sqlite", args.sqlite_url), ("postgresql", args.postgres_url)) if v}
    print(table(run(shipments=args.shipments, postgres=not args.no_postgres, urls=urls, keep=args.keep)))


if __name__ == "__main__":
    main()
