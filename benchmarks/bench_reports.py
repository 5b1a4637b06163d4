"""Benchmark: the four reports over 100,000 shipments, beside loading those shipments into Python.

Run: .venv/bin/python benchmarks/bench_reports.py [SHIPMENTS] [DATABASE_URL]
(default 100000 on a fresh SQLite file; a PostgreSQL URL must point at an empty database or schema).

Prints each report's time and its ratio to a plain "SELECT every shipment row" loop: a report
that sums in SQL should cost about as much as reading the rows once, or less, and grow with
the period's rows rather than with Python work per row.
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select
from sqlmodel import Session, SQLModel

import permits.models  # noqa: F401 - every table
from facility_registry.models import CarbonReport, EnforcementCase, Facility, Inspection
from permits import reports
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


def stamped(rows: list[dict], *columns: str) -> list[dict]:
    """Core inserts skip the models' default factories: the timestamps are given here."""
    return [{**row, **dict.fromkeys(columns or ("created_at",), NOW)} for row in rows]


def seed(engine, shipments: int, rng: random.Random) -> None:
    facilities, permits_n = 300, max(50, shipments // 50)
    with engine.begin() as conn:
        conn.execute(insert(Facility), stamped([
            {"name": f"Facility {i}", "country": COUNTRIES[i % 3], "operations": ["R4"],
             "accepts": list(BYPRODUCTS), "annual_capacity_tonnes": 1e5, "status": "active"}
            for i in range(1, facilities + 1)]))
        conn.execute(insert(Organization), stamped([{"name": f"Org {i}", "country": "US"} for i in range(1, 41)]))
        conn.execute(insert(User), stamped([{"email": "bench@example.com", "password_hash": "x", "role": "shipper",
                                             "organization_id": 1, "session_version": 1, "active": True}]))
        conn.execute(insert(Permit), stamped([
            {"number": f"PAR-B-{i:06d}", "organization_id": rng.randint(1, 40), "applicant_id": 1,
             "status": "approved", "byproduct": rng.choice(BYPRODUCTS), "waste_codes": ["K061"],
             "quantity_kg": 10**9, "shipments_planned": 10**4, "valid_from": date(2026, 1, 1),
             "valid_to": date(2026, 12, 31), "receiving_facility_id": rng.randint(1, facilities),
             "operation_code": "R4", "origin": {"country": rng.choice(COUNTRIES)}, "route": {},
             "transporters": []} for i in range(1, permits_n + 1)], "created_at", "updated_at"))
        conn.execute(insert(Decision), [
            {"permit_id": rng.randint(1, permits_n), "kind": "submission",
             "outcome": rng.choice(("approved", "denied", "under_review")),
             "decided_at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(365 * 24)),
             "standards_version": "b", "terms": {}, "reasons": [], "evidence": [], "record_hash": "0" * 64,
             "rules": [{"rule": "facility_active", "met": rng.random() > 0.1}],
             "checks": [{"standard": f"std-{k}", "verdict": rng.choice(VERDICTS)} for k in range(6)]}
            for _ in range(permits_n * 2)])
        batch = []
        for i in range(1, shipments + 1):
            departed = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
            status = rng.choice(STATUSES)
            received = status != "in_transit"
            batch.append({
                "permit_id": rng.randint(1, permits_n), "movement_document": f"MD-{i:08d}",
                "carrier": rng.choice(("Sierra", "Lone Star", "Great Lakes")),
                "quantity_kg": rng.randint(1_000, 30_000), "departed_on": departed,
                "expected_arrival_on": departed + timedelta(days=2), "status": status,
                "received_on": departed + timedelta(days=2) if received else None,
                "received_kg": rng.randint(1_000, 30_000) if received else None,
                "refused_kg": 0, "discrepancy": False})
            if len(batch) == 10_000:
                conn.execute(insert(Shipment), stamped(batch, "created_at", "updated_at"))
                batch = []
        if batch:
            conn.execute(insert(Shipment), stamped(batch, "created_at", "updated_at"))
        conn.execute(insert(ShipmentException), stamped([
            {"kind": rng.choice(("receipt_overdue", "recovery_overdue")), "shipment_id": i,
             "due_on": date(2026, 6, 1), "detected_on": date(2026, 1, 1) + timedelta(days=rng.randrange(365))}
            for i in range(1, shipments // 50)]))
        conn.execute(insert(Inspection), stamped([
            {"facility_id": rng.randint(1, facilities), "outcome": rng.choice(("compliant", "violation")),
             "inspected_on": date(2026, 1, 1) + timedelta(days=rng.randrange(365)), "summary": ""}
            for _ in range(2_000)]))
        inspections = conn.execute(select(Inspection.id, Inspection.facility_id, Inspection.inspected_on)
                                   .where(Inspection.outcome == "violation")).all()
        conn.execute(insert(EnforcementCase), [
            {"facility_id": f, "inspection_id": i, "opened_on": on,
             "resolved_on": on + timedelta(days=rng.randrange(5, 200)) if rng.random() > 0.3 else None}
            for i, f, on in inspections])
        conn.execute(insert(CarbonReport), stamped([
            {"facility_id": i, "year": 2026, "tonnes_co2e_per_tonne": rng.uniform(0.2, 2.5), "method": "b"}
            for i in range(1, facilities + 1)]))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    shipments = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    print(f"seeding {shipments:,} shipments on {engine.dialect.name} ...", flush=True)
    print(f"  seeded in {timed(lambda: seed(engine, shipments, random.Random(7))):.1f} s")
    with Session(engine) as session:
        baseline = min(timed(lambda: session.execute(select(Shipment)).all()) for _ in range(2))
        print(f"{'load every shipment row (baseline)':<38} {baseline * 1000:8.0f} ms   1.00x")
        for kind, period in (("monthly_compliance", "2026-06"), ("annual_exports", "2026"),
                             ("enforcement_public", "2026"), ("carbon", "2026")):
            spent = min(timed(lambda k=kind, p=period: reports.build(session, k, p)) for _ in range(2))
            print(f"{kind + ' ' + period:<38} {spent * 1000:8.0f} ms   {spent / baseline:.2f}x")


if __name__ == "__main__":
    main()
