"""Crash safety: gunicorn killed (master and workers, SIGKILL) while shipments are being logged,
restarted, and every unanswered request retried with its Idempotency-Key. Every acknowledged
shipment is stored exactly once, the permit's totals equal its shipments, and the audit chain
still verifies — on SQLite (WAL, synchronous=FULL) and on PostgreSQL alike."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from permits.accounts.models import Organization
from permits.audit.chain import verify
from permits.permitting.models import Permit
from permits.shipments.models import Shipment
from tests.helpers import bearer
from tests.shipments import factories

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 60
KILL_AFTER = 15  # acknowledged answers before the kill
# gunicorn runs on the machine's clock, not the suite's pinned one: the real UTC day.
TODAY = datetime.now(UTC).date()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(database_url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "crash-test",
           "PARITY_ENV": "production", "PYTHONPATH": str(ROOT)}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "gthread",
         "--threads", "4", "--log-level", "error", "permits:create_app()"],
        env=env, cwd=ROOT, start_new_session=True)  # its own group: the kill takes every worker
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/health")
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.1)
    _kill(server)
    raise AssertionError("gunicorn did not start within 60 s")


def _kill(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.wait(timeout=30)


def _post(port: int, path: str, headers: dict, n: int) -> tuple[int, dict]:
    body = {"quantity_tonnes": 0.5, "departed_on": TODAY.isoformat(),
            "movement_document": f"CRASH-{n:03d}", "carrier": "Transportes Sierra"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", path, body=json.dumps(body),
                       headers={**headers, "Content-Type": "application/json",
                                "Idempotency-Key": f"crash-{n:03d}"})
    answer = connection.getresponse()
    return answer.status, json.loads(answer.read() or b"{}")


def test_a_killed_server_loses_no_acknowledged_shipment_and_stores_none_twice(db, database_url, world):
    with Session(db, expire_on_commit=False) as session:
        organization = session.get(Organization, world.shipper.organization_id)
        permit_id = factories.make_permit(
            session, organization=organization, applicant=world.shipper,
            facility=world.facility, tonnes=1000, shipments_planned=1000,
            valid_from=TODAY - timedelta(days=60)).id
        session.commit()
    headers = bearer(db, world.shipper)
    path = f"/api/v1/permits/{permit_id}/shipments"
    acknowledged: dict[int, int] = {}  # request number -> shipment id answered
    refused: list[tuple[int, dict]] = []
    lock = threading.Lock()
    pending = list(range(REQUESTS))
    port = _free_port()
    server = _start(database_url, port)

    def client() -> None:
        while True:
            with lock:
                if not pending or len(acknowledged) >= KILL_AFTER * 3:
                    return
                n = pending.pop(0)
            try:
                status, answer = _post(port, path, headers, n)
            except (OSError, http.client.HTTPException):
                return  # the server died under this request: it is retried below
            with lock:
                if status == 201:
                    acknowledged[n] = answer["id"]
                else:
                    refused.append((status, answer))

    threads = [threading.Thread(target=client) for _ in range(6)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < KILL_AFTER and any(t.is_alive() for t in threads):
        time.sleep(0.005)
    _kill(server)  # mid-stream: some requests are in flight, some never sent
    for thread in threads:
        thread.join(timeout=60)
    assert refused == []
    assert len(acknowledged) >= KILL_AFTER

    server = _start(database_url, port)
    try:
        for n in range(REQUESTS):  # every request again, same key and body: replay or first run
            status, answer = _post(port, path, headers, n)
            assert status == 201, answer
            if n in acknowledged:
                assert answer["id"] == acknowledged[n], f"request {n} was stored twice"
    finally:
        _kill(server)

    with Session(db) as session:
        documents = session.exec(select(Shipment.movement_document, func.count())
                                 .group_by(Shipment.movement_document)).all()
        assert sorted(doc for doc, _ in documents) == [f"CRASH-{n:03d}" for n in range(REQUESTS)]
        assert all(count == 1 for _, count in documents)
        permit = session.get(Permit, permit_id)
        used_kg = session.exec(select(func.sum(Shipment.quantity_kg))
                               .where(Shipment.permit_id == permit.id)).one()
        assert (permit.used_kg, permit.shipments_used) == (used_kg, REQUESTS)
        assert verify(session).ok
