"""The 3-working-day receipt deadline skips the receiving country's public holidays."""
from __future__ import annotations

from datetime import date

from permits.permitting.models import Permit
from permits.shipments import deadlines, services
from permits.shipments.models import Shipment
from tests.shipments import factories


def _due(region: str | None, arrival: date) -> date:
    return deadlines.receipt_due(Shipment(permit_id=1, movement_document="x", carrier="c", quantity_kg=1,
                                          departed_on=arrival, expected_arrival_on=arrival,
                                          holiday_region=region))


def test_mexican_independence_day_does_not_count():
    friday = date(2026, 9, 11)  # Wed 16 September is Independence Day in Mexico
    assert _due("MX", friday) == date(2026, 9, 17)
    assert _due("US", friday) == date(2026, 9, 16)


def test_canada_day_does_not_count_in_canada():
    monday = date(2026, 6, 29)  # Wed 1 July is Canada Day
    assert _due("CA", monday) == date(2026, 7, 3)
    assert _due("MX", monday) == date(2026, 7, 2)


def test_a_provincial_holiday_counts_only_in_its_province():
    friday = date(2026, 6, 19)  # Wed 24 June is the Fête nationale in Quebec, not in Ontario
    assert _due("CA-QC", friday) == date(2026, 6, 25)
    assert _due("CA-ON", friday) == date(2026, 6, 24)


def test_an_unknown_region_counts_weekends_only():
    assert _due("ZZ", date(2026, 9, 11)) == date(2026, 9, 16)
    assert _due(None, date(2026, 9, 11)) == date(2026, 9, 16)


def test_a_logged_shipment_keeps_its_facilitys_calendar(session, world):
    shipment = factories.make_shipment(session, permit=world.permit, departed_on=date(2026, 9, 10))
    assert shipment.holiday_region is None  # a row made by hand; logging sets it
    permit = session.get(Permit, world.permit.id)
    permit.valid_from, permit.valid_to = date(2026, 1, 1), date(2026, 12, 31)
    session.flush()
    logged = services.log_shipment(session, actor=world.shipper, permit_id=permit.id, quantity_kg=1_000,
                                   departed_on=date(2026, 9, 10), expected_arrival_on=date(2026, 9, 11),
                                   movement_document="MD-HOLIDAY", carrier="Transportes Sierra",
                                   today=date(2026, 9, 10))
    assert logged.holiday_region == "MX"
    assert deadlines.receipt_due(logged) == date(2026, 9, 17)
