"""Logging a shipment: only under an approved permit, within its validity and caps, to an active facility."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from facility_registry.models import Facility
from permits.api.errors import http_status
from permits.audit.models import AuditEntry
from permits.permitting.models import Permit
from permits.shipments import services as shipments
from standards import clock
from standards.errors import DomainError

TODAY = clock.today()


def log(session, world, *, kg=10_000, document="MD-1", carrier="Transportes Sierra", actor=None,
        departed_on=TODAY, expected_arrival_on=None, permit_id=None):
    return shipments.log_shipment(
        session, actor=actor or world.shipper, permit_id=permit_id or world.permit.id, quantity_kg=kg,
        departed_on=departed_on, expected_arrival_on=expected_arrival_on or departed_on + timedelta(days=2),
        movement_document=document, carrier=carrier, today=TODAY)


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def test_a_logged_shipment_is_in_transit_and_counts_against_the_permit(session, world):
    shipment = log(session, world, kg=12_345)
    session.commit()
    assert shipment.status == "in_transit"
    permit = session.get(Permit, world.permit.id)
    session.refresh(permit)
    assert (permit.used_kg, permit.shipments_used) == (12_345, 1)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "shipment.logged")).one()
    assert entry.entity_id == str(shipment.id) and entry.actor_id == world.shipper.id
    assert (entry.after["quantity_kg"], entry.after["permit_id"]) == (12_345, world.permit.id)


def test_a_refused_load_leaves_no_shipment_and_no_audit_entry(session, world):
    with pytest.raises(DomainError):
        log(session, world, kg=100_001)
    session.rollback()
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "shipment.logged")).all() == []


def test_the_last_tonne_fits_and_one_more_kilogram_does_not(session, world):
    log(session, world, kg=99_999, document="MD-1")
    log(session, world, kg=1, document="MD-2")
    err = refusal(lambda: log(session, world, kg=1, document="MD-3"))
    assert (http_status(err), err.code) == (409, "quantity_exceeded")
    assert "0 t remain" in err.message


def test_the_shipment_count_is_capped(session, world):
    for n in range(10):
        log(session, world, kg=1_000, document=f"MD-{n}")
    err = refusal(lambda: log(session, world, kg=1_000, document="MD-11"))
    assert (http_status(err), err.code) == (409, "shipments_exceeded")


def test_only_an_approved_permit_takes_shipments(session, world):
    permit = session.get(Permit, world.permit.id)
    for status in ("under_review", "suspended", "revoked", "expired", "withdrawn", "denied"):
        permit.status = status
        session.commit()
        err = refusal(lambda: log(session, world))
        session.rollback()
        assert (http_status(err), err.code) == (409, "permit_not_active"), status


def test_nothing_ships_to_a_facility_that_is_no_longer_active(session, world):
    facility = session.get(Facility, world.facility.id)
    for status in ("suspended", "revoked"):
        facility.status = status
        session.commit()
        err = refusal(lambda: log(session, world))
        session.rollback()
        assert (http_status(err), err.code) == (409, "facility_suspended"), status


def test_a_departure_outside_the_validity_is_refused(session, world):
    err = refusal(lambda: log(session, world, departed_on=world.permit.valid_to + timedelta(days=1)))
    assert (http_status(err), err.code) == (409, "outside_validity")
    assert err.fields == {"departed_on": ["is outside the permit's validity"]}


def test_a_refused_request_leaves_the_totals_alone(session, world):
    refusal(lambda: log(session, world, kg=100_001))
    session.rollback()
    permit = session.get(Permit, world.permit.id)
    session.refresh(permit)
    assert (permit.used_kg, permit.shipments_used) == (0, 0)


def test_the_carrier_must_be_one_of_the_permits_transporters(session, world):
    err = refusal(lambda: log(session, world, carrier="Fly-by-night Freight"))
    assert (http_status(err), err.code) == (422, "validation_failed")
    assert "Transportes Sierra" in err.fields["carrier"][0]


def test_the_carrier_is_stored_as_the_permit_spells_it(session, world):
    assert log(session, world, carrier="  lone star HAULAGE ").carrier == "Lone Star Haulage"


def test_a_movement_document_number_is_used_once(session, world):
    log(session, world, document="MD-7")
    err = refusal(lambda: log(session, world, document="MD-7"))
    assert http_status(err) == 422 and "movement_document" in err.fields


BAD_FIELDS = [
    ({"departed_on": TODAY - timedelta(days=1)}, "departed_on"),
    ({"expected_arrival_on": TODAY - timedelta(days=1)}, "expected_arrival_on"),
    ({"document": "  "}, "movement_document"),
    ({"document": "X" * 65}, "movement_document"),
    ({"carrier": ""}, "carrier"),
    ({"kg": 0}, "quantity_tonnes"),
]


def test_bad_fields_are_named(session, world):
    for change, field in BAD_FIELDS:
        err = refusal(lambda change=change: log(session, world, **change))
        assert http_status(err) == 422 and list(err.fields) == [field], change


def test_a_shipper_cannot_log_under_another_organizations_permit(session, world):
    err = refusal(lambda: log(session, world, actor=world.other_shipper))
    assert (http_status(err), err.code) == (404, "not_found")


def test_only_shippers_log(session, world):
    assert http_status(refusal(lambda: log(session, world, actor=world.inspector))) == 403


@pytest.mark.parametrize(("given", "kg"), [(10, 10_000), (12.345, 12_345), ("0.001", 1), (0.1, 100)])
def test_tonnes_become_whole_kilograms(given, kg):
    assert shipments.kg_from_tonnes(given) == kg


@pytest.mark.parametrize(("given", "status", "message"), [
    (0, 422, "must be greater than 0"),
    (-1, 422, "must be greater than 0"),
    (1.0005, 422, "must have at most 3 decimals (whole kilograms)"),
    (True, 400, "must be a number"),
    (None, 400, "must be a number"),
    ("ten", 422, "must be a number"),
    (float("nan"), 422, "must be greater than 0"),
    (10**7, 422, "must be at most 1,000,000 tonnes"),
])
def test_bad_tonnes_are_named(given, status, message):
    err = refusal(lambda: shipments.kg_from_tonnes(given, field="quantity_tonnes"))
    assert http_status(err) == status and err.fields == {"quantity_tonnes": [message]}


def test_a_load_is_logged_ahead_of_its_planned_departure(session, world):
    ahead = TODAY + timedelta(days=5)
    shipment = log(session, world, departed_on=ahead)
    assert shipment.departed_on == ahead and shipment.status == "in_transit"
