"""Deadlines: working days, each rule's due date, the sweep, and exceptions until resolved."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from permits.api.errors import http_status
from permits.audit.models import AuditEntry
from permits.permitting.models import Permit
from permits.shipments import deadlines
from permits.shipments import services as shipments
from permits.shipments.deadlines import add_working_days, add_years, sweep_deadlines
from permits.shipments.models import ShipmentException
from standards.errors import DomainError
from tests.shipments import factories

FRIDAY = date(2026, 1, 9)
WEDNESDAY = date(2026, 1, 14)
JAN_5_MONDAY = date(2026, 1, 5)


@pytest.mark.parametrize(("start", "days", "due"), [
    (FRIDAY, 3, WEDNESDAY),                      # Sat and Sun do not count
    (date(2026, 1, 8), 3, date(2026, 1, 13)),    # Thursday -> Tuesday
    (date(2026, 1, 10), 3, WEDNESDAY),           # arrived on Saturday: Mon, Tue, Wed
    (date(2026, 1, 11), 1, date(2026, 1, 12)),   # Sunday + 1 -> Monday
    (JAN_5_MONDAY, 3, date(2026, 1, 8)),         # within one week
    (FRIDAY, 0, FRIDAY),
    (FRIDAY, 10, date(2026, 1, 23)),             # two weekends
])
def test_working_days_skip_weekends(start, days, due):
    assert add_working_days(start, days) == due


def test_public_holidays_are_not_skipped():
    # 1 January 2026 is a holiday in all three countries and still counts: see the module's docstring.
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 1)


def test_a_year_after_29_february_is_28_february():
    assert add_years(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert add_years(date(2026, 3, 4), 1) == date(2027, 3, 4)


@pytest.fixture
def permit(session, world):
    permit = session.get(Permit, world.permit.id)
    permit.valid_from, permit.valid_to = date(2025, 1, 1), date(2027, 12, 31)
    session.commit()
    return permit


def open_kinds(session) -> list[tuple[int, str, date, date]]:
    return [(e.shipment_id, e.kind, e.due_on, e.detected_on)
            for e in session.exec(select(ShipmentException).order_by(ShipmentException.id))]


def test_receipt_is_due_three_working_days_after_arrival_across_a_weekend(session, permit):
    shipment = factories.make_shipment(session, permit=permit, departed_on=date(2026, 1, 7),
                                       expected_arrival_on=FRIDAY)
    session.commit()
    assert sweep_deadlines(session, WEDNESDAY) == []  # the due day itself is in time
    opened = sweep_deadlines(session, WEDNESDAY + timedelta(days=1))
    assert [(e.kind, e.due_on, e.detected_on) for e in opened] == [
        ("receipt_overdue", WEDNESDAY, date(2026, 1, 15))]
    assert opened[0].shipment_id == shipment.id


def test_the_sweep_is_idempotent(session, permit):
    factories.make_shipment(session, permit=permit, departed_on=date(2026, 1, 7), expected_arrival_on=FRIDAY)
    session.commit()
    first = sweep_deadlines(session, date(2026, 1, 20))
    session.commit()
    assert len(first) == 1
    assert sweep_deadlines(session, date(2026, 1, 20)) == []
    assert sweep_deadlines(session, date(2026, 1, 21)) == []  # and on the days after
    assert len(open_kinds(session)) == 1
    opened = session.exec(select(AuditEntry).where(AuditEntry.action == "shipment_exception.opened")).all()
    assert len(opened) == 1


def test_a_confirmed_receipt_opens_nothing(session, permit):
    factories.make_shipment(session, permit=permit, departed_on=date(2026, 1, 7), expected_arrival_on=FRIDAY,
                            status="received", received_on=FRIDAY, received_kg=10_000,
                            receipt_confirmed_at=datetime(2026, 1, 12, tzinfo=UTC))
    session.commit()
    assert sweep_deadlines(session, date(2026, 3, 1)) == []


def test_a_receipt_confirmed_late_opens_the_exception_when_it_is_recorded(session, world, permit):
    shipment = factories.make_shipment(session, permit=permit, departed_on=date(2026, 1, 7),
                                       expected_arrival_on=FRIDAY)
    session.commit()
    shipments.receive_shipment(session, actor=world.facility_user, shipment_id=shipment.id,
                               received_on=FRIDAY, received_kg=10_000, tolerance_percent=2.0,
                               today=date(2026, 1, 15))
    assert open_kinds(session) == [(shipment.id, "receipt_overdue", WEDNESDAY, date(2026, 1, 15))]


def test_a_receipt_confirmed_on_the_last_working_day_is_in_time(session, world, permit):
    shipment = factories.make_shipment(session, permit=permit, departed_on=date(2026, 1, 7),
                                       expected_arrival_on=FRIDAY)
    shipments.receive_shipment(session, actor=world.facility_user, shipment_id=shipment.id,
                               received_on=FRIDAY, received_kg=10_000, tolerance_percent=2.0,
                               today=WEDNESDAY)
    assert open_kinds(session) == []


def received(session, permit, *, on: date, **fields):
    return factories.make_shipment(session, permit=permit, departed_on=on - timedelta(days=2), status="received",
                                   received_on=on, received_kg=10_000,
                                   receipt_confirmed_at=datetime.combine(on, datetime.min.time(), UTC), **fields)


def test_recovery_is_due_no_later_than_a_year_after_receipt(session, permit):
    shipment = received(session, permit, on=date(2026, 3, 4))
    session.commit()
    assert sweep_deadlines(session, date(2027, 3, 4)) == []
    opened = sweep_deadlines(session, date(2027, 3, 5))
    assert [(e.shipment_id, e.kind, e.due_on) for e in opened] == [(shipment.id, "recovery_overdue", date(2027, 3, 4))]


def test_a_recovered_shipment_is_not_overdue(session, permit):
    factories.make_shipment(session, permit=permit, departed_on=date(2025, 3, 2), status="recovered",
                            received_on=date(2025, 3, 4), received_kg=10_000, completed_on=date(2025, 4, 1),
                            recovery_operation_code="R4",
                            receipt_confirmed_at=datetime(2025, 3, 4, tzinfo=UTC),
                            recovery_confirmed_at=datetime(2025, 4, 2, tzinfo=UTC))
    session.commit()
    assert sweep_deadlines(session, date(2026, 6, 1)) == []


@pytest.mark.parametrize(("confirmed", "late"), [(date(2026, 5, 1), False), (date(2026, 5, 2), True)])
def test_recovery_is_confirmed_within_30_days_of_completion(session, world, permit, confirmed, late):
    shipment = received(session, permit, on=date(2026, 3, 4))
    shipments.recover_shipment(session, actor=world.facility_user, shipment_id=shipment.id,
                               completed_on=date(2026, 4, 1), operation_code="R4", today=confirmed)
    expected = [(shipment.id, "recovery_overdue", date(2026, 5, 1), confirmed)] if late else []
    assert open_kinds(session) == expected


def test_a_recovery_completed_near_the_year_end_is_still_due_by_the_year_end(session, world, permit):
    # Completed 20 days before the anniversary: 30 days would overshoot the one-year limit.
    shipment = received(session, permit, on=date(2026, 3, 4))
    shipments.recover_shipment(session, actor=world.facility_user, shipment_id=shipment.id,
                               completed_on=date(2027, 2, 12), operation_code="R4", today=date(2027, 3, 5))
    assert open_kinds(session) == [(shipment.id, "recovery_overdue", date(2027, 3, 4), date(2027, 3, 5))]


def refused(session, permit, *, on: date, kg: int = 10_000, status: str = "refused"):
    return factories.make_shipment(session, permit=permit, departed_on=on - timedelta(days=2), status=status,
                                   refused_on=on, refused_kg=kg, refusal_reason="leaking",
                                   receipt_confirmed_at=datetime.combine(on, datetime.min.time(), UTC))


def test_a_refused_shipment_is_returned_within_90_days(session, permit):
    shipment = refused(session, permit, on=date(2026, 1, 10))
    session.commit()
    assert sweep_deadlines(session, date(2026, 4, 10)) == []  # day 90
    opened = sweep_deadlines(session, date(2026, 4, 11))
    assert [(e.shipment_id, e.kind, e.due_on) for e in opened] == [(shipment.id, "return_overdue", date(2026, 4, 10))]


def test_a_partially_refused_shipment_owes_its_return_too(session, permit):
    shipment = received(session, permit, on=date(2026, 1, 10), refused_on=date(2026, 1, 10), refused_kg=2_000,
                        refusal_reason="mixed load")
    session.commit()
    assert [e.kind for e in sweep_deadlines(session, date(2026, 4, 11))] == ["return_overdue"]
    assert deadlines.missed(shipment, date(2026, 4, 11)) == ["return_overdue"]


def test_a_return_dated_after_the_90_days_opens_the_exception(session, world, permit):
    shipment = refused(session, permit, on=date(2026, 1, 10))
    shipments.return_shipment(session, actor=world.shipper, shipment_id=shipment.id,
                              returned_on=date(2026, 4, 11), today=date(2026, 4, 11))
    # Late, and (as every return is) reported.
    assert open_kinds(session) == [(shipment.id, "return_overdue", date(2026, 4, 10), date(2026, 4, 11)),
                                   (shipment.id, "return_reported", date(2026, 4, 10), date(2026, 4, 11))]


def test_missed_deadlines_flag_a_shipment_before_the_sweep_runs(session, permit):
    shipment = factories.make_shipment(session, permit=permit, departed_on=date(2026, 1, 7),
                                       expected_arrival_on=FRIDAY)
    assert deadlines.missed(shipment, WEDNESDAY) == []
    assert deadlines.missed(shipment, date(2026, 1, 15)) == ["receipt_overdue"]


@pytest.fixture
def exception(session, permit):
    factories.make_shipment(session, permit=permit, departed_on=date(2026, 1, 7), expected_arrival_on=FRIDAY)
    session.commit()
    [opened] = sweep_deadlines(session, date(2026, 2, 2))
    session.commit()
    return opened


def test_an_exception_stays_open_until_an_inspector_resolves_it_with_a_note(session, world, exception):
    assert exception.is_open
    assert sweep_deadlines(session, date(2026, 3, 2)) == []
    resolved = shipments.resolve_exception(session, actor=world.inspector, exception_id=exception.id,
                                           note="Carrier held at customs; receipt confirmed by phone.")
    session.commit()
    assert not resolved.is_open and resolved.resolved_by_id == world.inspector.id
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "shipment_exception.resolved")).one()
    assert entry.reason == "Carrier held at customs; receipt confirmed by phone."


def test_resolving_needs_a_note_an_inspector_and_an_open_exception(session, world, exception):
    def resolve(actor, note="done"):
        with pytest.raises(DomainError) as caught:
            shipments.resolve_exception(session, actor=actor, exception_id=exception.id, note=note)
        return caught.value

    assert resolve(world.inspector, note="  ").fields == {"note": ["is required"]}
    assert http_status(resolve(world.shipper)) == 403
    assert http_status(resolve(world.facility_user)) == 403
    shipments.resolve_exception(session, actor=world.inspector, exception_id=exception.id, note="ok")
    assert (http_status(resolve(world.inspector)), resolve(world.inspector).code) == (409, "already_resolved")
