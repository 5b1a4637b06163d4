"""A new row written as one INSERT ... RETURNING its id, compiled once per dialect and sent on
the DBAPI cursor (`permits.core.db.Prepared`: the columns' own conversions), the object then
attached to the session as persistent, as a flush leaves it, without the unit of work's
bookkeeping (the decision path writes a permit, a decision and a consent request this way)."""
from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session, make_transient_to_detached

from permits.core.db import Prepared, take_writer_lock

_INSERTS: dict[object, Prepared] = {}


def insert_row(session: Session, instance) -> None:
    """INSERT `instance` (a new, transient model object with every column's value set) in the
    session's transaction, set its primary key, and make it a persistent object of `session`."""
    table = type(instance).__table__
    (key,) = table.primary_key.columns
    prepared = _INSERTS.get(table)
    if prepared is None:  # built once per table: building costs more than running it
        columns = tuple(column.name for column in table.columns if column is not key)
        prepared = _INSERTS[table] = Prepared(insert(table).returning(key), keys=columns)
    session.flush()  # what is pending goes first, as a flush would order it
    connection = session.connection()
    take_writer_lock(connection)  # the DBAPI cursor passes no event that would take it
    (row,) = prepared.rows(connection, {name: getattr(instance, name) for name in prepared.keys})
    setattr(instance, key.name, row[0])
    make_transient_to_detached(instance)  # every attribute loaded, none expired
    session.add(instance)
