"""Benchmark: `audit verify` on a chain of 1,000,000 entries, with the live rows it checks.

Run: .venv/bin/python -m benchmarks.bench_audit [--entries N] [--postgres]   (or python -m
     benchmarks --only audit; quick: 10,000 entries). SQLite; PostgreSQL as well with --postgres
     (not in the suite's run: generating a million entries takes many minutes per database).

The world: the benchmark facility (made through the services), then permits and their shipments
written in bulk together with the audit entries Parity would have written for them (each permit
submitted and approved, each shipment logged, received and recovered: 40 entries a permit), every
entry hashed into the chain. `audit verify` (the chain's hashes, then every permit, shipment and
facility against the chain, the permits' totals against their shipments) then runs in a fresh
process, which reports its wall time and peak resident memory. The aims: under 60 s for a million
entries, and memory flat: the peak at a million within 1.5 times the peak at a tenth of that.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import insert, select

import permits.models  # noqa: F401 - every table
from benchmarks import world as bench_world
from benchmarks.suite import PEAK_RSS_KIB, Figure, table
from permits.accounts.models import User
from permits.audit import chain
from permits.audit.models import AuditEntry
from permits.core.db import make_engine
from permits.permitting.models import Permit
from permits.shipments.models import Shipment
from standards import clock

PER_PERMIT = 40  # submit, then 13 shipments x (logged, received, recovered)
SHIPMENTS_PER_PERMIT = 13
KG = 7_000
TODAY = clock.today()
AT = datetime(2026, 11, 1, 12, 0, 0)
BATCH = 20_000
QUICK_ENTRIES = 10_000  # and a tenth of it: the quick run's whole budget is 3 minutes


def _terms(facility_id: int, n: int) -> dict:
    return {"byproduct": "eaf_dust", "waste_codes": ["K061"], "quantity_kg": 100_000_000,
            "shipments_planned": 1000, "valid_from": TODAY - timedelta(days=30),
            "valid_to": TODAY + timedelta(days=300), "receiving_facility_id": facility_id,
            "operation_code": "R4", "final_facility_id": None, "final_operation_code": None,
            "origin": {"name": "Works", "country": "US", "epa_id": "OHD123456789"},
            "route": {"exit_port": "A", "entry_port": "B", "transit_countries": []},
            "transporters": [{"name": "Haul", "country": "US"}], "number": f"PAR-B-{n:07d}"}


class _Chain:
    """Appends entries as `audit.record` would hash them, flushed to the table in batches."""

    def __init__(self, connection, seq: int, head: str):
        self.connection, self.seq, self.head, self.rows = connection, seq, head, []

    def add(self, action: str, entity: str, entity_id: int, after: dict) -> None:
        self.seq += 1
        entry = SimpleNamespace(seq=self.seq, at=AT, actor_id=None, action=action, entity=entity,
                                entity_id=str(entity_id), before=None, after=after, reason=None,
                                prev_hash=self.head)
        entry.hash = hashlib.sha256(chain.canonical(entry)).hexdigest()
        self.head = entry.hash
        self.rows.append(dict(vars(entry)))
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.connection.execute(insert(AuditEntry), self.rows)
            self.rows = []


def populate(url: str, entries: int) -> int:
    """Add permits, shipments and their entries until the chain holds about `entries`."""
    world = bench_world.build(url)
    engine = make_engine(url)
    permits_wanted = max(1, (entries - 200) // PER_PERMIT)
    with engine.begin() as connection:
        organization_id = connection.execute(
            select(User.organization_id).where(User.id == world.shipper_id)).scalar_one()
        seq, head = connection.execute(select(AuditEntry.seq, AuditEntry.hash)
                                       .order_by(AuditEntry.seq.desc()).limit(1)).one()
        log = _Chain(connection, seq, head)
        shipment_id = 0
        for first in range(1, permits_wanted + 1, 1000):
            permit_rows, shipment_rows = [], []
            for permit_id in range(first, min(first + 1000, permits_wanted + 1)):
                terms = _terms(world.facility_id, permit_id)
                permit_rows.append({"id": permit_id, "organization_id": organization_id,
                                    "applicant_id": world.shipper_id, "status": "approved",
                                    "used_kg": KG * SHIPMENTS_PER_PERMIT,
                                    "shipments_used": SHIPMENTS_PER_PERMIT, "created_at": AT,
                                    "updated_at": AT, **terms})
                log.add("permit.submit", "permit", permit_id,
                        {"status": "approved", **chain._jsonable(terms)})
                for _ in range(SHIPMENTS_PER_PERMIT):
                    shipment_id += 1
                    logged = {"permit_id": permit_id, "movement_document": f"MD-{shipment_id}",
                              "carrier": "Haul", "quantity_kg": KG, "departed_on": TODAY,
                              "expected_arrival_on": TODAY + timedelta(days=2)}
                    done = {"received_on": TODAY, "received_kg": KG, "completed_on": TODAY,
                            "recovery_operation_code": "R4"}
                    shipment_rows.append({"id": shipment_id, "status": "recovered", "discrepancy": False,
                                          "refused_kg": 0, "created_at": AT, "updated_at": AT,
                                          **logged, **done})
                    log.add("shipment.logged", "shipment", shipment_id,
                            chain._jsonable({**logged, "status": "in_transit"}))
                    log.add("shipment.received", "shipment", shipment_id,
                            chain._jsonable({"status": "received", "received_on": TODAY,
                                             "received_kg": KG}))
                    log.add("shipment.recovered", "shipment", shipment_id,
                            chain._jsonable({"status": "recovered", "completed_on": TODAY,
                                             "recovery_operation_code": "R4"}))
            log.flush()  # the chain's rows before the rows they describe: one order, no FKs
            # Through the models, so columns added later get their defaults (a hold's reasons ...).
            connection.execute(insert(Permit), [Permit(**r).model_dump() for r in permit_rows])
            connection.execute(insert(Shipment), [Shipment(**r).model_dump() for r in shipment_rows])
    engine.dispose()
    return log.seq


_VERIFY = PEAK_RSS_KIB + """
import json, sys, time
import permits.models
from sqlmodel import Session
from permits.audit import verification
from permits.core.db import make_engine
engine = make_engine(sys.argv[1])
base = peak_rss_kib()
started = time.perf_counter()
with Session(engine) as session:
    result = verification.verify(session)
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "peak_kib": peak_rss_kib(),
                  "base_kib": base, "ok": result.ok, "entries": result.chain.entries,
                  "problems": result.count}))
