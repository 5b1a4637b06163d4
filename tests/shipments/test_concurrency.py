"""The caps hold under concurrency: 20 simultaneous requests, one permit, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlmodel import Session, func, select

from permits.permitting.models import Permit
from permits.shipments.models import Shipment
from standards import clock
from tests.helpers import bearer

REQUESTS = 20


def race(app, url: str, headers: dict, tonnes: float) -> Counter:
    """Fire REQUESTS posts at once, each from its own thread with its own client and app context."""
    start = threading.Barrier(REQUESTS)
    answers: list[tuple[int, str | None]] = []
    lock = threading.Lock()

    def post(n: int) -> None:
        client = app.test_client()
        start.wait()
        response = client.post(url, headers=headers, json={
            "quantity_tonnes": tonnes, "departed_on": clock.today().isoformat(),
            "movement_document": f"RACE-{n:02d}", "carrier": "Transportes Sierra"})
        error = (response.get_json() or {}).get("error", {}).get("code")
        with lock:
            answers.append((response.status_code, error))

    threads = [threading.Thread(target=post, args=(n,)) for n in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == REQUESTS
    return Counter(answers)


def totals(db, permit_id: int) -> tuple[int, int, int]:
    with Session(db) as s:
        permit = s.get(Permit, permit_id)
        logged = s.exec(select(func.count()).select_from(Shipment).where(Shipment.permit_id == permit_id)).one()
        return permit.used_kg, permit.shipments_used, logged


@pytest.mark.timeout(180)
def test_twenty_concurrent_10_tonne_shipments_on_a_100_tonne_permit_accept_exactly_ten(app, db, world):
    with Session(db) as s:
        s.get(Permit, world.permit.id).shipments_planned = 50  # only the quantity binds
        s.commit()
    answers = race(app, f"/api/v1/permits/{world.permit.id}/shipments", bearer(db, world.shipper), 10)
    assert answers == {(201, None): 10, (409, "quantity_exceeded"): 10}
    assert totals(db, world.permit.id) == (100_000, 10, 10)


@pytest.mark.timeout(180)
def test_twenty_concurrent_shipments_on_a_ten_shipment_permit_accept_exactly_ten(app, db, world):
    answers = race(app, f"/api/v1/permits/{world.permit.id}/shipments", bearer(db, world.shipper), 1)
    assert answers == {(201, None): 10, (409, "shipments_exceeded"): 10}
    assert totals(db, world.permit.id) == (10_000, 10, 10)
