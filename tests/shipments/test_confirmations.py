"""Confirmations by the receiving facility: receipt, refusal, recovery; and the return of what was refused."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from permits.api.errors import http_status
from permits.audit.models import AuditEntry
from permits.permitting.models import Permit
from permits.shipments import services as shipments
from standards.errors import DomainError
from tests.shipments import factories

DEPARTED = date(2026, 3, 2)  # a Monday
TODAY = date(2026, 3, 4)


@pytest.fixture
def shipment(session, world):
    permit = session.get(Permit, world.permit.id)
    permit.valid_from, permit.valid_to = date(2026, 1, 1), date(2026, 12, 31)
    made = factories.make_shipment(session, permit=permit, tonnes=10, departed_on=DEPARTED)
    session.commit()
    return made


def receive(session, actor, shipment, *, kg=10_000, on=TODAY, refused_kg=0, reason=None, today=TODAY):
    return shipments.receive_shipment(session, actor=actor, shipment_id=shipment.id, received_on=on,
                                      received_kg=kg, tolerance_percent=2.0, today=today,
                                      refused_kg=refused_kg, refusal_reason=reason)


def recover(session, actor, shipment, *, code="R4", on=TODAY, today=TODAY):
    return shipments.recover_shipment(session, actor=actor, shipment_id=shipment.id, completed_on=on,
                                      operation_code=code, today=today)


def refuse(session, actor, shipment, *, on=TODAY, reason="Drums leaking", today=TODAY):
    return shipments.refuse_shipment(session, actor=actor, shipment_id=shipment.id, refused_on=on,
                                     reason=reason, today=today)


def give_back(session, actor, shipment, *, on=TODAY, today=TODAY):
    return shipments.return_shipment(session, actor=actor, shipment_id=shipment.id, returned_on=on, today=today)


def error_of(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def actions(session) -> list[str]:
    return [e.action for e in session.exec(select(AuditEntry).where(AuditEntry.entity == "shipment")
                                           .order_by(AuditEntry.seq))]


def test_receipt_then_recovery_by_the_receiving_facility(session, world, shipment):
    received = receive(session, world.facility_user, shipment, kg=9_900)
    assert (received.status, received.received_kg, received.discrepancy) == ("received", 9_900, False)
    recovered = recover(session, world.facility_user, shipment, code="r4")
    assert (recovered.status, recovered.recovery_operation_code) == ("recovered", "R4")
    session.commit()
    assert actions(session) == ["shipment.received", "shipment.recovered"]
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "shipment.received")).one()
    assert entry.before["status"] == "in_transit" and entry.after["status"] == "received"
    assert entry.after["received_kg"] == 9_900 and entry.actor_id == world.facility_user.id


@pytest.mark.parametrize(("kg", "flagged"), [(10_000, False), (9_800, False), (10_200, False),
                                             (9_799, True), (10_201, True)])
def test_a_difference_beyond_the_tolerance_is_a_discrepancy(kg, flagged):
    # 2 % of 10 t is 200 kg: exactly 200 kg off is within the tolerance.
    assert shipments.is_discrepancy(shipped_kg=10_000, received_kg=kg, tolerance_percent=2.0) is flagged


def test_a_receipt_records_its_discrepancy(session, world, shipment):
    assert receive(session, world.facility_user, shipment, kg=9_799).discrepancy is True


def test_the_tolerance_is_a_plain_value_the_caller_passes(session, world, shipment):
    received = shipments.receive_shipment(session, actor=world.facility_user, shipment_id=shipment.id,
                                          received_on=TODAY, received_kg=9_000, tolerance_percent=10.0,
                                          today=TODAY)
    assert received.discrepancy is False


def test_an_inspector_may_confirm(session, world, shipment):
    assert receive(session, world.inspector, shipment).status == "received"


def test_no_one_else_may_confirm_receipt(session, world, shipment):
    for who in ("other_facility_user", "shipper", "other_shipper", "admin"):
        err = error_of(lambda who=who: receive(session, getattr(world, who), shipment))
        assert (http_status(err), err.code) == (403, "forbidden"), who


def test_confirming_a_shipment_that_does_not_exist_is_not_found(session, world, shipment):
    err = error_of(lambda: shipments.receive_shipment(
        session, actor=world.facility_user, shipment_id=shipment.id + 1, received_on=TODAY,
        received_kg=1, tolerance_percent=2.0, today=TODAY))
    assert (http_status(err), err.code) == (404, "not_found")


def test_another_facility_cannot_refuse_or_recover_either(session, world, shipment):
    assert http_status(error_of(lambda: refuse(session, world.other_facility_user, shipment))) == 403
    receive(session, world.facility_user, shipment)
    assert http_status(error_of(lambda: recover(session, world.other_facility_user, shipment))) == 403


def test_receipt_date_between_departure_and_today(session, world, shipment):
    for on, message in ((DEPARTED - timedelta(days=1), "cannot be before the departure (2026-03-02)"),
                        (TODAY + timedelta(days=1), "cannot be in the future")):
        err = error_of(lambda on=on: receive(session, world.facility_user, shipment, on=on))
        assert http_status(err) == 422 and err.fields == {"received_on": [message]}


def test_receipt_on_the_departure_day_is_fine(session, world, shipment):
    assert receive(session, world.facility_user, shipment, on=DEPARTED).received_on == DEPARTED


def test_a_shipment_is_received_once(session, world, shipment):
    receive(session, world.facility_user, shipment)
    err = error_of(lambda: receive(session, world.facility_user, shipment))
    assert (http_status(err), err.code) == (409, "invalid_transition")


def test_recovery_with_the_wrong_operation_code_is_refused(session, world, shipment):
    receive(session, world.facility_user, shipment)
    err = error_of(lambda: recover(session, world.facility_user, shipment, code="D10"))
    assert (http_status(err), err.code) == (422, "operation_mismatch")
    assert err.fields == {"operation_code": ["must be the permit's operation, R4"]}


def test_recovery_cannot_be_completed_before_receipt(session, world, shipment):
    receive(session, world.facility_user, shipment, on=TODAY)
    err = error_of(lambda: recover(session, world.facility_user, shipment, on=TODAY - timedelta(days=1)))
    assert err.fields == {"completed_on": ["cannot be before the receipt (2026-03-04)"]}


def test_recovery_needs_a_receipt_first(session, world, shipment):
    err = error_of(lambda: recover(session, world.facility_user, shipment))
    assert (http_status(err), err.code) == (409, "invalid_transition")


def test_whole_refusal_then_return_by_the_shipper(session, world, shipment):
    refused = refuse(session, world.facility_user, shipment)
    assert (refused.status, refused.refused_kg, refused.refusal_reason) == ("refused", 10_000, "Drums leaking")
    assert error_of(lambda: recover(session, world.facility_user, shipment)).code == "invalid_transition"
    back = give_back(session, world.shipper, shipment)
    assert (back.status, back.returned_on) == ("returned", TODAY)
    session.commit()
    assert actions(session) == ["shipment.refused", "shipment.returned"]


def test_a_refusal_needs_a_reason(session, world, shipment):
    err = error_of(lambda: refuse(session, world.facility_user, shipment, reason=" "))
    assert err.fields == {"reason": ["is required"]}


def test_partial_refusal_keeps_the_accepted_part_on_its_way_to_recovery(session, world, shipment):
    received = receive(session, world.facility_user, shipment, kg=10_000, refused_kg=4_000,
                       reason="Mixed with scrap tyres")
    assert (received.status, received.refused_kg, received.accepted_kg) == ("received", 4_000, 6_000)
    assert received.refused_on == TODAY
    back = give_back(session, world.shipper, shipment)
    assert (back.status, back.returned_on) == ("received", TODAY)
    assert recover(session, world.facility_user, shipment).status == "recovered"


def test_a_partial_refusal_needs_its_reason_and_must_be_partial(session, world, shipment):
    err = error_of(lambda: receive(session, world.facility_user, shipment, refused_kg=1_000))
    assert err.fields == {"refusal_reason": ["is required"]}
    err = error_of(lambda: receive(session, world.facility_user, shipment, refused_kg=10_000, reason="all"))
    assert list(err.fields) == ["refused_tonnes"]


def test_nothing_returns_that_was_not_refused(session, world, shipment):
    receive(session, world.facility_user, shipment)
    err = error_of(lambda: give_back(session, world.shipper, shipment))
    assert (http_status(err), err.code) == (409, "nothing_to_return")


def test_only_the_shipper_or_an_inspector_confirms_a_return(session, world, shipment):
    refuse(session, world.facility_user, shipment)
    assert http_status(error_of(lambda: give_back(session, world.facility_user, shipment))) == 403
    assert give_back(session, world.inspector, shipment).status == "returned"


def test_a_returned_quantity_is_not_given_back_to_the_cap(session, world, shipment):
    permit = session.get(Permit, world.permit.id)
    permit.used_kg, permit.shipments_used = 10_000, 1  # as logging this shipment left them
    session.commit()
    refuse(session, world.facility_user, shipment)
    give_back(session, world.shipper, shipment)
    session.commit()
    session.refresh(permit)
    assert (permit.used_kg, permit.shipments_used) == (10_000, 1)