"""


def verify_in_fresh_process(url: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _VERIFY, url], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(kind: str, entries: int) -> tuple[dict, float]:
    url, drop = bench_world.database(kind)
    try:
        began = time.perf_counter()
        populate(url, entries)
        built = time.perf_counter() - began
        found = verify_in_fresh_process(url)
    finally:
        drop()
        if kind == "sqlite":  # a million entries fill half a gigabyte: leave nothing behind
            shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent, ignore_errors=True)
    if not found["ok"]:
        raise RuntimeError(f"the generated world does not verify: {found}")
    return found, built


def figures(kind: str, big: int) -> list[Figure]:
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[kind]
    small_found, _ = measure(kind, max(big // 10, 1000))
    found, built = measure(kind, big)
    return [
        Figure(f"audit verify, {found['entries']:,} entries ({name})", found["seconds"], "s",
               aim="< 60" if big >= 1_000_000 else None,
               note=f"chain hashes + every permit, shipment and facility against the chain; "
                    f"{found['problems']} problems; world built in {built:.0f} s"),
        Figure(f"audit verify peak RSS, {found['entries']:,} entries ({name})", found["peak_kib"] / 1024,
               "MiB", note=f"the process before verifying: {found['base_kib'] / 1024:.0f} MiB"),
        Figure(f"audit verify peak RSS, {small_found['entries']:,} entries ({name})",
               small_found["peak_kib"] / 1024, "MiB",
               note=f"the process before verifying: {small_found['base_kib'] / 1024:.0f} MiB"),
        Figure(f"audit verify memory growth, 10x the entries ({name})",
               found["peak_kib"] / small_found["peak_kib"], "x", aim="< 1.5",
               note="flat: the chain and the tables are streamed"),
    ]


def run(*, quick: bool = False, postgres: bool = True, entries: int | None = None,
        on_postgres: bool = False) -> list[Figure]:
    """SQLite; PostgreSQL too only when asked (`on_postgres`, or --postgres on the command line):
    generating a million entries takes a quarter of an hour per database on a loaded machine,
    too long for the suite's run."""
    big = entries or (QUICK_ENTRIES if quick else 1_000_000)
    found = figures("sqlite", big)
    if postgres and on_postgres and bench_world.postgres_reachable():
        found += figures("postgresql", big)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL as well as SQLite")
    args = parser.parse_args()
    print(table(run(entries=args.entries, on_postgres=args.postgres)))


if __name__ == "__main__":
    main()
