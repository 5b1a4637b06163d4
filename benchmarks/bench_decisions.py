"""Benchmark: deciding an application on a facility with 30 applicable standards.

Run: .venv/bin/python benchmarks/bench_decisions.py [--runs N] [--url postgresql://127.0.0.1:5432/test]
     (default: a SQLite file in a temporary folder)

Prints the median time of the registry's eligibility check alone (the floor: one standards query,
one evidence query, 30 verdicts), then beside it the permit decision (`decisions.evaluate`: the
same plus the permit rules and the record's body), a whole application through the service
(validation, decision, stored record with its hash, audit entry), and the permit's API answer and
page. The aim: a decision within a few ms, and the permit's reads not growing with its checks.
"""
from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, SQLModel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import permits.models  # noqa: E402,F401 - every table
from facility_registry import services as registry  # noqa: E402
from facility_registry.eligibility import check_facility  # noqa: E402
from facility_registry.importer import import_csv  # noqa: E402
from permits.accounts import services as accounts  # noqa: E402
from permits.app import create_app  # noqa: E402
from permits.core.db import make_engine  # noqa: E402
from permits.permitting import decisions  # noqa: E402
from permits.permitting import services as service  # noqa: E402
from permits.permitting.rules import Terms  # noqa: E402
from standards.catalogue import load_catalogue, standards_in_force  # noqa: E402
from standards.models import Standard  # noqa: E402

TODAY = date.today()
TARGET_STANDARDS = 30
INSPECTOR = {"actor_id": None, "actor_role": "inspector"}


def _database(url: str | None) -> tuple[str, callable]:
    if url is None:
        folder = tempfile.mkdtemp(prefix="parity-bench-")
        return f"sqlite:///{folder}/bench.sqlite3", lambda: None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}", drop


def _setup(engine) -> tuple[int, int, int, str]:
    """The catalogue topped up to 30 standards for EAF dust, a facility meeting all of them."""
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_catalogue(session)
        in_force = standards_in_force(session, TODAY, "eaf_dust")
        for n in range(TARGET_STANDARDS - len(in_force)):  # like the PEL, under other codes
            session.add(Standard(code=f"bench-extra-{n}", version=1, title="benchmark standard",
                                 pollutant="lead", medium="workplace_air", category="occupational",
                                 value=50.0, unit="µg/m³", basis="8h_twa", direction="max",
                                 applies_to=["eaf_dust"], citation="benchmark",
                                 effective_from=date(2000, 1, 1)))
        session.flush()
        standards = standards_in_force(session, TODAY, "eaf_dust")
        facility = registry.create_facility(
            session, **INSPECTOR, name="Bench Metals", country="MX", semarnat_nra="BENCH0001",
            address="x", operations=["R4"], accepts=["eaf_dust"], annual_capacity_tonnes=1e5)
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
        handle.seek(0)
        result = import_csv(session, handle, **INSPECTOR, verified=True)
        assert not result.errors, result.errors[:3]
        org = accounts.get_or_create_organization(session, "Bench Shipper")
        shipper = accounts.create_user(session, email="bench@example.com", password="bench-password-1",
                                       role="shipper", organization=org)
        token = accounts.issue_token(session, user=shipper).secret
        session.commit()
        return facility.id, shipper.id, len(standards), token


def _median_ms(run, runs: int) -> float:
    run()  # warm caches (catalogue, compiled statements)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _body(facility_id: int) -> dict:
    return {"byproduct": "eaf_dust", "waste_codes": ["K061"], "quantity_tonnes": 100,
            "shipments_planned": 4, "valid_from": (TODAY + timedelta(days=1)).isoformat(),
            "valid_to": (TODAY + timedelta(days=200)).isoformat(),
            "receiving_facility_id": facility_id, "operation_code": "R4",
            "origin": {"name": "Works", "country": "US", "epa_id": "OHD123456789"},
            "route": {"exit_port": "A", "entry_port": "B", "transit_countries": []},
            "transporters": [{"name": "Haul", "country": "US"}]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--url", help="a PostgreSQL server URL (a schema is made and dropped)")
    args = parser.parse_args()
    url, drop = _database(args.url)
    engine = make_engine(url)
    try:
        facility_id, shipper_id, count, token = _setup(engine)
        with Session(engine, expire_on_commit=False) as session:
            from facility_registry.models import Facility
            from permits.accounts.models import User

            facility = session.get(Facility, facility_id)
            shipper = session.get(User, shipper_id)
            permit, decision = service.apply(session, actor=shipper, body=_body(facility_id),
                                             today=TODAY)
            assert decision.outcome == "approved" and len(decision.checks) == count
            terms, permit_id = Terms.of(permit), permit.id
            session.commit()
            eligibility = _median_ms(lambda: check_facility(session, facility, "eaf_dust", TODAY),
                                     args.runs)
            evaluate = _median_ms(lambda: decisions.evaluate(session, terms, on=TODAY), args.runs)

            def apply_and_undo():
                with session.begin_nested() as savepoint:
                    service.apply(session, actor=shipper, body=_body(facility_id), today=TODAY)
                    savepoint.rollback()
            application = _median_ms(apply_and_undo, max(20, args.runs // 4))
            session.rollback()
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench",
                          "RATELIMIT_ENABLED": False})
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        api = _median_ms(lambda: client.get(f"/api/v1/permits/{permit_id}", headers=headers),
                         max(20, args.runs // 4))
        app.extensions["parity.engine"].dispose()
    finally:
        engine.dispose()
        drop()
    print(f"database: {engine.dialect.name}; facility with {count} applicable standards, "
          f"median of {args.runs} runs")
    print(f"  eligibility check (registry, the floor) {eligibility:7.2f} ms   1.0x")
    print(f"  permit decision (decisions.evaluate)    {evaluate:7.2f} ms  {evaluate / eligibility:4.1f}x")
    print(f"  whole application (service.apply)       {application:7.2f} ms  "
          f"{application / eligibility:4.1f}x")
    print(f"  GET /api/v1/permits/<id> (test client)  {api:7.2f} ms  {api / eligibility:4.1f}x")


if __name__ == "__main__":
    main()
