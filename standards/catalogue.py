"""The catalogue of U.S. reference standards: loading the packaged data, versions, what is in force."""
from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Iterable
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import String, bindparam, cast, literal_column, union_all
from sqlalchemy import select as select_columns
from sqlmodel import Session, select

from standards import codes as code_lists
from standards.errors import CatalogueError, UnknownStandard, ValidationFailed
from standards.models import OperationCode, Standard, TreatyAccession, WasteCode
from standards.units import DISPLAY_UNITS, UnknownUnit, to_canonical
from standards.vocabulary import COUNTRIES

__all__ = [
    "CATALOGUE_FILE",
    "add_version",
    "catalogue_version",
    "get_standard",
    "load_catalogue",
    "standards_in_force",
    "standards_version",
]

CATALOGUE_FILE = "catalogue.json"
DIRECTIONS = frozenset({"max", "min", "required"})
SOURCES = frozenset({"us_federal", "treaty"})
CATEGORIES = frozenset({"occupational", "environmental", "residue"})
MEDIA = frozenset(
    {"workplace_air", "ambient_air", "stack_gas", "blood", "leachate", "wastewater", "practice"}
)
# A treaty binds the three countries once this many of them have joined it.
TREATY_QUORUM = 2


# ---- the packaged data, read and checked once per process -------------------------------------


