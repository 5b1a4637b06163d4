"""A database's rows kept aside once and put back in later tests, instead of building them again.

Building some worlds costs seconds (the demo seed is ~17 s of CPU: hundreds of evidence entries
each refreshing standings and re-checking permits), and several tests start from the same one.
`Snapshot.take` copies every table, as stored, next to the test database (an attached SQLite
file, or a PostgreSQL schema of its own) with the id counters; `Snapshot.restore` puts the same
rows back into the emptied tables in one transaction: the same ids, values and audit chain as
the build left them, in milliseconds.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel


def _tables():
    return SQLModel.metadata.sorted_tables  # parents before children


def _columns(table) -> str:
    return ", ".join(f'"{c.name}"' for c in table.columns)


def _serial_tables(tables) -> list[str]:
    return [t.name for t in tables if "id" in t.c and t.c.id.primary_key
            and t.c.id.autoincrement in (True, "auto")]


class Snapshot:
    def __init__(self, engine: Engine, name: str):
        self.engine = engine
        self.name = name
        self.postgres = engine.dialect.name == "postgresql"
        self._sequences: dict[str, tuple[int, bool]] = {}
        self._schema = self._file = None

    # --- taking -------------------------------------------------------------------------------
    def take(self) -> Snapshot:
        if self.postgres:
            self._take_postgres()
        else:
            self._take_sqlite()
        return self

    def _take_sqlite(self) -> None:
        database = self.engine.url.database
        self._file = f"{database}.{self.name}.snapshot"
        if os.path.exists(self._file):
            os.remove(self._file)
        source = self.engine.raw_connection()
        try:
            target = sqlite3.connect(self._file)
            try:
                source.driver_connection.backup(target)  # the whole file, sqlite_sequence too
            finally:
                target.close()
        finally:
            source.close()

    def _take_postgres(self) -> None:
        with self.engine.begin() as conn:
            current = conn.execute(text("SELECT current_schema()")).scalar_one()
            self._schema = f"{current}_{self.name}"
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self._schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{self._schema}"'))
            for table in _tables():
                conn.execute(text(f'CREATE TABLE "{self._schema}"."{table.name}" AS '
                                  f'SELECT {_columns(table)} FROM "{table.name}"'))
            for name in _serial_tables(_tables()):
                row = conn.execute(text(
                    f"SELECT last_value, is_called FROM {_sequence_of(conn, name)}")).one()
                self._sequences[name] = (row.last_value, row.is_called)

    # --- restoring ----------------------------------------------------------------------------
    def restore(self) -> None:
        """Put the rows back in place of whatever the tables hold (the catalogue included, which
        the `db` fixture leaves loaded)."""
        if self.postgres:
            self._restore_postgres()
        else:
            self._restore_sqlite()

    def _restore_sqlite(self) -> None:
        raw = self.engine.raw_connection()
        try:
            conn = raw.driver_connection  # autocommit (isolation_level None), see permits.core.db
            conn.execute("ATTACH DATABASE ? AS snapshot", (self._file,))
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for table in reversed(_tables()):
                        conn.execute(f'DELETE FROM main."{table.name}"')
                    for table in _tables():
                        conn.execute(f'INSERT INTO main."{table.name}" ({_columns(table)}) '
                                     f'SELECT {_columns(table)} FROM snapshot."{table.name}"')
                    if _has_table(conn, "snapshot", "sqlite_sequence"):
                        conn.execute("DELETE FROM main.sqlite_sequence")
                        conn.execute("INSERT INTO main.sqlite_sequence (name, seq) "
                                     "SELECT name, seq FROM snapshot.sqlite_sequence")
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            finally:
                conn.execute("DETACH DATABASE snapshot")
        finally:
            raw.close()

    def _restore_postgres(self) -> None:
        with self.engine.begin() as conn:
            for table in reversed(_tables()):
                conn.execute(table.delete())
            for table in _tables():
                conn.execute(text(f'INSERT INTO "{table.name}" ({_columns(table)}) '
                                  f'SELECT {_columns(table)} FROM "{self._schema}"."{table.name}"'))
            for name, (value, called) in self._sequences.items():
                conn.execute(text(f"SELECT setval('{_sequence_of(conn, name)}', :v, :c)"),
                             {"v": value, "c": called})

    def drop(self) -> None:
        if self.postgres and self._schema:
            with self.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self._schema}" CASCADE'))
        elif self._file and os.path.exists(self._file):
            Path(self._file).unlink()


def _sequence_of(conn, table: str) -> str:
    return conn.execute(text(f"SELECT pg_get_serial_sequence('\"{table}\"', 'id')")).scalar_one()


def _has_table(conn, schema: str, name: str) -> bool:
    return conn.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type='table' AND name=?",
                        (name,)).fetchone() is not None
