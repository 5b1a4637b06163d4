"""A consent revised into an objection while loads are being logged: no load is logged after it."""
from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from permits.audit.models import AuditEntry
from permits.consents.models import Consent
from permits.permitting.models import Permit
from permits.shipments.models import Shipment
from tests.consents.conftest import approved_permit, decision, shipment
from tests.helpers import bearer

SHIPPERS = 12


@pytest.mark.timeout(180)
def test_a_revision_to_objection_and_concurrent_shipments_never_both_win(app, db, world):
    permit = approved_permit(db, world, world.mx_facility_id)
    shipper, mx = bearer(db, world.shipper), bearer(db, world.mx)
    first = app.test_client().post(f"/api/v1/permits/{permit.id}/consents", headers=mx,
                                   json=decision("MX"))
    assert first.status_code == 201
    consent_id = first.get_json()["id"]

    start = threading.Barrier(SHIPPERS + 1)
    answers: list[tuple[str, int, str | None]] = []
    lock = threading.Lock()

    def post(kind: str, url: str, headers: dict, body: dict) -> None:
        client = app.test_client()
        start.wait()
        response = client.post(url, headers=headers, json=body)
        with lock:
            answers.append((kind, response.status_code,
                            (response.get_json() or {}).get("error", {}).get("code")))

    threads = [threading.Thread(target=post, args=(
        "shipment", f"/api/v1/permits/{permit.id}/shipments", shipper, shipment(n)))
        for n in range(SHIPPERS)]
    threads.append(threading.Thread(target=post, args=(
        "revision", f"/api/v1/consents/{consent_id}/revision", mx,
        {**decision("MX", "objection"), "revision_reason": "the facility's licence was annulled"})))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert ("revision", 201, None) in answers
    shipped = [a for a in answers if a[0] == "shipment" and a[1] == 201]
    refused = [a for a in answers if a[0] == "shipment" and a[1] != 201]
    assert {a[2] for a in refused} <= {"consent_objected"}
    assert len(shipped) + len(refused) == SHIPPERS

    with Session(db) as s:
        revised_at = s.exec(select(AuditEntry.seq).where(AuditEntry.action == "consent.revised")).one()
        logged = s.exec(select(AuditEntry.seq).where(AuditEntry.action == "shipment.logged")).all()
        # Every load that was logged was logged before the objection, in the chain's order.
        assert len(logged) == len(shipped)
        assert all(seq < revised_at for seq in logged)
        row = s.get(Permit, permit.id)
        assert row.consent_status == "objected"
        assert row.shipments_used == len(shipped)
        assert s.exec(select(Shipment)).all().__len__() == len(shipped)
        assert [c.status for c in s.exec(select(Consent).where(Consent.superseded_at.is_(None)))] == [
            "objected"]
