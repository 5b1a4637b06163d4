"""Benchmark: logging shipments over HTTP against gunicorn, beside a hello-world route served the same way.

Run: .venv/bin/python benchmarks/bench_shipments_http.py [--requests 1500] [--seconds 20] [--clients 4]
     [--postgres]   (also on the local PostgreSQL server, in a schema of its own)

Starts gunicorn on 127.0.0.1 (2 gthread workers x 4 threads) with a SQLite file database,
seeds a shipper with an API token and a very large approved permit, then from this script
sends, over keep-alive loopback connections, first GET /bench/hello (a route added to this
benchmark's own app instance only) and then POST /api/v1/permits/{id}/shipments (a durable
write: the capped UPDATE, the insert, the audit entry, a FULL-synced commit). Both phases are
bounded by a request count and a time limit. Prints both rates and their ratio; the aim is at
least 0.2 of hello-world's throughput.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HELLO = "/bench/hello"


# --- the app gunicorn serves (imported by the workers) ----------------------------------------

def make_app():
    """The product app plus one hello-world route, for this benchmark's server only."""
    from permits.accounts.auth import public
    from permits.app import create_app

    app = create_app({"DATABASE_URL": os.environ["BENCH_DATABASE_URL"], "SECRET_KEY": "benchmark-only",
                      "PARITY_ENV": "production"})

    @public
    def hello():
        return "Hello, World!"

    app.add_url_rule(HELLO, "bench_hello", hello)
    return app


# --- the data ---------------------------------------------------------------------------------

def seed(url: str) -> tuple[int, str]:
    """A shipper with a token and an approved permit far larger than the run; (permit id, token)."""
    from sqlmodel import Session, SQLModel

    import permits.models  # noqa: F401 - every table
    from facility_registry.models import Facility
    from permits.accounts import services as accounts
    from permits.core.db import make_engine
    from permits.permitting.models import Permit

    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as s:
        facility = Facility(name="Bench Reciclados", country="MX", operations=["R4"], accepts=["eaf_dust"])
        s.add(facility)
        org = accounts.get_or_create_organization(s, "Bench Metals")
        user = accounts.create_user(s, email="bench@example.com", password="benchmark-password", role="shipper",
                                    organization=org)
        permit = Permit(number="PAR-BENCH-1", organization_id=org.id, applicant_id=user.id, status="approved",
                        byproduct="eaf_dust", waste_codes=["K061"], quantity_kg=1_000_000_000,
                        shipments_planned=1_000_000, valid_from=date.today() - timedelta(days=30),
                        valid_to=date.today() + timedelta(days=300), receiving_facility_id=facility.id,
                        operation_code="R4", transporters=[{"name": "Bench Haulage", "country": "US"}])
        s.add(permit)
        s.flush()
        token = accounts.issue_token(s, user=user, name="bench").secret
        s.commit()
        permit_id = permit.id
    engine.dispose()
    return permit_id, token


# --- the server -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(url: str, port: int, *, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "BENCH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    command = [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
               "--log-level", "warning", "--pythonpath", str(ROOT / "benchmarks"), "bench_shipments_http:make_app()"]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", HELLO)
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 30 s")


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


# --- the load ---------------------------------------------------------------------------------

def load(port: int, *, clients: int, requests: int, seconds: float, make_request) -> tuple[int, float, dict]:
    """`requests` requests (or what fits in `seconds`) from `clients` keep-alive connections.

    Returns (completed, elapsed seconds, {status: count}).
    """
    counter = iter(range(requests))
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    stop_at = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop_at:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            method, path, body, headers = make_request(n)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return sum(statuses.values()), elapsed, statuses


def run(label: str, url: str, args) -> None:
    permit_id, token = seed(url)
    port = free_port()
    server = start_gunicorn(url, port, workers=args.workers, threads=args.threads)
    run_id = os.urandom(4).hex()
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def hello(_n):
        return "GET", HELLO, None, {}

    def shipment(n):
        body = json.dumps({"quantity_tonnes": 1.5, "departed_on": date.today().isoformat(),
                           "expected_arrival_on": (date.today() + timedelta(days=2)).isoformat(),
                           "movement_document": f"BENCH-{run_id}-{n:07d}", "carrier": "Bench Haulage"})
        return "POST", f"/api/v1/permits/{permit_id}/shipments", body, auth

    try:
        load(port, clients=args.clients, requests=100, seconds=5, make_request=hello)  # warm the workers
        done_h, took_h, status_h = load(port, clients=args.clients, requests=args.requests,
                                        seconds=args.seconds, make_request=hello)
        done_s, took_s, status_s = load(port, clients=args.clients, requests=args.requests,
                                        seconds=args.seconds, make_request=shipment)
    finally:
        stop(server)
    if set(status_h) != {200} or set(status_s) != {201}:
        raise SystemExit(f"unexpected answers: hello {status_h}, shipments {status_s}")
    rate_h, rate_s = done_h / took_h, done_s / took_s
    print(f"[{label}] gunicorn {args.workers} workers x {args.threads} threads, {args.clients} keep-alive clients")
    print(f"[{label}]   GET  hello-world        {done_h:6d} requests in {took_h:6.2f} s = {rate_h:8.1f} req/s")
    print(f"[{label}]   POST shipment (201)     {done_s:6d} requests in {took_s:6.2f} s = {rate_s:8.1f} req/s")
    print(f"[{label}]   ratio shipment / hello  {rate_s / rate_h:.2f}   (aim: >= 0.20)")


def postgres_url() -> tuple[str, callable] | None:
    """A fresh schema on the local server, and how to drop it; None when the server is not there."""
    from sqlalchemy import text

    from permits.core.db import make_engine
    from tests import dbtarget

    if dbtarget.postgres_unreachable_reason():
        return None
    base, schema = dbtarget.postgres_base_url(), dbtarget.new_schema_name()
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return dbtarget.url_with_schema(base, schema), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="per phase (default 1500)")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per phase (default 20)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent keep-alive connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--postgres", action="store_true", help="also run on the local PostgreSQL server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parity-bench-") as folder:
        run("sqlite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args)
    if args.postgres:
        found = postgres_url()
        if found is None:
            print("[postgresql] not reachable; skipped")
            return
        url, drop = found
        try:
            run("postgresql", url, args)
        finally:
            drop()


if __name__ == "__main__":
    main()
