"""Every return gets an exception report at once, late or not (40 CFR 262.83(e)): the reason,
the quantity and where the load goes now; an inspector sees it and closes it."""
from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from permits.shipments.models import ShipmentException
from standards import clock
from tests.helpers import bearer
from tests.openapi_check import assert_matches_openapi
from tests.shipments.test_confirmations import give_back, receive, refuse, shipment  # noqa: F401

TODAY = date(2026, 3, 4)


def _reports(session):
    return session.exec(select(ShipmentException).order_by(ShipmentException.id)).all()


def test_a_timely_return_opens_its_report_with_the_refusals_reason(session, world, shipment):  # noqa: F811
    refuse(session, world.facility_user, shipment, reason="Drums leaking")
    give_back(session, world.shipper, shipment, on=TODAY, today=TODAY)
    [report] = _reports(session)
    assert (report.kind, report.reason, report.quantity_kg) == ("return_reported", "Drums leaking", 10_000)
    assert report.destination.startswith("back to the origin")
    assert report.is_open


def test_a_late_return_is_reported_and_flagged_late(session, world, shipment):  # noqa: F811
    receive(session, world.facility_user, shipment, refused_kg=2_500, reason="Mixed with scrap")
    late = TODAY + timedelta(days=100)
    give_back(session, world.shipper, shipment, on=late, today=late)
    kinds = {r.kind: r for r in _reports(session)}
    assert set(kinds) == {"return_overdue", "return_reported"}
    assert kinds["return_reported"].quantity_kg == 2_500


def test_the_api_takes_the_reason_and_the_new_destination_and_inspectors_close_it(
        client, db, session, world, shipment):  # noqa: F811
    refuse(session, world.facility_user, shipment, today=clock.today())
    session.commit()
    response = client.post(f"/api/v1/shipments/{shipment.id}/return", headers=bearer(db, world.shipper),
                           json={"returned_on": clock.today().isoformat(), "reason": "Wrong waste code",
                                 "new_destination": "Keystone Lead Recovery, Reading PA"})
    assert response.status_code == 200, response.get_json()
    inspector = bearer(db, world.inspector)
    listed = client.get("/api/v1/shipment-exceptions", headers=inspector)
    assert_matches_openapi(client, "get", "/api/v1/shipment-exceptions", listed)
    [item] = [i for i in listed.get_json()["items"] if i["kind"] == "return_reported"]
    assert (item["reason"], item["quantity_tonnes"], item["destination"]) == (
        "Wrong waste code", 10.0, "Keystone Lead Recovery, Reading PA")
    closed = client.post(f"/api/v1/shipment-exceptions/{item['id']}/resolve", headers=inspector,
                         json={"note": "Checked with the shipper: back at origin, re-manifested."})
    assert closed.status_code == 200, closed.get_json()
