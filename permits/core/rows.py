"""A new row written as one Core INSERT ... RETURNING its id, the object then attached to the
session as persistent, as a flush leaves it, without the unit of work's bookkeeping (the
decision path writes a permit, a decision and a consent request this way)."""
from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session, make_transient_to_detached

_INSERTS: dict[object, object] = {}


def insert_row(session: Session, instance) -> None:
    """INSERT `instance` (a new, transient model object with its values set) in the session's
    transaction, set its primary key, and make it a persistent object of `session`."""
    table = type(instance).__table__
    (key,) = table.primary_key.columns
    statement = _INSERTS.get(table)
    if statement is None:  # built once per table: building costs more than running it
        statement = _INSERTS[table] = insert(table).returning(key)
    session.flush()  # what is pending goes first, as a flush would order it
    values = {column.name: getattr(instance, column.name) for column in table.columns
              if column is not key}
    setattr(instance, key.name, session.connection().execute(statement, values).scalar_one())
    make_transient_to_detached(instance)  # every attribute loaded, none expired
    session.add(instance)
