"""Bulk import of facilities and evidence from one CSV file (columns in the README).

Each row is a `facility` or an `evidence` record (the `record` column). A facility is known by
its national identifier (EPA ID, SEMARNAT NRA, Canadian id) or else by name and country; an
evidence row names its facility the same way, and a facility's row must come before its
evidence. Bad rows are reported with their line number and reason and the good ones are kept.
A row already in the registry (same natural key) is skipped, so importing a file twice adds
nothing. Rows are validated in Python with the same rules as the services and inserted in
batches; the database is asked once per batch, never once per row.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlmodel import Session

from facility_registry import events, standing
from facility_registry.announce import SENDER, evidence_changed
from facility_registry.equivalence_stamp import new_stamp, stamped_once
from facility_registry.evidence import clean_evidence
from facility_registry.facilities import IDENTIFIERS, clean_facility
from facility_registry.models import Evidence, Facility
from facility_registry.reference import Reference, load_reference
from standards.clock import utcnow
from standards.errors import ValidationFailed
from standards.vocabulary import OVERSEERS

BATCH = 10_000  # rows validated and inserted together
COMMIT_EVERY = 50_000  # rows per transaction: a commit is an fsync and a WAL checkpoint
# `processes`: the receiving processes, separated like `operations`; blank: derived from
# `accepts` and `operations` (as on the API).
FACILITY_COLUMNS = ("name", "country", "epa_id", "semarnat_nra", "canada_id", "address",
                    "operations", "accepts", "annual_capacity_tonnes", "processes")
EVIDENCE_COLUMNS = ("standard", "kind", "value", "unit", "basis", "observed_on", "source",
                    "comparator", "shift_hours", "subject", "instrument")
COLUMNS = ("record", *FACILITY_COLUMNS, *EVIDENCE_COLUMNS)
REQUIRED_COLUMNS = ("record", "name", "country")
# The stamp is written here: a driver-level insert skips the column's Python default, and a
# facility without one never has a verdict remembered (`equivalence_stamp`).
FACILITY_TABLE_COLUMNS = (*FACILITY_COLUMNS, "equivalence_stamp", "status", "status_changed_at",
                          "created_at")
EVIDENCE_TABLE_COLUMNS = ("facility_id", "standard_code", "kind", "value_entered", "unit_entered",
                          "value", "unit", "basis", "observed_on", "source", "comparator",
                          "shift_hours", "subject", "instrument", "entered_by_id",
                          "entered_by_role", "verified", "verified_by_id", "verified_at",
                          "created_at")


@dataclass
class ImportResult:
    added_facilities: int = 0
    added_evidence: int = 0
    skipped_duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    # Facilities added or given evidence: their standings need `eligibility.refresh_standings`.
    facility_ids: set[int] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return self.added_facilities + self.added_evidence + self.skipped_duplicates + len(self.errors)


class _Keys:
    """The natural keys already in the registry (or added earlier in this file)."""

    def __init__(self, session: Session):
        self.by_identifier: dict[tuple[str, str], int] = {}
        self.by_name: dict[tuple[str, str], int] = {}
        columns = (Facility.id, Facility.name, Facility.country, *(getattr(Facility, f) for f in IDENTIFIERS))
        for fid, name, country, *ids in session.execute(select(*columns)):
            self.add_facility(fid, name, country, dict(zip(IDENTIFIERS, ids, strict=True)))
        self.evidence: set[tuple] = set()
        self._evidence_loaded: set[int] = set()

    def add_facility(self, fid: int, name: str, country: str, identifiers: dict) -> None:
        for key, value in identifiers.items():
            if value:
                self.by_identifier[(key, value)] = fid
        self.by_name[(_fold(name), country)] = fid

    def facility_for(self, identifiers: dict, name: str | None, country: str | None) -> set[int]:
        found = {self.by_identifier[(k, v)] for k, v in identifiers.items()
                 if v and (k, v) in self.by_identifier}
        if not found and name and country:
            fid = self.by_name.get((_fold(name), country))
            if fid is not None:
                found.add(fid)
        return found

    def load_evidence(self, session: Session, facility_ids: set[int]) -> None:
        missing = sorted(facility_ids - self._evidence_loaded)
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            rows = session.execute(
                select(Evidence.facility_id, Evidence.standard_code, Evidence.kind,
                       Evidence.observed_on, Evidence.value, Evidence.source)
                .where(Evidence.facility_id.in_(chunk)))
            self.evidence.update(tuple(r) for r in rows)
        self._evidence_loaded.update(missing)


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def import_csv(target: Session | Callable[[], Session], source: str | Path | IO[str], *,
               actor_id: int | None, actor_role: str = "admin", verified: bool = False,
               progress: Callable[[int], None] | None = None, today: date | None = None) -> ImportResult:
    """Import `source` into the registry.

    `target` is a Session (rows are flushed; the caller commits) or a session factory (rows are
    committed 50,000 at a time, so a long import keeps what it has done). Evidence is
    recorded unverified unless `verified` is true and the actor is an inspector or admin.
    `progress(n)` is called after each batch with the number of rows it held.
    """
    result = ImportResult()
    today = today or utcnow().date()
    with _session_for(target) as (session, commit), _open(source) as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader, [])]
        header_error = _check_header(header)
        if header_error:
            result.errors.append((1, header_error))
            return result
        batcher = _Batcher(session, load_reference(session), _Keys(session), result,
                           actor_id=actor_id, actor_role=actor_role,
                           verified=verified and actor_role in OVERSEERS, today=today)
        pending = 0
        for batch in _batches(reader, header):
            batcher.run(batch)
            pending += len(batch)
            if pending >= COMMIT_EVERY:
                commit()
                pending = 0
            if progress:
                progress(len(batch))
        _announce(session, batcher, source, actor_id)
        commit()
    result.errors.sort()  # facility rows are taken before evidence rows within a batch
    return result


def _check_header(names: list[str]) -> str | None:
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        return f"the header lacks the column(s) {', '.join(missing)} (see the README for the columns)"
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        return f"unknown column(s) {', '.join(unknown)} (see the README for the columns)"
    return None


def _batches(reader, header: list[str]) -> Iterator[list[tuple[int, dict]]]:
    batch = []
    for values in reader:
        if not values:  # a blank line
            continue
        batch.append((reader.line_num, dict(zip(header, values, strict=False))))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _Batcher:
    def __init__(self, session, reference: Reference, keys: _Keys, result: ImportResult, *,
                 actor_id, actor_role, verified, today):
        self.session, self.reference, self.keys, self.result = session, reference, keys, result
        self.actor_id, self.actor_role, self.verified, self.today = actor_id, actor_role, verified, today
        self.verified_facilities: set[int] = set()
        self.evidence_facilities: set[int] = set()
        self._located: dict[tuple, int] = {}
        self._new_facilities: set[int] = set()

    def run(self, batch: list[tuple[int, dict]]) -> None:
        self._new_facilities = set()  # made by this batch, in the current transaction
        kinds: dict[str, list] = {"facility": [], "evidence": []}
        for line, row in batch:
            rows = kinds.get((row.get("record") or "").strip())
            if rows is None:
                self.result.errors.append((line, "record: must be facility or evidence"))
            else:
                rows.append((line, row))
        self._facilities(kinds["facility"])
        self._evidence(kinds["evidence"])

    def _facilities(self, rows) -> None:
        new: list[tuple[int, dict]] = []
        for line, row in rows:
            try:
                clean = clean_facility({c: row.get(c) for c in FACILITY_COLUMNS}, self.reference)
            except ValidationFailed as exc:
                self.result.errors.append((line, _sentence(exc)))
                continue
            matches = self.keys.facility_for({k: clean[k] for k in IDENTIFIERS}, clean["name"],
                                             clean["country"])
            if len(matches) > 1:
                self.result.errors.append((line, "its identifiers belong to different facilities "
                                                 f"({', '.join(map(str, sorted(matches)))})"))
            elif matches:
                self.result.skipped_duplicates += 1
            else:
                # Reserve the keys now so that a repeat later in this batch is a duplicate.
                self.keys.add_facility(-line, clean["name"], clean["country"],
                                       {k: clean[k] for k in IDENTIFIERS})
                new.append((line, clean))
        if not new:
            return
        now = utcnow()
        before = self.session.execute(select(func.max(Facility.id))).scalar() or 0
        _insert_many(self.session, Facility.__table__, FACILITY_TABLE_COLUMNS, [
            (*(clean[c] for c in FACILITY_COLUMNS), new_stamp(), "active", now, now)
            for _line, clean in new], same_tail=3)
        # A plain executemany (RETURNING would go row by row on SQLite); the new rows are
        # found again by the natural keys that were just checked to be free.
        columns = (Facility.id, Facility.name, Facility.country,
                   *(getattr(Facility, f) for f in IDENTIFIERS))
        for fid, name, country, *ids in self.session.execute(select(*columns).where(Facility.id > before)):
            self.keys.add_facility(fid, name, country, dict(zip(IDENTIFIERS, ids, strict=True)))
            self.result.facility_ids.add(fid)
            self._new_facilities.add(fid)
        self.result.added_facilities += len(new)

    def _evidence(self, rows) -> None:
        located = []
        for line, row in rows:
            fid = self._facility_of(row)
            if isinstance(fid, str):
                self.result.errors.append((line, f"facility: {fid}"))
            else:
                located.append((line, row, fid))
        self.keys.load_evidence(self.session, {fid for _l, _r, fid in located})
        now, values, seen = utcnow(), [], self.keys.evidence
        verified, actor_id = self.verified, self.actor_id
        constant = (self.actor_id, self.actor_role, verified, actor_id if verified else None,
                    now if verified else None, now)
        for line, row, fid in located:
            try:
                clean = clean_evidence(row, self.reference, today=self.today)
            except ValidationFailed as exc:
                self.result.errors.append((line, _sentence(exc)))
                continue
            key = (fid, clean.standard_code, clean.kind, clean.observed_on, clean.value, clean.source)
            if key in seen:
                self.result.skipped_duplicates += 1
                continue
            seen.add(key)
            values.append((fid, clean.standard_code, clean.kind, clean.value_entered,
                           clean.unit_entered, clean.value, clean.unit, clean.basis,
                           clean.observed_on, clean.source, clean.comparator, clean.shift_hours,
                           clean.subject, clean.instrument, *constant))
        if values:
            touched = {v[0] for v in values}
            # Facilities made in this batch are in this transaction: no verdict is remembered
            # under their stamps yet, so only the others get a new one.
            with stamped_once(self.session.connection(), touched - self._new_facilities):
                _insert_many(self.session, Evidence.__table__, EVIDENCE_TABLE_COLUMNS, values,
                             same_tail=len(constant))
            self.result.added_evidence += len(values)
            standing.forget(self.session, touched - self.result.facility_ids)
            self.result.facility_ids.update(touched)
            self.evidence_facilities.update(touched)
            if verified:
                self.verified_facilities.update(v[0] for v in values)

    def _facility_of(self, row: dict) -> int | str:
        """The facility an evidence row names, or why it names none (cached: a facility's
        evidence rows usually follow one another)."""
        get = row.get
        raw = (get("epa_id"), get("semarnat_nra"), get("canada_id"), get("name"), get("country"))
        found = self._located.get(raw)
        if found is None:
            key = raw
            raw = tuple((v or "").strip() for v in raw)
            identifiers = {k: v.upper() or None for k, v in zip(IDENTIFIERS, raw, strict=False)}
            if identifiers["epa_id"]:
                identifiers["epa_id"] = identifiers["epa_id"].replace("-", "").replace(" ", "")
            matches = {m for m in self.keys.facility_for(identifiers, raw[3], raw[4].upper()) if m > 0}
            if len(matches) == 1:
                found = self._located[key] = matches.pop()
            else:
                return ("names no facility in the registry or earlier in the file" if not matches
                        else "its identifiers belong to different facilities")
        return found


def _insert_many(session: Session, table, columns: tuple[str, ...], rows: list[tuple], *,
                 same_tail: int = 0) -> None:
    """One driver-level executemany of already validated rows, each value passed through its
    column type's own bind processor (JSON, dates), so rows read back exactly as the ORM's do.
    Going through the ORM or Core per row would cost more than the validation itself. The last
    `same_tail` values are the same in every row, so they are converted once."""
    connection = session.connection()
    dialect = connection.dialect
    processors = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
                 f"VALUES ({', '.join([mark] * len(columns))})")
    cut = len(columns) - same_tail
    tail = tuple(p(v) if p else v for p, v in zip(processors[cut:], rows[0][cut:], strict=True))
    active = [(i, p) for i, p in enumerate(processors[:cut]) if p is not None]
    if len(active) == 1:  # evidence: only the observation date varies and needs converting
        (i, process), = active
        converted = [(*row[:i], process(row[i]), *row[i + 1:cut], *tail) for row in rows]
    else:
        converted = []
        for row in rows:
            head = list(row[:cut])
            for i, process in active:
                head[i] = process(head[i])
            converted.append((*head, *tail))
    connection.exec_driver_sql(statement, converted)


def _sentence(exc: ValidationFailed) -> str:
    return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.fields.items()) \
        or exc.message


def _announce(session: Session, batcher: _Batcher, source, actor_id) -> None:
    result = batcher.result
    session.flush()
    events.audited.send(
        SENDER, session=session, actor_id=actor_id, action="registry.import", entity="import",
        entity_id=Path(_name(source)).name[:40], before=None,
        after={"file": _name(source), "added_facilities": result.added_facilities, "added_evidence": result.added_evidence,
               "skipped_duplicates": result.skipped_duplicates, "errors": len(result.errors),
               "verified": batcher.verified},
        reason=None)
    for fid in sorted(batcher.verified_facilities):
        events.evidence_verified.send(session.get(Facility, fid), session=session, actor_id=actor_id)
    if batcher.evidence_facilities:
        evidence_changed(session, batcher.evidence_facilities, actor_id=actor_id,
                         reason=f"evidence imported from {Path(_name(source)).name}")


def _name(source) -> str:
    if isinstance(source, str | Path):
        return str(source)
    return str(getattr(source, "name", "upload"))


@contextmanager
def _open(source):
    if isinstance(source, str | Path):
        with open(source, newline="", encoding="utf-8-sig") as handle:
            yield handle
    else:
        yield source


@contextmanager
def _session_for(target):
    if isinstance(target, Session):
        yield target, target.flush
        return
    with target() as session:
        try:
            yield session, session.commit
        except BaseException:
            session.rollback()
            raise
