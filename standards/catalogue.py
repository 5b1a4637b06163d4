"""The catalogue of U.S. reference standards: loading the packaged data, versions, what is in force."""
from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import literal_column, union_all
from sqlalchemy import select as select_columns
from sqlmodel import Session, select

from standards import codes as code_lists
from standards.errors import CatalogueError, UnknownStandard, ValidationFailed
from standards.messages import N_, Message
from standards.models import OperationCode, Standard, TreatyAccession, WasteCode
from standards.processes import Process, applies_to_processes, parse_processes
from standards.units import DISPLAY_UNITS, UnknownUnit, to_canonical
from standards.vocabulary import COUNTRIES

__all__ = [
    "CATALOGUE_FILE",
    "add_version",
    "catalogue_version",
    "get_standard",
    "load_catalogue",
    "load_catalogue_changes",
    "parse_catalogue",
    "standards_in_force",
    "treaty_accessions",
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


@dataclass(frozen=True)
class Parsed:
    """A catalogue file, checked: its label, its standard rows, their accessions, its processes."""

    version: str
    standards: tuple[dict[str, Any], ...]
    # (code, version) -> the accession rows of that entry (country, joined_on, source)
    accessions: dict[tuple[str, int], tuple[dict[str, Any], ...]]
    processes: tuple[Process, ...]


@functools.cache
def _packaged() -> Parsed:
    raw = json.loads(resources.files("standards.data").joinpath(CATALOGUE_FILE).read_text("utf-8"))
    return parse_catalogue(raw)


def parse_catalogue(raw: dict[str, Any]) -> Parsed:
    """Check a catalogue (the packaged file's content, or a test's own); raises CatalogueError."""
    processes = parse_processes(raw.get("processes"))
    known = {p.code for p in processes}
    rows, accessions, seen = [], {}, set()
    for entry in raw["standards"]:
        row = _standard_row(entry, known)
        key = (row["code"], row["version"])
        if key in seen:
            raise CatalogueError(f"{row['code']} version {row['version']} appears twice")
        seen.add(key)
        rows.append(row)
        accessions[key] = tuple(_accession_rows(entry))
    return Parsed(str(raw.get("catalogue_version", "")), tuple(rows), accessions, processes)


def _standard_row(entry: dict[str, Any], processes: set[str] | frozenset[str] = frozenset()
                  ) -> dict[str, Any]:
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
    governs = entry.get("processes") or []
    if not isinstance(governs, list) or not all(isinstance(p, str) for p in governs):
        raise bad("processes", "must be a list of process codes")
    unknown = sorted(set(governs) - set(processes))
    if unknown:
        raise bad("processes", f"names processes the catalogue does not define: {', '.join(unknown)}")
    if not isinstance(entry.get("unconfirmed", False), bool):
        raise bad("unconfirmed", "must be true or false")
    evidence = entry.get("evidence_required")
    if evidence is not None and not (isinstance(evidence, str) and evidence.strip()):
        raise bad("evidence_required", "must name the evidence in words")
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
        "processes": list(governs),
        "unconfirmed": bool(entry.get("unconfirmed", False)),
        "evidence_required": evidence.strip() if evidence else None,
    }


def _accession_rows(entry: dict[str, Any]) -> list[dict[str, Any]]:
    # The format: "accessions": {"US": null, "MX": "1991-02-22", "CA": {"joined_on":
    # "1992-08-28", "source": "UN Treaty Collection, status of XXVII-3"}} - each of the three
    # countries listed (null: has not joined), a date or an object with the date and where it
    # was read. The two-of-three rule (`_apply_treaty_rule`) reads these dates: a treaty joined
    # by MX and CA but not the US binds from the later of their two dates.
    accessions = entry.get("accessions")
    if entry["source"] != "treaty":
        if accessions:
            raise CatalogueError(f"catalogue entry {entry['code']}: only a treaty has accessions")
        return []
    if not isinstance(accessions, dict) or set(accessions) != set(COUNTRIES):
        raise CatalogueError(
            f"catalogue entry {entry['code']}: a treaty lists the accession of each of {COUNTRIES}"
            " (a date, or null when the country has not joined)"
        )
    rows = []
    for country in COUNTRIES:
        given = accessions[country]
        joined, source = (given.get("joined_on"), given.get("source")) if isinstance(given, dict) \
            else (given, None)
        try:
            day = None if joined is None else date.fromisoformat(joined)
        except (TypeError, ValueError):
            raise CatalogueError(f"catalogue entry {entry['code']}: accession of {country} "
                                 f"must be a date (YYYY-MM-DD) or null") from None
        rows.append({"country": country, "joined_on": day,
                     "source": str(source).strip() if source else None})
    return rows


