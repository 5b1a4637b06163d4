"""The standards catalogue as Parity administers it: a new version with its audit entry, and the
reads the catalogue's pages and API share.

`standards` sits below `permits` and cannot write our audit chain, so the one place that
changes the catalogue from the outside is `add_standard_version` here.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select

from permits.audit import chain as audit
from permits.permitting import holds
from standards.catalogue import (
    add_version,
    load_catalogue_changes,
    treaty_accessions,
    unknown_standard,
)
from standards.clock import today
from standards.models import Standard, WasteCode

__all__ = ["add_standard_version", "known_byproducts", "load_catalogue", "version_history",
           "versions_after", "with_end_dates"]


def add_standard_version(
    session: Session,
    *,
    actor_id: int | None,
    code: str,
    value: float | bool | None,
    unit: str | None,
    effective_from: date | None,
    citation: str | None,
    note: str | None = None,
) -> Standard:
    """Record a new value of `code` from `effective_from`, and who did it; flush, never commit.

    Raises `UnknownStandard` for an unknown code, `ValidationFailed` naming each bad field.
    """
    _lock_versions(session, code)
    version = add_version(
        session, code=code, value=value, unit=unit, effective_from=effective_from,
        citation=citation, note=(note or "").strip() or None,
    )
    previous = session.exec(
        select(Standard).where(Standard.code == code, Standard.version == version.version - 1)
    ).one()
    audit.record(
        session, actor_id=actor_id, action="standard.version_added", entity="standard",
        entity_id=version.id, before=version_record(previous), after=version_record(version),
        reason=version.note,
    )
    # A version already in force changes what the approved permits must meet today.
    if version.effective_from <= today():
        holds.recheck_due(session, today=today(), byproducts=version.applies_to)
    return version


def load_catalogue(session: Session, *, actor_id: int | None = None,
                   catalogue: dict[str, Any] | None = None) -> int:
    """Load the packaged catalogue (or `catalogue`) as `init-db` does, audited; flush. Returns
    the rows written.

    A new entry is audited `standard.loaded`; a changed one is a new version (never an edit of a
    stored one), audited `standard.version_added` with the version it replaces. A new version
    already in force re-checks the approved permits of its byproducts at once (a permit whose
    facility no longer meets it goes on hold); one in the future is met by the daily re-check
    from its effective date. Decisions keep the versions they recorded.
    """
    loaded = load_catalogue_changes(session, catalogue)
    for standard in loaded.new:
        audit.record(session, actor_id=actor_id, action="standard.loaded", entity="standard",
                     entity_id=standard.id, after=version_record(standard, session),
                     reason="loaded from the catalogue")
    for code, before, after in loaded.codes_changed:
        audit.record(session, actor_id=actor_id, action="waste_code.updated", entity="waste_code",
                     entity_id=code, before=before, after=after,
                     reason="the catalogue's code list changed")
    byproducts: set[str] = set()
    for previous, standard in loaded.changed:
        audit.record(session, actor_id=actor_id, action="standard.version_added",
                     entity="standard", entity_id=standard.id,
                     before=version_record(previous, session),
                     after=version_record(standard, session),
                     reason="the catalogue's entry changed")
        if standard.effective_from <= today():
            byproducts.update(previous.applies_to or [])
            byproducts.update(standard.applies_to or [])
    if byproducts:
        holds.recheck_due(session, today=today(), byproducts=sorted(byproducts))
    return loaded.count


def _lock_versions(session: Session, code: str) -> None:
    # Two admins adding a version at once would both number theirs n+1; on PostgreSQL the
    # second waits here, and its next read sees the first one's version. (SQLite writes are
    # already one at a time: every write transaction begins IMMEDIATE.)
    locked = session.exec(select(Standard.id).where(Standard.code == code).with_for_update()).all()
    if not locked:
        raise unknown_standard(code)


def version_record(standard: Standard, session: Session | None = None) -> dict[str, Any]:
    """What the audit entry keeps of one version: enough to read the change without the table
    (a treaty's accessions too, when a session is given to read them)."""
    record = {
        "code": standard.code, "version": standard.version, "value": standard.value,
        "unit": standard.unit, "effective_from": standard.effective_from,
        "citation": standard.citation, "note": standard.note,
        "processes": list(standard.processes or []), "unconfirmed": bool(standard.unconfirmed),
    }
    if session is not None and standard.source == "treaty":
        record["accessions"] = {a.country: a.joined_on for a in treaty_accessions(session, standard)}
    return record


def version_history(session: Session, code: str) -> list[Standard]:
    """Every version of `code`, newest first; raises `UnknownStandard` when there is none."""
    versions = list(session.exec(
        select(Standard).where(Standard.code == code).order_by(Standard.version.desc())
    ))
    if not versions:
        raise unknown_standard(code)
    return versions


def with_end_dates(versions: list[Standard]) -> list[tuple[Standard, date | None]]:
    """Each version (newest first) with the day the next one took over; None for the newest."""
    ends = [None] + [version.effective_from for version in versions[:-1]]
    return list(zip(versions, ends, strict=True))


def versions_after(session: Session, on: date) -> dict[str, Standard]:
    """For each code with a version taking effect after `on`, the first such version."""
    upcoming: dict[str, Standard] = {}
    for row in session.exec(
        select(Standard).where(Standard.effective_from > on).order_by(Standard.version.desc())
    ):
        upcoming[row.code] = row  # newest first, so the earliest upcoming one is kept
    return upcoming


def known_byproducts(session: Session) -> list[str]:
    """Every byproduct the catalogue speaks of: in a standard's scope or a waste code's."""
    names: set[str] = set()
    for applies_to in session.exec(select(Standard.applies_to)):
        names.update(applies_to or [])
    for byproducts in session.exec(select(WasteCode.byproducts)):
        names.update(byproducts or [])
    return sorted(names)
