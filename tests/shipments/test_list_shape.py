"""`GET /api/v1/permits/{id}/shipments` writes its items from plain rows (`shipment_json`): every
page must be the shape's (`ShipmentPublic.of` through `dump(Page[ShipmentPublic])`), field for
field and type for type, for every shipment of the demo (in transit, received, refused, returned,
recovered, at the final facility, overdue), paged by cursor to the end; the same 404 for a
permit the reader may not see."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from permits.accounts.models import User
from permits.api.shapes import Page, dump
from permits.shipments.api import ShipmentPublic
from permits.shipments.models import Shipment
from standards import clock
from tests.helpers import token_for

FIELDS = set(ShipmentPublic.model_fields)


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True)


def _pages(client, headers, permit_id, limit):
    url, pages = f"/api/v1/permits/{permit_id}/shipments?limit={limit}", []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.data[:300]
        assert response.mimetype == "application/json"
        pages.append(response.get_json())
        cursor = pages[-1]["next"]
        url = f"/api/v1/permits/{permit_id}/shipments?limit={limit}&cursor={cursor}" if cursor else None
    return pages


def test_every_page_is_the_shapes_page(demo_db, app, client):
    with Session(demo_db) as session:
        inspector = session.exec(select(User).where(User.role == "inspector")).first()
        counts = dict(session.exec(select(Shipment.permit_id, func.count())
                                   .group_by(Shipment.permit_id)).all())
        statuses = set(session.exec(select(Shipment.status)).all())
    assert counts and len(statuses) >= 4, statuses  # the demo's loads in several states
    headers = {"Authorization": f"Bearer {token_for(demo_db, inspector)}"}
    for permit_id, count in counts.items():
        pages = _pages(client, headers, permit_id, limit=2)
        items = [item for page in pages for item in page["items"]]
        assert len(items) == count and all(page["total"] == count for page in pages)
        with Session(demo_db) as session, app.test_request_context():
            rows = session.exec(select(Shipment).where(Shipment.permit_id == permit_id)
                                .order_by(Shipment.id.desc())).all()
            expected = dump(Page[ShipmentPublic], {"items": [ShipmentPublic.of(s) for s in rows],
                                                   "total": count, "next": None})
        for item in items:
            assert set(item) == FIELDS
        assert _canonical(items) == _canonical(expected["items"]), permit_id
        first = client.get(f"/api/v1/permits/{permit_id}/shipments", headers=headers).get_json()
        assert set(first) == {"items", "total", "next"} and first["total"] == count


def test_a_permit_the_reader_may_not_see_is_a_404(client, db, world):
    def read(user, permit_id):
        return client.get(f"/api/v1/permits/{permit_id}/shipments",
                          headers={"Authorization": f"Bearer {token_for(db, user)}"})

    theirs, none = read(world.other_shipper, world.permit.id), read(world.other_shipper, 999999)
    assert theirs.status_code == none.status_code == 404
    assert theirs.get_json() == none.get_json()
    assert read(world.other_facility_user, world.permit.id).status_code == 404
    for reader in (world.shipper, world.facility_user, world.inspector, world.admin):
        own = read(reader, world.permit.id)
        assert own.status_code == 200 and own.get_json() == {"items": [], "total": 0, "next": None}


def test_a_cursor_not_given_out_is_a_400(client, db, world):
    response = client.get(f"/api/v1/permits/{world.permit.id}/shipments?cursor=nonsense",
                          headers={"Authorization": f"Bearer {token_for(db, world.shipper)}"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_cursor"


def test_a_row_changed_in_any_way_and_a_new_day_are_answered_afresh(client, db, world):
    """Each item's text is kept under the row exactly as read and the day (`KeptText`): a row
    changed behind the application's back reads as it now is, and the next day's answer carries
    the deadlines missed since, not yesterday's flags."""
    from sqlalchemy import text

    headers = {"Authorization": f"Bearer {token_for(db, world.shipper)}"}
    url = f"/api/v1/permits/{world.permit.id}/shipments"
    logged = client.post(url, headers=headers, json={
        "quantity_tonnes": 2, "departed_on": clock.today().isoformat(), "movement_document": "KEPT-1",
        "carrier": "Transportes Sierra"})
    assert logged.status_code == 201, logged.data
    first = client.get(url, headers=headers).get_json()["items"]
    assert [(i["carrier"], i["overdue"]) for i in first] == [("Transportes Sierra", [])]
    assert client.get(url, headers=headers).get_json()["items"] == first  # kept: the same answer

    with db.begin() as connection:  # behind the application's back: no audit, no new stamp
        connection.execute(text("UPDATE shipment SET carrier = 'Changed' WHERE id = :id"),
                           {"id": logged.get_json()["id"]})
    assert [i["carrier"] for i in client.get(url, headers=headers).get_json()["items"]] == ["Changed"]

    with clock.pinned(clock.utcnow() + timedelta(days=30)):  # its receipt is long overdue by then
        later = client.get(url, headers=headers).get_json()["items"]
    assert later[0]["overdue"] == ["receipt_overdue"]
    assert client.get(url, headers=headers).get_json()["items"][0]["overdue"] == []


def test_the_page_counts_no_rows_and_takes_one_round_trip_on_postgresql(app, client, db, world):
    """The total is the permit's own count of its loads (`shipments_used`), not a count of
    every shipment row; on PostgreSQL the permit's check, its total and its page come in one
    statement (SQLite, without round trips, reads the permit and then the page)."""
    from sqlalchemy import event

    headers = {"Authorization": f"Bearer {token_for(db, world.shipper)}"}
    url = f"/api/v1/permits/{world.permit.id}/shipments"
    for n in range(3):
        assert client.post(url, headers=headers, json={
            "quantity_tonnes": 1, "departed_on": clock.today().isoformat(),
            "movement_document": f"ONE-{n}", "carrier": "Transportes Sierra"}).status_code == 201
    client.get(url, headers=headers)  # the token's first use is bookkept once
    statements: list[str] = []
    engine = app.extensions["parity.engine"]

    def count(*args, **kwargs):
        statements.append(" ".join(args[2].lower().split()))

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get(f"{url}?limit=2", headers=headers).get_json()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page["total"] == 3 and len(page["items"]) == 2 and page["next"]
    reading_shipments = [s for s in statements if "from shipment" in s]
    assert len(reading_shipments) == 1, statements
    assert "count(" not in reading_shipments[0]
    if db.dialect.name == "postgresql":
        assert "from permit" in reading_shipments[0]
        assert not [s for s in statements if "from permit" in s and s not in reading_shipments]
