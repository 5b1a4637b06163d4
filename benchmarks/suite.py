"""What every benchmark reports: figures with their aims, printed as one table and written as JSON."""
from __future__ import annotations

import json
import operator
import platform
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

COMPARE = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}


@dataclass
class Figure:
    """One measured number, what it is measured in, and the aim it is held to (if any)."""

    name: str
    value: float
    unit: str
    aim: str | None = None  # e.g. ">= 0.5": the value must compare so
    note: str = ""
    samples: list[float] = field(default_factory=list)

    @property
    def met(self) -> bool | None:
        if self.aim is None:
            return None
        sign, _, bound = self.aim.partition(" ")
        return COMPARE[sign](self.value, float(bound))

    def as_dict(self) -> dict:
        return {**asdict(self), "met": self.met}


def median_of(runs: int, measure: Callable[[], float]) -> tuple[float, list[float]]:
    samples = [measure() for _ in range(runs)]
    return statistics.median(samples), samples


def format_value(figure: Figure) -> str:
    value = figure.value
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if value < 10 else f"{value:.1f}"
    return f"{text} {figure.unit}".strip()


def table(figures: list[Figure]) -> str:
    rows = [("figure", "value", "aim", "met?")]
    for f in figures:
        met = {True: "yes", False: "NO", None: "-"}[f.met]
        rows.append((f.name, format_value(f), f.aim or "", met))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {f.name}: {f.note}" for f in figures if f.note]
    return "\n".join(lines + (["", "notes:"] + notes if notes else []))


def write_json(figures: list[Figure], path: Path, *, quick: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "figures": [f.as_dict() for f in figures],
    }, indent=2, ensure_ascii=False) + "\n")


# Peak resident memory of the process that runs this, for the benchmarks' fresh processes to
# paste in. Not `getrusage(...).ru_maxrss`: Linux carries that across fork and exec, so a child
# started by a parent that had just seeded a million rows reported the parent's peak as its own.
# VmHWM belongs to the process's own address space, which exec makes new.
PEAK_RSS_KIB = '''
def peak_rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")
'''
