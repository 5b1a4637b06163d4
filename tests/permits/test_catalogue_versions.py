"""A catalogue entry that changed loads as a new version: audited, the old version and every
decision that used it untouched, and approved permits re-checked against it from its effective
date (held when their facility no longer meets it)."""
from __future__ import annotations

import copy
import json
from datetime import timedelta
from importlib import resources

from sqlmodel import Session, select

from permits.audit.models import AuditEntry
from permits.catalogue import services as catalogue_admin
from permits.permitting import decisions, holds
from permits.permitting.models import Permit
from standards.models import Standard
from tests.permits.conftest import PEL, TODAY


def _packaged() -> dict:
    return json.loads(resources.files("standards.data").joinpath("catalogue.json").read_text("utf-8"))


def _with_pel(**changes) -> dict:
    catalogue = copy.deepcopy(_packaged())
    entry = next(e for e in catalogue["standards"] if e["code"] == PEL and e["version"] == 1)
    entry.update(changes)
    return catalogue


def test_a_stricter_value_in_force_puts_the_approved_permit_on_hold(db, approved):
    with Session(db) as session:
        before = decisions.current_decision(session, approved.id).id
        written = catalogue_admin.load_catalogue(
            session, catalogue=_with_pel(value=10, effective_from=(TODAY - timedelta(days=10)).isoformat(),
                                         citation="29 CFR 1910.1025(c) (as amended, test)"))
        assert written == 1
        session.commit()
    with Session(db) as session:
        permit = session.get(Permit, approved.id)
        assert permit.status == "on_hold"
        assert [c["standard"] for c in permit.hold_checks] == [PEL]
        assert permit.hold_checks[0]["version"] == 2 and permit.hold_checks[0]["verdict"] == "fails"
        versions = session.exec(select(Standard).where(Standard.code == PEL)
                                .order_by(Standard.version)).all()
        assert [(v.version, v.value) for v in versions] == [(1, 50.0), (2, 10.0)]
        # The decision keeps the version it was made on, and its record still verifies.
        decision = decisions.current_decision(session, approved.id)
        assert decision.id == before
        assert next(c for c in decision.checks if c["standard"] == PEL)["version"] == 1
        assert decision.record_hash == decisions.record_hash(decision)
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "standard.version_added")
                             ).one()
        assert entry.entity_id == str(versions[1].id)
        assert (entry.before["value"], entry.after["value"]) == (50.0, 10.0)


def test_a_future_version_holds_the_permit_only_from_its_effective_date(db, approved):
    effective = TODAY + timedelta(days=20)
    with Session(db) as session:
        catalogue_admin.load_catalogue(
            session, catalogue=_with_pel(value=10, effective_from=effective.isoformat()))
        session.commit()
    with Session(db) as session:
        assert session.get(Permit, approved.id).status == "approved"
        assert holds.recheck_due(session, today=effective - timedelta(days=1)) == {}
        assert holds.recheck_due(session, today=effective) == {approved.id: "hold"}
        session.commit()


def test_a_new_version_the_facility_still_meets_changes_nothing(db, approved):
    with Session(db) as session:
        catalogue_admin.load_catalogue(session, catalogue=_with_pel(value=40))
        session.commit()
    with Session(db) as session:
        assert session.get(Permit, approved.id).status == "approved"
