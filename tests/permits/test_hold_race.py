"""The shipment-time check under concurrency: 20 shipments race one evidence change that makes
the facility fail. Shipments that committed before the change pass; none commits after it (the
audit chain's order is the commit order), on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlmodel import Session, func, select

from permits.audit.models import AuditEntry
from permits.permitting.models import Permit
from permits.shipments.models import Shipment
from tests.helpers import bearer
from tests.permits.conftest import PEL, TODAY, apply, consent_to

SHIPMENTS = 20


@pytest.mark.timeout(240)
def test_no_shipment_passes_after_a_failing_evidence_change_committed(app, db, shipper, inspector,
                                                                      compliant_facility):
    with Session(db, expire_on_commit=False) as session:
        permit, decision = apply(session, shipper, compliant_facility.id,
                                 valid_from=TODAY.isoformat(), shipments_planned=40)
        assert decision.outcome == "approved"
        consent_to(session, permit, compliant_facility.country)
        session.commit()
    shipper_headers, inspector_headers = bearer(db, shipper), bearer(db, inspector)
    start = threading.Barrier(SHIPMENTS + 1)
    answers: list[tuple[int, str | None]] = []
    change: list[int] = []
    lock = threading.Lock()

    def ship(n: int) -> None:
        client = app.test_client()
        start.wait()
        response = client.post(f"/api/v1/permits/{permit.id}/shipments", headers=shipper_headers,
                               json={"quantity_tonnes": 1, "departed_on": TODAY.isoformat(),
                                     "movement_document": f"RACE-{n:02d}",
                                     "carrier": "Border Haulage LLC"})
        error = (response.get_json() or {}).get("error", {}).get("code")
        with lock:
            answers.append((response.status_code, error))

    def fail_the_facility() -> None:
        client = app.test_client()
        start.wait()
        response = client.post(f"/api/v1/facilities/{compliant_facility.id}/evidence",
                               headers=inspector_headers,
                               json={"standard": PEL, "kind": "measurement", "value": 150,
                                     "unit": "µg/m³", "basis": "8h_twa",
                                     "observed_on": TODAY.isoformat(), "source": "spot check"})
        assert response.status_code == 201, response.get_json()
        change.append(response.get_json()["id"])

    threads = [threading.Thread(target=ship, args=(n,)) for n in range(SHIPMENTS)]
    threads.append(threading.Thread(target=fail_the_facility))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=200)
    assert len(answers) == SHIPMENTS and change

    counts = Counter(answers)
    passed = counts[(201, None)]
    assert set(counts) <= {(201, None), (409, "permit_not_active"), (409, "facility_not_equivalent")}
    with Session(db) as session:
        held = session.get(Permit, permit.id)
        assert held.status == "on_hold"
        logged = session.exec(select(func.count()).select_from(Shipment)
                              .where(Shipment.permit_id == permit.id)).one()
        assert (held.shipments_used, held.used_kg, logged) == (passed, passed * 1000, passed)
        change_seq = session.exec(select(AuditEntry.seq).where(
            AuditEntry.entity == "evidence", AuditEntry.entity_id == str(change[0]))).one()
        shipped_seqs = session.exec(select(AuditEntry.seq).where(
            AuditEntry.action == "shipment.logged")).all()
        hold_seq = session.exec(select(AuditEntry.seq).where(
            AuditEntry.action == "permit.hold", AuditEntry.entity_id == str(permit.id))).one()
    assert len(shipped_seqs) == passed
    assert all(seq < change_seq for seq in shipped_seqs)  # none committed after the change
    assert change_seq < hold_seq  # the hold is in the change's own transaction