def catalogue_version() -> str:
    """The version label of the packaged catalogue file."""
    return _packaged().version


# ---- loading ----------------------------------------------------------------------------------

# What makes two versions the same entry: everything but the version numbers.
_CONTENT = ("title", "pollutant", "medium", "category", "value", "unit", "basis", "direction",
            "exclusive", "shift_adjusted", "computed_from", "reference_conditions", "applies_to",
            "citation", "source", "effective_from", "freshness_months", "note", "processes",
            "unconfirmed", "evidence_required")


@dataclass
class Loaded:
    """What one load wrote: each new standard version (`changed` when it replaces a stored
    version of the same entry rather than being its first), and the other rows' count."""

    new: list[Standard] = dataclass_field(default_factory=list)
    changed: list[tuple[Standard, Standard]] = dataclass_field(default_factory=list)  # (previous, new)
    other_rows: int = 0
    # Waste codes whose description, citation or byproducts changed: (code, before, after).
    codes_changed: list[tuple[str, dict, dict]] = dataclass_field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.new) + len(self.changed) + self.other_rows + len(self.codes_changed)


def load_catalogue(session: Session, catalogue: dict[str, Any] | None = None) -> int:
    """Load the packaged catalogue (or `catalogue`, parsed JSON); flush; the rows written.

    See `load_catalogue_changes`."""
    return load_catalogue_changes(session, catalogue).count


def load_catalogue_changes(session: Session, catalogue: dict[str, Any] | None = None) -> Loaded:
    """Insert every standard version, accession and code not stored yet; flush.

    A stored version is never edited. An entry whose content differs from what was loaded from
    it last (a value, a unit, a citation, its processes, an accession date, ...) is written as a
    NEW version, numbered after the newest stored one, effective from the entry's
    `effective_from`; the highest version in effect on a day is the one in force, so decisions
    made earlier keep the version they recorded. Loading twice writes nothing.
    """
    parsed = _packaged() if catalogue is None else parse_catalogue(catalogue)
    waste_codes, operation_codes = code_lists.packaged_codes()
    codes = {r["code"] for r in parsed.standards}
    stored = _stored_versions(session, codes)
    accessions = _stored_accessions(session, codes)
    result = Loaded()
    taken = {code: {s.version for s in rows} for code, rows in stored.items()}
    for row in parsed.standards:
        code, version = row["code"], row["version"]
        entry_accessions = parsed.accessions[(code, version)]
        loads = [s for s in stored.get(code, ()) if s.entry_version == version]
        last = max(loads, key=lambda s: s.version, default=None)
        if last is not None and _content(last, accessions) == _content_of(row, entry_accessions):
            continue
        numbers = taken.setdefault(code, set())
        number = version if version not in numbers else max(numbers) + 1
        numbers.add(number)
        standard = Standard(**{**row, "version": number, "entry_version": version})
        session.add(standard)
        for accession in entry_accessions:
            session.add(TreatyAccession(standard_code=code, standard_version=number, **accession))
        if last is None:
            result.new.append(standard)
        else:
            result.changed.append((last, standard))
    stored_codes = _stored_code_keys(session)
    new_waste = [r for r in waste_codes if ("w", r["code"]) not in stored_codes]
    new_operations = [r for r in operation_codes if ("o", r["code"]) not in stored_codes]
    for model, rows in ((WasteCode, new_waste), (OperationCode, new_operations)):
        if rows:
            columns = set(model.__table__.columns.keys())
            session.execute(model.__table__.insert(),
                            [{k: v for k, v in r.items() if k in columns} for r in rows])
    result.codes_changed = _update_waste_codes(session, waste_codes, stored_codes)
    result.other_rows = len(new_waste) + len(new_operations) + sum(
        len(parsed.accessions[(s.code, s.entry_version)]) for s in
        [*result.new, *(new for _, new in result.changed)])
    session.flush()
    return result