@functools.cache
def _catalogue() -> tuple[str, tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    raw = json.loads(resources.files("standards.data").joinpath(CATALOGUE_FILE).read_text("utf-8"))
    rows, accessions, seen = [], [], set()
    for entry in raw["standards"]:
        row = _standard_row(entry)
        key = (row["code"], row["version"])
        if key in seen:
            raise CatalogueError(f"{row['code']} version {row['version']} appears twice")
        seen.add(key)
        rows.append(row)
        accessions.extend(_accession_rows(entry))
    return raw["catalogue_version"], tuple(rows), tuple(accessions)


def _standard_row(entry: dict[str, Any]) -> dict[str, Any]:
    code = entry.get("code", "?")

    def bad(field: str, problem: str) -> CatalogueError:
        return CatalogueError(f"catalogue entry {code}: {field} {problem}", fields={field: [problem]})

    if not str(entry.get("citation") or "").strip():
        raise bad("citation", "is missing: no value enters the catalogue without its citation")
    for field, allowed in (("direction", DIRECTIONS), ("source", SOURCES),
                           ("category", CATEGORIES), ("medium", MEDIA)):
        if entry.get(field) not in allowed:
            raise bad(field, f"must be one of {', '.join(sorted(allowed))}")
    value, unit = entry.get("value"), entry.get("unit")
    if entry["direction"] == "required":
        if value is not True or unit is not None:
            raise bad("value", "of a required practice must be true, with no unit")
        value = None  # stored as NULL: "in place" is the only acceptable answer
    else:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise bad("value", "must be a finite number")
        if unit not in DISPLAY_UNITS:  # checked without pint: loading must not build a registry
            raise bad("unit", f"must be one of the display spellings {', '.join(DISPLAY_UNITS)}")
    return {
        "code": code,
        "version": int(entry["version"]),
        "title": entry["title"],
        "pollutant": entry["pollutant"],
        "medium": entry["medium"],
        "category": entry["category"],
        "value": None if value is None else float(value),
        "unit": unit,
        "basis": entry["basis"],
        "direction": entry["direction"],
        "exclusive": bool(entry.get("exclusive", False)),
        "shift_adjusted": bool(entry.get("shift_adjusted", False)),
        "computed_from": entry.get("computed_from"),
        "reference_conditions": entry.get("reference_conditions"),
        "applies_to": list(entry["applies_to"]),
        "citation": entry["citation"].strip(),
        "source": entry["source"],
        "effective_from": date.fromisoformat(entry["effective_from"]),
        "freshness_months": int(entry.get("freshness_months", 12)),
        "note": entry.get("note"),
    }


def _accession_rows(entry: dict[str, Any]) -> list[dict[str, Any]]:
    accessions = entry.get("accessions")
    if entry["source"] != "treaty":
        if accessions:
            raise CatalogueError(f"catalogue entry {entry['code']}: only a treaty has accessions")
        return []
    if not accessions or set(accessions) != set(COUNTRIES):
        raise CatalogueError(
            f"catalogue entry {entry['code']}: a treaty lists the accession of each of {COUNTRIES}"
        )
    return [
        {"standard_code": entry["code"], "country": country,
         "joined_on": None if joined is None else date.fromisoformat(joined)}
        for country, joined in accessions.items()
    ]


def catalogue_version() -> str:
    """The version label of the packaged catalogue file."""
    return _catalogue()[0]


# ---- loading ----------------------------------------------------------------------------------


def load_catalogue(session: Session) -> int:
    """Insert every packaged standard version, accession and code not stored yet; flush.

    A stored (code, version) is never overwritten: a changed value is a new version. Loading twice
    inserts nothing. Returns the number of rows inserted.
    """
    _, standards, accessions = _catalogue()
    waste_codes, operation_codes = code_lists.packaged_codes()
    stored = _stored_keys(session)
    new_standards = [r for r in standards if ("s", r["code"], str(r["version"])) not in stored]
    new_accessions = [
        r for r in accessions if ("t", r["standard_code"], r["country"]) not in stored
    ]
    new_waste = [r for r in waste_codes if ("w", r["code"], "") not in stored]
    new_operations = [r for r in operation_codes if ("o", r["code"], "") not in stored]
    for model, rows in ((Standard, new_standards), (TreatyAccession, new_accessions),
                        (WasteCode, new_waste), (OperationCode, new_operations)):
        if rows:
            session.execute(model.__table__.insert(), [dict(r) for r in rows])
    session.flush()
    return len(new_standards) + len(new_accessions) + len(new_waste) + len(new_operations)


def _stored_keys(session: Session) -> set[tuple[str, str, str]]:
    # One round trip for all four tables: this runs before every test and at every start.
    empty = literal_column("''")
    query = union_all(
        select_columns(literal_column("'s'"), Standard.code, cast(Standard.version, String)),
        select_columns(literal_column("'t'"), TreatyAccession.standard_code, TreatyAccession.country),
        select_columns(literal_column("'w'"), WasteCode.code, empty),
        select_columns(literal_column("'o'"), OperationCode.code, empty),
    )
    return {tuple(row) for row in session.execute(query)}


# ---- what is in force -------------------------------------------------------------------------


def standards_in_force(session: Session, on: date, byproduct: str | None = None) -> list[Standard]:
    """For each code, its newest version effective on `on`, treaty rule applied, sorted by code.

    With `byproduct`, only the standards that apply to it.
    """
    rows = session.exec(
        select(Standard).where(Standard.effective_from <= on).order_by(Standard.code, Standard.version)
    ).all()
    newest: dict[str, Standard] = {}
    for row in rows:
        newest[row.code] = row  # ordered by version, so the last one wins
    in_force = _apply_treaty_rule(session, list(newest.values()), on)
    if byproduct is not None:
        in_force = [s for s in in_force if byproduct in s.applies_to]
    return in_force


@functools.cache
def _rows_in_force():
    # Built once (a shipment's equivalence check asks on every load): every version of the named
    # codes effective by the day, as plain rows.
    table = Standard.__table__
    return (select_columns(table).where(table.c.effective_from <= bindparam("on"),
                                        table.c.code.in_(bindparam("codes", expanding=True)))
            .order_by(table.c.code, table.c.version))


def rows_in_force(session: Session, on: date, byproduct: str, codes: Iterable[str]) -> list:
    """`standards_in_force(session, on, byproduct)` narrowed to `codes`, as plain read-only rows
    (attributes as on a Standard) rather than ORM objects: for checks that only read them."""
    codes = sorted(set(codes))
    if not codes:
        return []
    newest: dict[str, Any] = {}
    for row in session.connection().execute(_rows_in_force(), {"on": on, "codes": codes}):
        newest[row.code] = row  # ordered by version, so the last one wins
    return [s for s in _apply_treaty_rule(session, list(newest.values()), on)
            if byproduct in s.applies_to]


def get_standard(session: Session, code: str, on: date) -> Standard | None:
    """The version of `code` in force on `on`, or None (unknown, not yet effective, treaty not binding)."""
    row = session.exec(
        select(Standard)
        .where(Standard.code == code, Standard.effective_from <= on)
        .order_by(Standard.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return row if _apply_treaty_rule(session, [row], on) else None


def _apply_treaty_rule(session: Session, standards: list[Standard], on: date) -> list[Standard]:
    treaty_codes = [s.code for s in standards if s.source == "treaty"]
    if not treaty_codes:
        return standards
    joined: dict[str, list[date]] = {code: [] for code in treaty_codes}
    for accession in session.exec(
        select(TreatyAccession).where(TreatyAccession.standard_code.in_(treaty_codes))
    ):
        if accession.joined_on is not None and accession.joined_on <= on:
            joined[accession.standard_code].append(accession.joined_on)
    return [s for s in standards if s.source != "treaty" or len(joined[s.code]) >= TREATY_QUORUM]


def treaty_binding_from(accessions: Iterable[date | None]) -> date | None:
    """The day a treaty binds: when the second of the three countries joined (None: not yet)."""
    dates = sorted(d for d in accessions if d is not None)
    return dates[TREATY_QUORUM - 1] if len(dates) >= TREATY_QUORUM else None


def standards_version(standards: Iterable[Standard]) -> str:
    """A stable label for the exact set of standard versions a decision used (order-insensitive)."""
    keys = sorted(f"{s.code}@{s.version}" for s in standards)
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()
    return f"std-{digest[:16]}"


# ---- new versions -----------------------------------------------------------------------------


def add_version(
    session: Session,
    *,
    code: str,
    value: float | bool,
    unit: str | None,
    effective_from: date,
    citation: str,
    note: str | None = None,
    title: str | None = None,
    freshness_months: int | None = None,
    applies_to: list[str] | None = None,
) -> Standard:
    """Record a new value for `code` as version n+1, effective from `effective_from`; flush.

    The value may be given in any unit convertible to the standard's canonical unit; it is stored
    converted. Basis, direction and medium stay those of the current version: a different basis is
    a different standard.
    """
    current = session.exec(
        select(Standard).where(Standard.code == code).order_by(Standard.version.desc()).limit(1)
    ).first()
    if current is None:
        raise UnknownStandard(f"No standard has the code {code!r}.", fields={"code": ["unknown standard"]})
    errors: dict[str, list[str]] = {}
    if not isinstance(citation, str) or not citation.strip():
        errors["citation"] = ["is required: no value enters the catalogue without its citation"]
    if not isinstance(effective_from, date):
        errors["effective_from"] = ["must be a date"]
    elif effective_from <= current.effective_from:
        errors["effective_from"] = [
            f"must be after {current.effective_from.isoformat()}, when version {current.version} took effect"
        ]
    if freshness_months is not None and (not isinstance(freshness_months, int) or freshness_months < 1):
        errors["freshness_months"] = ["must be a whole number of months, at least 1"]
    stored_value = _canonical_value(current, value, unit, errors)
    if errors:
        raise ValidationFailed(f"Cannot add a version of {code}.", fields=errors,
                               code="unknown_unit" if set(errors) == {"unit"} else None)
    version = Standard(
        code=current.code,
        version=current.version + 1,
        title=title or current.title,
        pollutant=current.pollutant,
        medium=current.medium,
        category=current.category,
        value=stored_value,
        unit=current.unit,
        basis=current.basis,
        direction=current.direction,
        exclusive=current.exclusive,
        shift_adjusted=current.shift_adjusted,
        computed_from=current.computed_from,
        reference_conditions=current.reference_conditions,
        applies_to=list(applies_to if applies_to is not None else current.applies_to),
        citation=citation.strip(),
        source=current.source,
        effective_from=effective_from,
        freshness_months=freshness_months or current.freshness_months,
        note=note,
    )
    session.add(version)
    session.flush()
    return version


def _canonical_value(current: Standard, value, unit, errors: dict[str, list[str]]) -> float | None:
    if current.direction == "required":
        if value is not True:
            errors["value"] = ["a required practice takes true"]
        if unit is not None:
            errors["unit"] = ["a required practice has no unit"]
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors["value"] = ["must be a finite number"]
        return None
    if not unit:
        errors["unit"] = [f"is required (the standard is stated in {current.unit})"]
        return None
    try:
        converted = to_canonical(float(value), unit, current.unit)
    except UnknownUnit as exc:
        errors["unit"] = [str(exc)]
        return None
    if not math.isfinite(converted):  # 1e308 g/m³ is no float in µg/m³ (and no JSON number)
        errors["value"] = [f"is too large to express in {current.unit}"]
        return None
    return converted
