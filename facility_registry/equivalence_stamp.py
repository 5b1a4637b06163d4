"""A facility's equivalence stamp: a number that changes whenever anything a check of the facility
reads changes, so that a verdict remembered under it is never stale.

What a check of a facility reads: its evidence rows (added, verified, rejected, corrected,
superseded, deleted; an inspection's findings are evidence rows too), its processes, and the
catalogue (standard versions and treaty accessions). Database triggers set the stamp, in the
statement that makes the change and so in its transaction, whoever writes (a service, the ORM,
a bulk import or plain SQL):
- a change to an evidence row gives its facility a new stamp;
- a change to a standard or a treaty accession gives every facility a new stamp (rare).
The processes are not stamped: a cached verdict keys on them as read.

A bulk writer may stamp once instead of once per statement (`stamped_once`): on PostgreSQL a
driver's executemany runs the statement once per row, and each run would rewrite the facility's
row, leaving dead row versions that every full read of the table (the finder's) then walks.

The stamp is random, not a counter: two databases in one process (the tests, the benchmarks)
never share a key, and a facility deleted and re-created under the same id gets a new one.
NULL (a row written by plain SQL without one) means "not remembered".

On SQLite a migration that rebuilds `evidence`, `standard` or `treaty_accession` (batch mode)
drops their triggers with the old table: it must call `install_triggers` again.
"""
from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Connection

BITS = 53  # within every driver's integer and a float's exact range


def new_stamp() -> int:
    return random.getrandbits(BITS)


_SQLITE_STAMP = f"(random() & {2 ** BITS - 1})"
_POSTGRES_STAMP = f"floor(random() * {2 ** BITS - 1})::bigint"
CATALOGUE_TABLES = ("standard", "treaty_accession")
DEFERRED = "parity.evidence_stamp_deferred"


def _sqlite_ddl() -> list[str]:
    stamp = f"UPDATE facility SET equivalence_stamp = {_SQLITE_STAMP}"
    ddl = [
        f"CREATE TRIGGER IF NOT EXISTS evidence_stamp_insert AFTER INSERT ON evidence BEGIN "
        f"{stamp} WHERE id = NEW.facility_id; END",
        f"CREATE TRIGGER IF NOT EXISTS evidence_stamp_update AFTER UPDATE ON evidence BEGIN "
        f"{stamp} WHERE id IN (OLD.facility_id, NEW.facility_id); END",
        f"CREATE TRIGGER IF NOT EXISTS evidence_stamp_delete AFTER DELETE ON evidence BEGIN "
        f"{stamp} WHERE id = OLD.facility_id; END",
    ]
    for table in CATALOGUE_TABLES:  # SQLite triggers are per row: a catalogue load is rare
        for operation in ("INSERT", "UPDATE", "DELETE"):
            ddl.append(f"CREATE TRIGGER IF NOT EXISTS {table}_stamp_{operation.lower()} AFTER "
                       f"{operation} ON {table} BEGIN {stamp}; END")
    return ddl


def _postgres_ddl() -> list[str]:
    stamp = f"UPDATE facility SET equivalence_stamp = {_POSTGRES_STAMP}"
    ddl = [
        # Per statement, with the changed rows as a table: a bulk import stamps each facility once.
        "CREATE OR REPLACE FUNCTION parity_stamp_evidence() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        # A bulk writer stamping once itself (`stamped_once`), in this transaction only.
        f"IF current_setting('{DEFERRED}', true) = 'on' THEN RETURN NULL; END IF; "
        f"IF TG_OP <> 'DELETE' THEN {stamp} WHERE id IN (SELECT facility_id FROM new_rows); END IF; "
        f"IF TG_OP <> 'INSERT' THEN {stamp} WHERE id IN (SELECT facility_id FROM old_rows); END IF; "
        "RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION parity_stamp_every_facility() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {stamp}; RETURN NULL; END $$",
    ]
    transitions = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                   "DELETE": "OLD TABLE AS old_rows"}
    for operation, referencing in transitions.items():
        name = f"evidence_stamp_{operation.lower()}"
        ddl.append(f"DROP TRIGGER IF EXISTS {name} ON evidence")
        ddl.append(f"CREATE TRIGGER {name} AFTER {operation} ON evidence REFERENCING {referencing} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION parity_stamp_evidence()")
    for table in CATALOGUE_TABLES:
        name = f"{table}_stamp"
        ddl.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        ddl.append(f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION parity_stamp_every_facility()")
    return ddl


@contextmanager
def stamped_once(connection: Connection, facility_ids: Iterable[int]) -> Iterator[None]:
    """Write evidence in the block without the per-statement stamp, then give each of
    `facility_ids` one new stamp in a single UPDATE, in the same transaction. The caller
    names every facility whose evidence the block changed (a facility created in the same
    transaction may be left out: nobody can have remembered a verdict under its stamp yet).
    SQLite's triggers stay as they are: it keeps no dead row versions."""
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.exec_driver_sql(f"SELECT set_config('{DEFERRED}', 'on', true)")
    yield  # an error leaves the transaction to be rolled back, and the setting with it
    connection.exec_driver_sql(f"SELECT set_config('{DEFERRED}', 'off', true)")
    ids = sorted(set(facility_ids))
    if ids:
        connection.exec_driver_sql(
            f"UPDATE facility SET equivalence_stamp = {_POSTGRES_STAMP} WHERE id = ANY(%s)", (ids,))


def install_triggers(connection: Connection) -> None:
    """Create (or re-create) the triggers; the tables must exist."""
    ddl = _postgres_ddl() if connection.dialect.name == "postgresql" else _sqlite_ddl()
    for statement in ddl:
        connection.exec_driver_sql(statement)


def install_with(metadata) -> None:
    """Install the triggers whenever `metadata.create_all` creates the facility table (the tests
    and the benchmarks build their databases that way; migrations call `install_triggers`)."""

    @event.listens_for(metadata, "after_create")
    def _after_create(target, connection, tables=(), **_kw):
        names = {t.name for t in tables} if tables else set(target.tables)
        if "facility" in names or "evidence" in names:
            install_triggers(connection)