_WASTE_FIELDS = ("system", "description", "byproducts", "citation")


def _update_waste_codes(session: Session, packaged, stored_codes) -> list[tuple[str, dict, dict]]:
    # The code list is vocabulary, not a dated rule: a corrected mapping (A1160 is no smelter
    # dust) replaces the row's words, and the caller audits the before and after.
    known = [r for r in packaged if ("w", r["code"]) in stored_codes]
    if not known:
        return []
    rows = {w.code: w for w in session.exec(
        select(WasteCode).where(WasteCode.code.in_([r["code"] for r in known])))}
    changed = []
    for entry in known:
        row = rows[entry["code"]]
        before = {f: getattr(row, f) for f in _WASTE_FIELDS}
        after = {f: entry.get(f, "" if f == "citation" else None) for f in _WASTE_FIELDS}
        if before != after:
            for name, value in after.items():
                setattr(row, name, value)
            session.add(row)
            changed.append((entry["code"], before, after))
    return changed


def _stored_versions(session: Session, codes: set[str]) -> dict[str, list[Standard]]:
    found: dict[str, list[Standard]] = {}
    for row in session.exec(select(Standard).where(Standard.code.in_(sorted(codes)))):
        found.setdefault(row.code, []).append(row)
    return found


def _stored_accessions(session: Session, codes: set[str]) -> dict[str, dict[int, list[TreatyAccession]]]:
    found: dict[str, dict[int, list[TreatyAccession]]] = {}
    for row in session.exec(select(TreatyAccession).where(TreatyAccession.standard_code.in_(sorted(codes)))):
        found.setdefault(row.standard_code, {}).setdefault(row.standard_version, []).append(row)
    return found


def _accessions_of(by_version: dict[int, list], version: int) -> list:
    """The accession rows a version reads: its own, else those of the newest earlier version."""
    earlier = [v for v in by_version if v <= version]
    return by_version[max(earlier)] if earlier else []


def _content_of(row: dict[str, Any], accessions) -> str:
    body = {name: row[name] for name in _CONTENT}
    body["accessions"] = sorted((a["country"], a["joined_on"], a["source"]) for a in accessions)
    return json.dumps(body, sort_keys=True, default=_plain)


