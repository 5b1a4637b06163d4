"""The reports benchmark's seed, at a tiny size on SQLite: it must keep up with the models.

A seed written as bulk inserts breaks silently when a model gains a NOT NULL column (it did:
`permit.hold_reasons`), and the benchmarks are not run with the suite. This runs the seed and
every report over it, and checks the reports count what the bare SQL the benchmark compares
them with counts (and that bare SQL runs). Not timed: speed lives in benchmarks/.
"""
from __future__ import annotations

import random

from sqlalchemy import text
from sqlmodel import Session, SQLModel

import permits.models  # noqa: F401 - every table
from benchmarks import bench_reports
from permits import reports
from permits.core.db import make_engine

SHIPMENTS = 400


def totals(report) -> dict:
    return {total.key: total.value for total in report.totals}


def test_the_reports_benchmark_seeds_and_reports_on_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    try:
        SQLModel.metadata.create_all(engine)
        bench_reports.seed(engine, SHIPMENTS, random.Random(7))
        with Session(engine) as session:
            built = {kind: reports.build(session, kind, period)
                     for kind, period in bench_reports.PERIODS.items()}
            bare = {kind: [session.execute(text(statement)).all()
                           for statement in bench_reports.bare_statements("sqlite", kind)]
                    for kind in bench_reports.BARE}
            held = session.execute(text("SELECT count(*) FROM permit WHERE hold_reasons IS NULL"))
            assert held.scalar_one() == 0
    finally:
        engine.dispose()
    monthly = totals(built["monthly_compliance"])
    _decisions, checks, _rules, shipments, *_ = bare["monthly_compliance"]
    assert 0 < monthly["shipments"] == sum(row[2] for row in shipments)
    assert 0 < monthly["checks_not_met"] == sum(row[2] for row in checks)
    exports = totals(built["annual_exports"])
    # Every seeded shipment departs in 2026: exported or domestic, each is counted once.
    assert exports["shipments"] + exports["domestic_shipments"] == SHIPMENTS
    assert sum(row[1] for row in bare["annual_exports"][0]) == SHIPMENTS
    assert totals(built["carbon"])["facilities"] == 300
    assert totals(built["enforcement_public"])["inspections"] == 2000
