"""The audit trail's filters (actor, action or its prefix, dates) read an index, not the whole
table: the query plan of each filter names one of the trail's indexes, on SQLite and PostgreSQL.

On PostgreSQL a table this small is cheaper to scan, so sequential scans are switched off for
the EXPLAIN: the question is whether an index *can* serve the filter, which is what the
planner picks once the trail has its production size."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from permits.admin import queries
from permits.audit import chain


def _plan(session: Session, statement) -> str:
    bind = session.get_bind()
    compiled = statement.compile(dialect=bind.dialect)
    conn = session.connection()
    if bind.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).all()
        return "\n".join(r[0] for r in rows)
    params = tuple(compiled.params[name] for name in compiled.positiontup)
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params).all()
    return "\n".join(str(r[-1]) for r in rows)


@pytest.fixture
def trail(session):
    for n in range(30):
        chain.record(session, actor_id=n % 3 or None, action=("permit.hold", "shipment.logged",
                     "user.created")[n % 3], entity="permit", entity_id=str(n))
    session.commit()
    return session


@pytest.mark.parametrize(("filters", "index"), [
    (queries.AuditFilters(actor_id=2), "ix_audit_entry_actor_seq"),
    (queries.AuditFilters(system=True), "ix_audit_entry_actor_seq"),
    (queries.AuditFilters(action="permit.hold"), "ix_audit_entry_action_seq"),
    (queries.AuditFilters(action="permit."), "ix_audit_entry_action_seq"),
    (queries.AuditFilters(since=date(2026, 1, 1), until=date(2026, 1, 31)), "ix_audit_entry_at"),
])
def test_each_filter_reads_an_index(trail, filters, index):
    dialect = trail.get_bind().dialect.name
    statement = queries.audit_entries(filters, dialect)
    plan = _plan(trail, statement)
    assert index in plan, plan
    count_plan = _plan(trail, select(func.count()).select_from(statement.subquery()))
    assert index in count_plan, count_plan
    trail.rollback()


def test_a_prefix_filter_finds_exactly_the_actions_starting_with_it(trail):
    from permits.audit.models import AuditEntry
    dialect = trail.get_bind().dialect.name
    chain.record(trail, actor_id=None, action="permit/x", entity="permit", entity_id="x")
    chain.record(trail, actor_id=None, action="permit.", entity="permit", entity_id="y")
    trail.commit()
    got = {e.action for e in trail.exec(queries.audit_entries(queries.AuditFilters(action="permit."),
                                                               dialect))}
    assert got == {"permit.hold", "permit."}
    assert trail.exec(select(AuditEntry).where(AuditEntry.action == "permit/x")).first()
