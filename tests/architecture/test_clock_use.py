"""Every "now" and "today" comes from `standards.clock`: the machine's local date (or an unpinned
clock) in the code or the tests is a failure here, at any hour, not only when the local date and
the UTC date differ."""
import ast
from pathlib import Path

from tests.architecture.import_graph import ROOT, module_files

# The clock itself; and the crash test, whose server subprocess runs on the machine's clock.
ALLOWED = {"standards.clock", "tests.shipments.test_crash_safety"}
READINGS = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today")}


def clock_readings(source: str) -> list[int]:
    """Line numbers of `date.today()`, `datetime.now()`, `datetime.utcnow()`, `datetime.today()`."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and (node.func.value.id, node.func.attr) in READINGS]


def _test_modules() -> dict[str, Path]:
    return {".".join(p.relative_to(ROOT).with_suffix("").parts): p
            for p in (ROOT / "tests").rglob("*.py")}


def test_nothing_reads_the_machines_clock_but_the_clock():
    found = [f"{name}:{line}" for name, path in {**module_files(), **_test_modules()}.items()
             if name not in ALLOWED for line in clock_readings(path.read_text())]
    assert found == []


def test_the_check_finds_each_way_of_reading_the_machines_clock():
    source = ("from datetime import date, datetime, UTC\n"
              "a = date.today()\nb = datetime.now(UTC)\nc = datetime.utcnow()\nd = clock.today()\n")
    assert clock_readings(source) == [2, 3, 4]
