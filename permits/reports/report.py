"""The shape every report takes: sections of tables and charts, and its headline totals.

A `Report` is plain data, turned to JSON once and stored; pages, charts and the PDF are all
drawn from the stored JSON, so a report reads years later exactly as it was published.
Labels are English message ids marked with `N_` and translated when they are shown.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from permits.core.canonical import canonical_json
from permits.reports.period import Period
from standards.clock import utcnow
from standards.vocabulary import kg_to_tonnes

# Column formats the pages and the PDF know how to show.
FORMATS = ("text", "int", "tonnes", "number", "date", "status", "percent")
CHART_KINDS = ("bar", "stacked_bar", "horizontal_bar", "stacked_horizontal_bar")


def N_(message: str) -> str:
    """Mark a label for extraction; it is stored in English and translated when shown."""
    return message


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    format: str = "text"


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.key}: a row has {len(row)} cells for "
                                 f"{len(self.columns)} columns")


@dataclass
class Series:
    name: str
    values: list[float | None]


@dataclass
class Chart:
    key: str  # unique in its report: the chart's address is .../charts/<key>.svg
    title: str
    kind: str
    labels: list[str]
    series: list[Series]
    unit: str = ""
    note: str = ""  # e.g. "the 30 largest of 120", so a cut chart says so

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"chart {self.key}: kind must be one of {', '.join(CHART_KINDS)}")

    @property
    def is_empty(self) -> bool:
        return not self.labels or not any(v for s in self.series for v in s.values)


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    note: str = ""


@dataclass
class Total:
    key: str
    label: str
    value: float | int | None
    format: str = "int"


@dataclass
class Report:
    kind: str
    period: str
    generated_at: datetime
    title: str
    period_start: date
    period_end: date  # the last day the report covers
    sections: list[Section] = field(default_factory=list)
    totals: list[Total] = field(default_factory=list)
    public: bool = False

    def to_dict(self) -> dict[str, Any]:
        return jsonable(asdict(self))

    def chart(self, key: str) -> Chart | None:
        return next((c for s in self.sections for c in s.charts if c.key == key), None)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        sections = [
            Section(key=s["key"], title=s["title"], note=s.get("note", ""),
                    tables=[Table(key=t["key"], title=t["title"], note=t.get("note", ""),
                                  columns=[Column(**c) for c in t["columns"]], rows=t["rows"])
                            for t in s["tables"]],
                    charts=[Chart(key=c["key"], title=c["title"], kind=c["kind"],
                                  labels=c["labels"], unit=c.get("unit", ""), note=c.get("note", ""),
                                  series=[Series(**x) for x in c["series"]])
                            for c in s["charts"]])
            for s in data["sections"]
        ]
        return cls(kind=data["kind"], period=data["period"],
                   generated_at=datetime.fromisoformat(data["generated_at"]), title=data["title"],
                   period_start=date.fromisoformat(data["period_start"]),
                   period_end=date.fromisoformat(data["period_end"]), sections=sections,
                   totals=[Total(**t) for t in data["totals"]], public=data.get("public", False))


def new_report(*, kind: str, title: str, period: Period, public: bool = False) -> Report:
    """A report of `period` generated now, its sections and totals still to come."""
    return Report(kind=kind, period=period.label, generated_at=utcnow(), title=title,
                  period_start=period.start, period_end=period.last_day, public=public)


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the content's canonical JSON (sorted keys, no spaces)."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


def tonnes(kg: int | float | None) -> float:
    return round(kg_to_tonnes(kg or 0), 3)


Progress = Callable[[str], None]


def quiet(_message: str) -> None:
    """The default progress reporter: says nothing."""
