"""A small inline SVG chart of one standard's evidence over time, drawn on the server (no JS).

Measurements are points joined by a line, the facility's binding limit and the U.S. value are
horizontal lines. Only standing entries are drawn; superseded ones stay in the table below it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

WIDTH, HEIGHT, PAD = 320, 90, 8


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    points: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, title
    us_line: float | None = None
    limit_line: float | None = None
    label: str = ""

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in self.points)


def evidence_chart(measurements: list[tuple[date, float]], *, us_value: float | None,
                   limit: float | None, unit: str | None) -> Chart | None:
    """None when there is nothing to draw (no numeric measurement)."""
    if not measurements:
        return None
    measurements = sorted(measurements)
    values = [v for _, v in measurements]
    references = [v for v in (us_value, limit) if v is not None]
    low, high = min([0.0, *values, *references]), max([*values, *references])
    if high == low:
        high = low + 1.0
    first, last = measurements[0][0].toordinal(), measurements[-1][0].toordinal()
    span = max(last - first, 1)

    def x(day: date) -> float:
        if last == first:
            return WIDTH / 2
        return PAD + (day.toordinal() - first) / span * (WIDTH - 2 * PAD)

    def y(value: float) -> float:
        return HEIGHT - PAD - (value - low) / (high - low) * (HEIGHT - 2 * PAD)

    unit_text = f" {unit}" if unit else ""
    return Chart(
        points=[(x(day), y(v), f"{day.isoformat()}: {v:g}{unit_text}") for day, v in measurements],
        us_line=y(us_value) if us_value is not None else None,
        limit_line=y(limit) if limit is not None else None,
        label=f"{len(measurements)} measurement(s) from {measurements[0][0].isoformat()} "
              f"to {measurements[-1][0].isoformat()}",
    )
