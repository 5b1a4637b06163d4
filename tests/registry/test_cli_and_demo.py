"""`registry import` on the command line, and the registry's part of `seed-demo`."""
from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from facility_registry.eligibility import check_facility
from facility_registry.models import Facility
from permits.registry.demo import seed_enforcement, seed_registry
from tests.helpers import make_user
from tests.registry.conftest import TODAY

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "registry-import.csv"


def test_import_command_reports_counts_and_is_repeatable(runner):
    first = runner.invoke(args=["registry", "import", str(EXAMPLE)])
    assert first.exit_code == 0, first.output
    assert "3 facilities and 9 evidence rows added" in first.output
    second = runner.invoke(args=["registry", "import", str(EXAMPLE)])
    assert "0 facilities and 0 evidence rows added; 12 already there" in second.output


def test_import_command_names_bad_lines_and_exits_1(runner, tmp_path):
    bad = tmp_path / "bad.csv"
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    lines.insert(2, lines[1].replace("PAD987654321", "PAD98").replace("Keystone", "Broken"))
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(args=["registry", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 3: epa_id" in result.output
    assert "3 facilities and 9 evidence rows added" in result.output


def test_verified_import_needs_an_inspector(runner, db):
    shipper = make_user(db, "shipper")
    result = runner.invoke(args=["registry", "import", str(EXAMPLE), "--as", shipper.email,
                                 "--verified"])
    assert result.exit_code != 0 and "--verified" in result.output


def test_the_demo_registry_shows_every_verdict(registry_demo_db, db):
    # The run's one seed_registry, after an inspector signed up (tests/conftest.py).
    inspector, logins = registry_demo_db.inspector, registry_demo_db.logins
    with Session(db, expire_on_commit=False) as session:
        assert logins == [("facility@reciclados-norte.example", "facility"),
                          ("facility@keystone-lead.example", "facility")]
        facilities = session.exec(select(Facility)).all()
        assert {f.country for f in facilities} == {"US", "MX", "CA"}
        verdicts = set()
        for facility in facilities:
            for byproduct in facility.accepts:
                verdicts |= {c.verdict for c in check_facility(session, facility, byproduct, TODAY).checks}
        assert verdicts == {"meets", "fails", "no_evidence", "stale", "incomparable", "unverified"}
        assert seed_registry(session, {"inspector": inspector}) == []  # seeding twice adds nothing
        seed_enforcement(session, {"inspector": inspector})  # after the shipments, in seed-demo
        assert {f.status for f in session.exec(select(Facility))} == {"active", "suspended"}


def test_import_then_refresh_stores_standings(runner, db):
    from facility_registry.models import FacilityStanding

    runner.invoke(args=["registry", "import", str(EXAMPLE)])
    with Session(db) as session:
        assert len(session.exec(select(FacilityStanding)).all()) == 5  # 2 + 2 + 1 byproducts
    nothing_due = runner.invoke(args=["registry", "refresh"])
    assert nothing_due.exit_code == 0 and "0 standings stored for 0 facilities" in nothing_due.output
    everything = runner.invoke(args=["registry", "refresh", "--all"])
    assert "5 standings stored for 3 facilities" in everything.output


def test_the_daily_refresh_recomputes_only_standings_that_no_longer_hold(session, make_facility):
    from facility_registry.eligibility import due_facility_ids, refresh_due
    from facility_registry.models import FacilityStanding

    kept, expiring = make_facility("US"), make_facility("CA")
    for standing in session.exec(select(FacilityStanding).where(
            FacilityStanding.facility_id == expiring.id)):
        standing.valid_until = TODAY
    session.flush()
    assert due_facility_ids(session, on=TODAY) == [expiring.id]
    assert refresh_due(session, on=TODAY) == 1  # Great Lakes Metals accepts one byproduct
    assert due_facility_ids(session, on=TODAY) == []
    assert kept.id not in due_facility_ids(session, on=TODAY)
