"""Flame graphs of the API's hot paths under load: py-spy samples every gunicorn worker while wrk
drives one route, with the server, data and load of bench_http (2 gthread workers x 4 threads,
8 connections).

Run: .venv/bin/python -m benchmarks.profile_http [ROUTE ...] [--postgres] [--seconds N] [--out DIR]
     ROUTE: shipment, permit, shipments_list, decision, bare_insert, bare_read (default: the
     four product routes). py-spy comes with the dev extra (pip install -e '.[dev]'); on Linux
     it needs ptrace (root, or kernel.yama.ptrace_scope=0).

Writes DIR/<database>-<route>.svg (default DIR: benchmarks/profiles), one flame graph of every
worker's samples, in wall-clock time (py-spy --idle): time spent waiting on the database, on the
writer lock or on a worker's own other threads shows, which a CPU profile would leave out. It
prints, for each route, where the request threads' samples fell (the leaf frames: psycopg's
`Connection.wait` is a wait on PostgreSQL, a statement or a lock) and the product's frames
(permits, standards, facility_registry) that cost most, inclusive.
"""
from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_http  # noqa: E402
from benchmarks import world as bench_world  # noqa: E402

PRODUCT = ("shipment", "permit", "shipments_list", "decision")
OWN = re.compile(r"\((permits|standards|facility_registry)/")
RATE = 250  # samples a second


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise SystemExit("py-spy is not installed: pip install -e '.[dev]'")
    return found


def record(port: int, server, route: tuple, *, seconds: int, svg: Path) -> tuple[float, list[str]]:
    """wrk on `route` while py-spy samples the server (the master and its workers): the rate,
    and the samples as collapsed stacks. Two samplers run side by side, one drawing the flame
    graph, one keeping the stacks as text for the summary (py-spy writes one format a run)."""
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "stacks.txt"
        svg.parent.mkdir(parents=True, exist_ok=True)
        spies = [subprocess.Popen(
            [py_spy(), "record", "--idle", "--subprocesses", "--rate", str(RATE),
             "--duration", str(seconds + 1), "--format", form, "--output", str(output),
             "--pid", str(server.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for form, output in (("flamegraph", svg), ("raw", raw))]
        time.sleep(0.5)  # the samplers attached before the load starts
        method, path, token, body = route
        rate = bench_http.wrk(port, method, path, seconds=seconds, token=token, body=body)
        for spy in spies:
            spy.wait()
        stacks = raw.read_text().splitlines() if raw.exists() else []
    return rate, stacks


def summary(stacks: list[str]) -> tuple[int, list[tuple[str, float]], list[tuple[str, float]]]:
    """(samples in requests, the costliest leaf frames' shares, the product's costliest frames'
    shares, inclusive). A leaf is where the thread was: for SQLite, a statement running in
    sqlite3's C code shows as the product's line that ran it; for PostgreSQL, a wait for the
    server (a statement, a lock) as psycopg's `Connection.wait`."""
    leaves: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in stacks:
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not any("wsgi_app" in frame for frame in frames):
            continue  # an idle thread (gunicorn's accept loop, a thread waiting for work)
        n = int(count)
        total += n
        leaves[_short(frames[-1], line=True)] += n
        for frame in {_short(f) for f in frames if OWN.search(f)}:
            inclusive[frame] += n
    if not total:
        return 0, [], []
    return (total, [(frame, count / total) for frame, count in leaves.most_common(10)],
            [(frame, count / total) for frame, count in inclusive.most_common(15)])


def _short(frame: str, *, line: bool = False) -> str:
    """`name (site-packages/x/y.py:12)` as `name (x/y.py)`; with `line`, the line kept."""
    match = re.match(r"(.*) \((?:.*site-packages/)?([^:]*):?(\d*)\)$", frame)
    if not match:
        return frame
    name, path, number = match.groups()
    return f"{name} ({path}{':' + number if line and number else ''})"


def profile(kind: str, routes: list[str], *, seconds: int, out: Path) -> None:
    url, drop = bench_world.database(kind)
    try:
        world = bench_world.build(url)
        permit_id = bench_http.shipping_permit(world)
        bench_http.create_floor_table(url)
        every = bench_http.every_route(world, permit_id)
        port = bench_http.free_port()
        server = bench_http.start_gunicorn(url, port)
        try:
            bench_http.wrk(port, "GET", bench_http.HELLO, seconds=1)  # warm both workers
            # The list reads the permit's newest shipments: give it some.
            method, path, token, body = every["shipment"]
            bench_http.wrk(port, method, path, seconds=1, token=token,
                           body={**body, "movement_document": "SEED-__N__"})
            for name in routes:
                svg = out / f"{kind}-{name}.svg"
                rate, stacks = record(port, server, every[name], seconds=seconds, svg=svg)
                total, leaves, frames = summary(stacks)
                print(f"\n{kind} {name}: {rate:,.0f} req/s under the sampler; {total:,} samples "
                      f"in requests -> {svg.relative_to(ROOT) if svg.is_relative_to(ROOT) else svg}")
                print("  where the request threads were (leaf frames):")
                for frame, share in leaves:
                    print(f"  {share:6.1%}  {frame}")
                print("  the product's frames, inclusive:")
                for frame, share in frames:
                    print(f"  {share:6.1%}  {frame}")
        finally:
            bench_http.stop(server)
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("routes", nargs="*", metavar="ROUTE",
                        help=f"one of {', '.join([*PRODUCT, 'bare_insert', 'bare_read', 'hello'])}; "
                             "default: the four product routes")
    parser.add_argument("--postgres", action="store_true", help="on PostgreSQL (default SQLite)")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "profiles")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    py_spy()
    unknown = set(args.routes) - {*PRODUCT, "bare_insert", "bare_read", "hello"}
    if unknown:
        parser.error(f"no such route: {', '.join(sorted(unknown))}")
    profile("postgresql" if args.postgres else "sqlite", args.routes or list(PRODUCT), seconds=args.seconds, out=args.out)


if __name__ == "__main__":
    main()
