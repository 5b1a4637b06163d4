"""`python -m benchmarks [--quick] [--only NAME ...] [--json PATH] [--no-postgres]`: every benchmark
in one run, one table (figure, value, aim, met?) and the same as JSON."""
from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from benchmarks.suite import Figure, table, write_json

# Cheapest first, so that a quick look fails fast.
BENCHMARKS = {
    "equivalence": "benchmarks.bench_equivalence",
    "decisions": "benchmarks.bench_decisions",
    "http": "benchmarks.bench_http",
    "registry": "benchmarks.bench_registry",
    "reports": "benchmarks.bench_reports",
    "audit": "benchmarks.bench_audit",
}
DEFAULT_JSON = Path(__file__).resolve().parent / "results.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="reduced sizes and durations: a CI-sized look in under 3 minutes")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), metavar="NAME",
                        help=f"run only these ({', '.join(BENCHMARKS)})")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"default: {DEFAULT_JSON}")
    parser.add_argument("--no-postgres", action="store_true",
                        help="SQLite only (PostgreSQL runs when the local server answers)")
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    failed: list[str] = []
    started = time.perf_counter()
    for name in args.only or BENCHMARKS:
        print(f"== {name} ...", file=sys.stderr, flush=True)
        began = time.perf_counter()
        try:
            module = importlib.import_module(BENCHMARKS[name])
            found = module.run(quick=args.quick, postgres=not args.no_postgres)
        except Exception as error:  # noqa: BLE001 - one broken benchmark must not lose the others
            traceback.print_exc()
            failed.append(name)
            found = [Figure(f"{name}: FAILED", 0, "", note=f"{type(error).__name__}: {error}"[:300])]
        print(f"   {len(found)} figures in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        print(table(found), file=sys.stderr, flush=True)  # a long run shows each as it ends
        figures += found
        write_json(figures, args.json, quick=args.quick)  # and a crash keeps what was measured
    print(table(figures))
    print(f"\n{sum(f.met is True for f in figures)} of {sum(f.met is not None for f in figures)} "
          f"aims met; {time.perf_counter() - started:.0f} s in all"
          + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    print(f"written to {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
