"""Benchmark: deciding an application on a facility with 30 applicable standards.

Run: .venv/bin/python -m benchmarks.bench_decisions [--runs N] [--no-postgres]
     (or python -m benchmarks --only decisions); SQLite, then the local PostgreSQL when it answers.

Prints the median time of the registry's eligibility check alone (the floor: one standards query,
one evidence query, 30 verdicts), then beside it the shipment-time equivalence check
(`holds.unmet_checks`: the standards the permit was decided on against the evidence on the
departure date, which every shipment runs; aim: ratio <= 1), the permit decision (`decisions.evaluate`: the
same plus the permit rules and the record's body), a whole application through the service
(validation, decision, stored record with its hash, audit entry), and the permit's API answer and
page. The aim: a decision within a few ms, and the permit's reads not growing with its checks.
"""
from __future__ import annotations

import argparse
import statistics
import time

from sqlmodel import Session

from benchmarks import world as bench_world
from benchmarks.suite import Figure, table
from facility_registry.eligibility import check_facility
from facility_registry.models import Facility
from permits.accounts.models import User
from permits.app import create_app
from permits.core.db import make_engine
from permits.permitting import decisions, holds
from permits.permitting import services as service
from permits.permitting.rules import Terms

TODAY = bench_world.TODAY


def _median_ms(run, runs: int) -> float:
    run()  # warm caches (catalogue, compiled statements)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(kind: str, runs: int) -> list[Figure]:
    url, drop = bench_world.database(kind)
    engine = make_engine(url)
    try:
        world = bench_world.build(url)
        with Session(engine, expire_on_commit=False) as session:
            facility = session.get(Facility, world.facility_id)
            shipper = session.get(User, world.shipper_id)
            body = bench_world.application(world.facility_id)
            permit, decision = service.apply(session, actor=shipper, body=body, today=TODAY)
            assert decision.outcome == "approved" and len(decision.checks) == world.standards
            terms, permit_id = Terms.of(permit), permit.id
            session.commit()
            eligibility = _median_ms(lambda: check_facility(session, facility, "eaf_dust", TODAY), runs)
            evaluate = _median_ms(lambda: decisions.evaluate(session, terms, on=TODAY), runs)
            held = session.get(type(permit), permit_id)
            assert holds.unmet_checks(session, held, TODAY) == []
            shipment_check = _median_ms(lambda: holds.unmet_checks(session, held, TODAY), runs)

            def apply_and_undo():
                with session.begin_nested() as savepoint:
                    service.apply(session, actor=shipper, body=body, today=TODAY)
                    savepoint.rollback()
            application = _median_ms(apply_and_undo, max(20, runs // 4))
            session.rollback()
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench",
                          "RATELIMIT_ENABLED": False})
        client = app.test_client()
        headers = {"Authorization": f"Bearer {world.token}"}
        api = _median_ms(lambda: client.get(f"/api/v1/permits/{permit_id}", headers=headers),
                         max(20, runs // 4))
        app.extensions["parity.engine"].dispose()
    finally:
        engine.dispose()
        drop()
    label = f"decisions {kind} ({world.standards} standards)"
    return [
        Figure(f"{label}: eligibility check (the floor)", eligibility, "ms"),
        _with_obstacle(Figure(f"{label}: shipment-time check / eligibility",
                              shipment_check / eligibility, "x", aim="<= 1")),
        Figure(f"{label}: decision / eligibility", evaluate / eligibility, "x"),
        Figure(f"{label}: whole application / eligibility", application / eligibility, "x"),
        Figure(f"{label}: GET permit (test client) / eligibility", api / eligibility, "x"),
    ]


def _with_obstacle(figure: Figure) -> Figure:
    if figure.met is False:
        figure.note = ("in the way: nothing but noise, as far as profiles show: the check makes "
                       "the eligibility check's statements (its facilities' stamps and processes "
                       "in one, the remembered terms, the evidence) and its 30 verdicts")
    return figure


def run(*, quick: bool = False, postgres: bool = True, runs: int | None = None) -> list[Figure]:
    runs = runs or (15 if quick else 200)
    found = measure("sqlite", runs)
    if postgres and bench_world.postgres_reachable():
        found += measure("postgresql", runs)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(table(run(runs=args.runs, postgres=not args.no_postgres)))


if __name__ == "__main__":
    main()
