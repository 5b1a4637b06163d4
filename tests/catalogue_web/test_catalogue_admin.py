"""The one place the catalogue changes: a version and its audit entry, in one transaction."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session

from permits.audit import chain as audit
from permits.catalogue.services import add_standard_version, known_byproducts
from standards.errors import UnknownStandard, ValidationFailed
from tests.catalogue_web.conftest import PEL, catalogue_entries, versions_of

CITATION = "29 CFR 1910.1025(c), as amended"


def _add(session, *, effective_from=date(2030, 1, 1), value=40.0, actor_id=1, **kwargs):
    return add_standard_version(session, actor_id=actor_id, code=kwargs.pop("code", PEL), value=value,
                                unit="µg/m³", effective_from=effective_from,
                                citation=kwargs.pop("citation", CITATION), **kwargs)


def test_a_version_is_written_with_an_audit_entry_of_the_change(session):
    version = _add(session, note="  Lowered after review.  ", actor_id=7)
    session.commit()
    [entry] = catalogue_entries(session.get_bind())
    assert (entry.action, entry.entity, entry.entity_id, entry.actor_id) == (
        "standard.version_added", "standard", str(version.id), 7)
    v1 = versions_of(session.get_bind(), PEL)[0]
    scope = {"processes": list(v1.processes), "unconfirmed": v1.unconfirmed}  # carried over
    assert entry.before == {"code": PEL, "version": 1, "value": 50.0, "unit": "µg/m³",
                            "effective_from": "1978-11-14", "citation": "29 CFR 1910.1025(c)",
                            "note": version_note_of_v1(session), **scope}
    assert entry.after == {"code": PEL, "version": 2, "value": 40.0, "unit": "µg/m³",
                           "effective_from": "2030-01-01", "citation": CITATION,
                           "note": "Lowered after review.", **scope}
    assert entry.reason == "Lowered after review."
    assert audit.verify(session).ok


def version_note_of_v1(session) -> str:
    return versions_of(session.get_bind(), PEL)[0].note


def test_the_audit_entry_before_is_the_version_just_replaced(session):
    _add(session)
    _add(session, effective_from=date(2031, 1, 1), value=35.0)
    session.commit()
    entries = sorted(catalogue_entries(session.get_bind()), key=lambda e: e.seq)
    assert [(e.before["version"], e.after["version"]) for e in entries] == [(1, 2), (2, 3)]


def test_a_refused_version_writes_nothing(session):
    with pytest.raises(ValidationFailed) as refused:
        _add(session, citation="")
    assert list(refused.value.fields) == ["citation"]
    session.rollback()
    assert len(versions_of(session.get_bind(), PEL)) == 1
    assert catalogue_entries(session.get_bind()) == []


def test_an_unknown_standard_is_named(session):
    with pytest.raises(UnknownStandard) as unknown:
        _add(session, code="no-such-standard")
    assert unknown.value.code == "unknown_standard"


def test_known_byproducts_are_those_of_the_standards_and_the_waste_codes(session):
    assert known_byproducts(session) == ["eaf_dust", "lead_acid_battery_dust", "slag"]


def test_two_admins_at_once_get_successive_versions(db):
    """The second admin waits for the first one's version and numbers its own after it."""
    if db.dialect.name != "postgresql":
        pytest.skip("SQLite takes its write lock at BEGIN IMMEDIATE; nothing to race")
    first = Session(db)
    _add(first)  # holds the lock on osha-lead-pel's versions until it commits
    outcome: dict = {}

    def second_admin():
        with Session(db) as second:
            try:
                outcome["pid"] = second.execute(text("SELECT pg_backend_pid()")).scalar()
                outcome["version"] = _add(second, effective_from=date(2031, 1, 1)).version
                second.commit()
            except Exception as exc:  # reported below, with its type
                outcome["error"] = exc

    thread = threading.Thread(target=second_admin)
    thread.start()
    _wait_until_waiting_for_a_lock(db, outcome)
    first.commit()
    first.close()
    thread.join(timeout=60)
    assert "error" not in outcome, repr(outcome.get("error"))
    assert outcome["version"] == 3
    assert [v.version for v in versions_of(db, PEL)] == [1, 2, 3]


def _wait_until_waiting_for_a_lock(engine, outcome: dict, attempts: int = 1000) -> None:
    """Until the second admin's connection is blocked on a lock (so the race really happens)."""
    with engine.connect() as conn:
        for _ in range(attempts):
            pid = outcome.get("pid")
            if pid is not None and conn.execute(
                text("SELECT count(*) FROM pg_locks WHERE pid = :pid AND NOT granted"), {"pid": pid}
            ).scalar():
                return
            if "error" in outcome:
                break
            conn.execute(text("SELECT pg_sleep(0.01)"))
            conn.commit()
    pytest.fail(f"the second admin never waited for the first one's lock: {outcome}")