def _content(standard: Standard, accessions: dict[str, dict[int, list[TreatyAccession]]]) -> str:
    body = {name: getattr(standard, name) for name in _CONTENT}
    body["value"] = None if body["value"] is None else float(body["value"])
    body["processes"] = list(body["processes"] or [])
    body["unconfirmed"] = bool(body["unconfirmed"])
    rows = _accessions_of(accessions.get(standard.code, {}), standard.version)
    body["accessions"] = sorted((a.country, a.joined_on, a.source) for a in rows)
    return json.dumps(body, sort_keys=True, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _stored_code_keys(session: Session) -> set[tuple[str, str]]:
    query = union_all(
        select_columns(literal_column("'w'"), WasteCode.code),
        select_columns(literal_column("'o'"), OperationCode.code),
    )
    return {tuple(row) for row in session.execute(query)}


# ---- what is in force -------------------------------------------------------------------------


def standards_in_force(session: Session, on: date, byproduct: str | None = None, *,
                       processes: Iterable[str] | None = None) -> list[Standard]:
    """For each code, its newest version effective on `on`, treaty rule applied, sorted by code.

    With `byproduct`, only the standards that apply to it; with `processes` (a facility's), only
    those governing one of them or naming no process (they govern every process).
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
    if processes is not None:
        wanted = list(processes)
        in_force = [s for s in in_force if applies_to_processes(s.processes, wanted)]
    return in_force


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
    by_code: dict[str, dict[int, list[TreatyAccession]]] = {}
    for accession in session.exec(
        select(TreatyAccession).where(TreatyAccession.standard_code.in_(treaty_codes))
    ):
        by_code.setdefault(accession.standard_code, {}).setdefault(
            accession.standard_version, []).append(accession)
    binding = {}
    for s in standards:
        if s.source == "treaty":
            dates = [a.joined_on for a in _accessions_of(by_code.get(s.code, {}), s.version)]
            binding[s.code] = treaty_binding_from(dates)
    return [s for s in standards if s.source != "treaty"
            or (binding[s.code] is not None and binding[s.code] <= on)]


def treaty_accessions(session: Session, standard: Standard) -> list[TreatyAccession]:
    """The accession rows `standard` (one version of a treaty standard) is judged by."""
    by_version: dict[int, list[TreatyAccession]] = {}
    for accession in session.exec(
        select(TreatyAccession).where(TreatyAccession.standard_code == standard.code)
    ):
        by_version.setdefault(accession.standard_version, []).append(accession)
    return _accessions_of(by_version, standard.version)


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
        raise unknown_standard(code)
    errors: dict[str, list[str]] = {}
    if not isinstance(citation, str) or not citation.strip():
        errors["citation"] = [Message.of("catalogue.citation_required", N_(
            "is required: no value enters the catalogue without its citation"))]
    if not isinstance(effective_from, date):
        errors["effective_from"] = [Message.of("catalogue.date", N_("must be a date"))]
    elif effective_from <= current.effective_from:
        errors["effective_from"] = [Message.of("catalogue.after_current", N_(
            "must be after %(date)s, when version %(version)s took effect"),
            date=current.effective_from.isoformat(), version=current.version)]
    if freshness_months is not None and (not isinstance(freshness_months, int) or freshness_months < 1):
        errors["freshness_months"] = [Message.of("catalogue.freshness", N_(
            "must be a whole number of months, at least 1"))]
    stored_value = _canonical_value(current, value, unit, errors)
    if errors:
        raise ValidationFailed(Message.of("catalogue.cannot_add_version", N_("Cannot add a version of %(standard)s."),
                                          standard=code), fields=errors,
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
        processes=list(current.processes or []),
        unconfirmed=current.unconfirmed,
        evidence_required=current.evidence_required,
    )
    session.add(version)
    session.flush()
    return version


def _canonical_value(current: Standard, value, unit, errors: dict[str, list[str]]) -> float | None:
    if current.direction == "required":
        if value is not True:
            errors["value"] = [Message.of("catalogue.practice_true", N_("a required practice takes true"))]
        if unit is not None:
            errors["unit"] = [Message.of("catalogue.practice_unit", N_("a required practice has no unit"))]
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors["value"] = [Message.of("field.finite", N_("must be a finite number"))]
        return None
    if not unit:
        errors["unit"] = [Message.of("catalogue.unit_required", N_(
            "is required (the standard is stated in %(unit)s)"), unit=current.unit)]
        return None
    try:
        converted = to_canonical(float(value), unit, current.unit)
    except UnknownUnit as exc:
        errors["unit"] = [str(exc)]
        return None
    if not math.isfinite(converted):  # 1e308 g/m³ is no float in µg/m³ (and no JSON number)
        errors["value"] = [Message.of("catalogue.too_large", N_("is too large to express in %(unit)s"),
                                      unit=current.unit)]
        return None
    return converted


def unknown_standard(code: str) -> UnknownStandard:
    return UnknownStandard(
        Message.of("catalogue.unknown_standard", N_("No standard has the code %(standard)s."),
                   standard=repr(code)),
        fields={"code": [Message.of("catalogue.unknown_standard_field", N_("unknown standard"))]})
