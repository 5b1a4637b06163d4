"""The shipment-time verdict remembered per process (`permits.permitting.verdicts`): the facility's
equivalence stamp changes with every change a check reads, whoever writes it (services, the ORM
or plain SQL), and a shipment never leaves on a remembered verdict the evidence no longer gives."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, insert, select, update
from sqlmodel import Session

from facility_registry.models import Evidence, Facility
from permits.accounts.models import User
from permits.permitting import holds, verdicts
from permits.permitting.models import Permit
from permits.shipments import services as shipments
from permits.shipments.state import FacilityNotEquivalent
from standards.clock import utcnow as approved_at
from standards.models import Standard, TreatyAccession
from tests.permits.conftest import PEL, TODAY


def _stamp(session, facility_id) -> int | None:
    return session.execute(select(Facility.equivalence_stamp).where(Facility.id == facility_id)).scalar_one()


def _facts(session, permit) -> list[tuple]:
    row = session.execute(select(Facility.id, Facility.equivalence_stamp, Facility.processes)
                          .where(Facility.id == permit.receiving_facility_id)).one()
    return [(row.id, row.equivalence_stamp, tuple(holds.as_list(row.processes)))]


def _remembered(session, permit, on=TODAY) -> list[dict]:
    return holds.unmet_checks(session, permit, on, facilities=_facts(session, permit))


def _codes(checks) -> list[str]:
    return sorted(c["standard"] for c in checks)


def _pel_measurement(session, facility_id) -> int:
    return session.execute(select(Evidence.id).where(
        Evidence.facility_id == facility_id, Evidence.standard_code == PEL,
        Evidence.kind == "measurement")).scalars().first()


def _evidence(facility_id, unit="µg/m³", basis="8h_twa") -> Evidence:
    return Evidence(facility_id=facility_id, standard_code=PEL, kind="measurement", value=1.0,
                    value_entered="1", unit=unit, unit_entered=unit, basis=basis,
                    observed_on=TODAY, source="orm", entered_by_role="inspector")


@pytest.fixture(autouse=True)
def _nothing_remembered():
    verdicts.forget()
    yield
    verdicts.forget()


def test_a_facility_gets_a_stamp_whether_written_by_the_orm_or_by_core(db, compliant_facility):
    with Session(db) as session:
        assert _stamp(session, compliant_facility.id) is not None
        new_id = session.execute(insert(Facility).values(
            name="Core Plant", country="MX", semarnat_nra="CORE0001", operations=["R4"],
            accepts=["eaf_dust"], processes=[], created_at=approved_at()).returning(Facility.id)).scalar_one()
        assert _stamp(session, new_id) is not None
        assert _stamp(session, new_id) != _stamp(session, compliant_facility.id)


def test_every_kind_of_change_a_check_reads_gives_a_new_stamp(db, compliant_facility):
    fid = compliant_facility.id
    with Session(db) as session:
        seen = [_stamp(session, fid)]

        def changed(what):
            stamp = _stamp(session, fid)
            assert stamp not in seen, f"{what} left the stamp as it was"
            seen.append(stamp)

        evidence_id = _pel_measurement(session, fid)
        session.execute(update(Evidence).where(Evidence.id == evidence_id).values(verified=False))
        changed("an evidence row verified or not, in place")
        session.execute(update(Evidence).where(Evidence.id == evidence_id).values(value=999.0))
        changed("an evidence value changed in place")
        row = session.execute(select(Evidence).where(Evidence.id == evidence_id)).scalar_one()
        session.add(_evidence(fid, unit=row.unit, basis=row.basis))
        session.flush()
        changed("an evidence row added through the ORM")
        session.execute(delete(Evidence).where(Evidence.id == evidence_id))
        changed("an evidence row deleted")
        standard = session.execute(select(Standard).where(Standard.code == PEL)
                                   .order_by(Standard.version.desc())).scalars().first()
        session.execute(update(Standard).where(Standard.id == standard.id).values(value=standard.value))
        changed("a standard's row rewritten")
        session.execute(update(TreatyAccession).values(source=TreatyAccession.source))
        changed("a treaty accession rewritten")
        session.rollback()


def test_another_facilitys_evidence_leaves_the_stamp_alone(db, compliant_facility, bare_facility):
    with Session(db) as session:
        before = _stamp(session, compliant_facility.id)
        session.execute(update(Evidence).where(Evidence.facility_id == bare_facility.id)
                        .values(verified=True))
        session.add(_evidence(bare_facility.id))
        session.flush()
        assert _stamp(session, compliant_facility.id) == before
        session.rollback()


def test_a_remembered_verdict_is_used_while_the_stamp_stands_and_never_after(db, approved,
                                                                             monkeypatch):
    computed = []
    real = holds._unmet
    monkeypatch.setattr(holds, "_unmet", lambda *a, **k: computed.append(1) or real(*a, **k))
    with Session(db) as session:
        permit = session.get(Permit, approved.id)
        assert _remembered(session, permit) == []
        assert _remembered(session, permit) == []
        assert len(computed) == 1  # the second answer was remembered
        # Behind every service's back: no re-check runs, the permit stays approved.
        session.execute(update(Evidence).where(Evidence.id == _pel_measurement(session, permit.receiving_facility_id))
                        .values(value=150.0))
        assert _codes(_remembered(session, permit)) == [PEL]
        assert len(computed) == 2
        assert _remembered(session, permit) == holds.unmet_checks(session, permit, TODAY)
        session.rollback()


def test_the_day_is_part_of_the_key(db, approved):
    with Session(db) as session:
        permit = session.get(Permit, approved.id)
        assert _remembered(session, permit) == []
        # Last month's evidence goes stale within the validity: a later day has its own verdict.
        later = min(permit.valid_to, TODAY + timedelta(days=300))
        assert _remembered(session, permit, later) == holds.unmet_checks(session, permit, later)


def test_a_remembered_pass_does_not_let_a_load_leave_after_the_evidence_failed(db, approved, shipper):
    def ship(session, n):
        return shipments.log_shipment(
            session, actor=session.get(User, shipper.id), permit_id=approved.id, quantity_kg=1000,
            departed_on=TODAY, expected_arrival_on=TODAY + timedelta(days=2),
            movement_document=f"REMEMBER-{n}", carrier="Border Haulage LLC", today=TODAY)

    with Session(db) as session:
        ship(session, 1)
        session.commit()
    with Session(db) as session:  # plain SQL: no service, no re-check, the permit stays approved
        session.execute(update(Evidence).where(
            Evidence.id == _pel_measurement(session, approved.receiving_facility_id)).values(value=150.0))
        session.commit()
    with Session(db) as session:
        assert session.get(Permit, approved.id).status == "approved"
        with pytest.raises(FacilityNotEquivalent):
            ship(session, 2)
        session.rollback()


def test_a_changed_process_is_a_new_key(db, approved):
    with Session(db) as session:
        permit = session.get(Permit, approved.id)
        before = _remembered(session, permit)
        session.execute(update(Facility).where(Facility.id == permit.receiving_facility_id)
                        .values(processes=["eaf_steelmaking"]))
        assert _remembered(session, permit) == holds.unmet_checks(session, permit, TODAY)
        assert _facts(session, permit)[0][2] == ("eaf_steelmaking",)
        assert isinstance(before, list)
        session.rollback()


def test_no_stamp_means_nothing_remembered(db, approved, monkeypatch):
    computed = []
    real = holds._unmet
    monkeypatch.setattr(holds, "_unmet", lambda *a, **k: computed.append(1) or real(*a, **k))
    with Session(db) as session:
        permit = session.get(Permit, approved.id)
        session.execute(update(Facility).where(Facility.id == permit.receiving_facility_id)
                        .values(equivalence_stamp=None))
        _remembered(session, permit)
        _remembered(session, permit)
        assert len(computed) == 2
        session.rollback()


def test_the_shipment_reads_the_stamp_with_its_capped_update(db, approved, shipper, monkeypatch):
    keys = []
    real = verdicts.remembered
    monkeypatch.setattr(verdicts, "remembered", lambda key, compute: keys.append(key) or real(key, compute))
    with Session(db) as session:
        shipments.log_shipment(
            session, actor=session.get(User, shipper.id), permit_id=approved.id, quantity_kg=1000,
            departed_on=TODAY, expected_arrival_on=TODAY, movement_document="STAMPED-1",
            carrier="Border Haulage LLC", today=TODAY)
        (codes, byproduct, on, facilities), = keys
        assert on == TODAY and byproduct == approved.byproduct and codes
        assert facilities[0][:2] == (approved.receiving_facility_id,
                                     _stamp(session, approved.receiving_facility_id))
        session.rollback()

