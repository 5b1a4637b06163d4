"""Bulk import: good rows kept, bad rows reported by line, the same file twice adds nothing."""
from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, func, select

from facility_registry.importer import COLUMNS, import_csv
from facility_registry.models import Evidence, Facility
from tests.registry.conftest import LAST_MONTH, sent

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "registry-import.csv"


def csv_text(*rows: dict) -> io.StringIO:
    lines = [",".join(COLUMNS)]
    for row in rows:
        lines.append(",".join(str(row.get(c, "")) for c in COLUMNS))
    return io.StringIO("\n".join(lines) + "\n")


US = {"record": "facility", "name": "Keystone Lead Recovery", "country": "US",
      "epa_id": "PAD987654321", "address": "Reading PA", "operations": "R4",
      "accepts": "eaf_dust", "annual_capacity_tonnes": "1000"}
PEL = {"record": "evidence", "epa_id": "PAD987654321", "standard": "osha-lead-pel",
       "kind": "measurement", "value": "31", "unit": "ug/m3", "basis": "8h_twa",
       "observed_on": LAST_MONTH.isoformat(), "source": "lab 1"}


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_the_example_file_imports_cleanly(session):
    result = import_csv(session, EXAMPLE, actor_id=1)
    assert result.errors == []
    assert result.added_facilities == 3
    assert result.added_evidence == count(session, Evidence) == 9


def test_a_bad_row_among_good_ones_is_reported_by_line_and_the_rest_kept(session):
    source = csv_text(US, PEL, {**PEL, "unit": "parsecs"}, {**PEL, "kind": "guess"},
                      {**US, "name": "Bad", "epa_id": "XX1", "record": "facility"},
                      {**PEL, "epa_id": "TXD000000001"}, {**PEL, "value": "29"})
    result = import_csv(session, source, actor_id=1)
    assert [line for line, _ in result.errors] == [4, 5, 6, 7]
    assert "unit" in result.errors[0][1] and "parsecs" in result.errors[0][1]
    assert "kind" in result.errors[1][1]
    assert "epa_id" in result.errors[2][1]
    assert "names no facility" in result.errors[3][1]
    assert (result.added_facilities, result.added_evidence) == (1, 2)
    assert count(session, Evidence) == 2


def test_importing_the_same_file_twice_adds_nothing(db):
    factory = lambda: Session(db)  # noqa: E731 - commits per batch, like the CLI
    first = import_csv(factory, EXAMPLE, actor_id=1)
    second = import_csv(factory, EXAMPLE, actor_id=1)
    assert (second.added_facilities, second.added_evidence) == (0, 0)
    assert second.skipped_duplicates == first.added_facilities + first.added_evidence
    with Session(db) as session:
        assert count(session, Facility) == 3 and count(session, Evidence) == 9


def test_a_repeated_row_within_one_file_is_a_duplicate(session):
    result = import_csv(session, csv_text(US, US, PEL, PEL), actor_id=1)
    assert (result.added_facilities, result.added_evidence, result.skipped_duplicates) == (1, 1, 2)


def test_imported_evidence_is_unverified_unless_asked(session, signals):
    import_csv(session, csv_text(US, PEL), actor_id=1)
    assert session.exec(select(Evidence.verified)).all() == [False]
    assert sent(signals, "evidence_verified") == []
    (_, kwargs), = sent(signals, "audited")
    assert kwargs["action"] == "registry.import" and kwargs["after"]["added_evidence"] == 1


def test_verified_import_by_an_inspector_announces_each_facility_once(session, signals):
    import_csv(session, csv_text(US, PEL, {**PEL, "value": "12"}), actor_id=1,
               actor_role="inspector", verified=True)
    assert session.exec(select(Evidence.verified)).all() == [True, True]
    assert len(sent(signals, "evidence_verified")) == 1


def test_a_file_without_the_required_columns_is_refused_at_line_one(session):
    result = import_csv(session, io.StringIO("name,colour\nx,blue\n"), actor_id=1)
    assert result.errors[0][0] == 1 and "record" in result.errors[0][1]
    assert count(session, Facility) == 0


def test_progress_is_reported_in_rows(session):
    seen = []
    import_csv(session, EXAMPLE, actor_id=1, progress=seen.append)
    assert sum(seen) == 12


def _stamp(session, facility_id) -> int | None:
    return session.exec(select(Facility.equivalence_stamp).where(Facility.id == facility_id)).one()


def _facility_row_writes(session) -> int | None:
    """PostgreSQL's running count of the facility table's row updates in this backend, else None.
    Only a difference within one transaction means something: the count may still hold earlier
    transactions' updates that the server has not yet folded into its statistics."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return session.exec(text("SELECT n_tup_upd FROM pg_stat_xact_user_tables "
                             "WHERE relid = 'facility'::regclass")).one()[0]


def _rewrites(session, before: int | None) -> int | None:
    after = _facility_row_writes(session)
    return None if after is None else after - before


def test_imported_evidence_gives_an_existing_facility_one_new_stamp(db):
    """The import writes evidence without the trigger's stamp per row and stamps each facility it
    touched once: still a new stamp (no remembered verdict outlives the new evidence), and on
    PostgreSQL one rewrite of the facility's row, not one per evidence row."""
    factory = lambda: Session(db)  # noqa: E731
    import_csv(factory, csv_text(US, PEL), actor_id=1)
    other = {**US, "name": "Other Lead Works", "epa_id": "PAD000000002"}
    import_csv(factory, csv_text(other), actor_id=1)
    with Session(db) as session:
        fid, other_id = (session.exec(select(Facility.id).where(Facility.epa_id == key)).one()
                         for key in ("PAD987654321", "PAD000000002"))
        before, other_before = _stamp(session, fid), _stamp(session, other_id)
        writes_before = _facility_row_writes(session)
        rows = [{**PEL, "value": str(20 + n), "source": f"lab {n}"} for n in range(12)]
        result = import_csv(session, csv_text(*rows), actor_id=1)
        assert (result.added_evidence, result.errors) == (12, [])
        assert _stamp(session, fid) not in (None, before)
        assert _stamp(session, other_id) == other_before
        writes = _rewrites(session, writes_before)
        assert writes in (None, 1), f"the facility's row was rewritten {writes} times"
        session.rollback()


def test_a_facility_and_its_evidence_in_one_file_keep_the_stamp_they_were_made_with(db):
    with Session(db) as session:
        writes_before = _facility_row_writes(session)
        result = import_csv(session, csv_text(US, PEL, {**PEL, "value": "29"}), actor_id=1)
        assert (result.added_facilities, result.added_evidence) == (1, 2)
        fid = session.exec(select(Facility.id).where(Facility.epa_id == "PAD987654321")).one()
        assert _stamp(session, fid) is not None
        assert _rewrites(session, writes_before) in (None, 0)
        session.rollback()
