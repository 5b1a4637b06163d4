"""SQL pieces the reports share: JSON arrays as rows, on SQLite and PostgreSQL alike."""
from __future__ import annotations

from sqlalchemy import String, cast, func, literal_column
from sqlmodel import Session


def json_elements(session: Session, column, *fields: str):
    """A table-valued function over the JSON array in `column`, and a text column per field.

    SQLite spells it `json_each(...)` with `json_extract`; PostgreSQL `json_array_elements`
    with `->>`. Both run inside the database, so counting the checks of a month's decisions
    never loads the decisions into Python.
    """
    if session.get_bind().dialect.name == "postgresql":
        elements = func.json_array_elements(column).table_valued("value").lateral()
        return elements, [elements.c.value.op("->>")(_literal(name)) for name in fields]
    elements = func.json_each(column).table_valued("value")
    return elements, [cast(func.json_extract(elements.c.value, _literal(f"$.{name}")), String)
                      for name in fields]


def _literal(text: str):
    # Inline, not a bound parameter: PostgreSQL only sees that a GROUP BY expression is the
    # one selected when both are spelled the same, and two parameters are two spellings.
    if not text.replace("$.", "").replace("_", "").isalnum():
        raise ValueError(f"not a JSON field name: {text!r}")
    return literal_column(f"'{text}'")


def median(values: list[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2
