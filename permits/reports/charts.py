"""A report's charts as standalone SVG, drawn on the server with pygal, and their alt text.

pygal always writes an inline `<script>` with its tooltip configuration, even with `js=[]`;
the Content-Security-Policy forbids inline script, and an `<img>` would not run it anyway, so
it is cut out of the tree before the SVG is serialized.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from xml.etree import ElementTree

import pygal
from pygal.style import Style

from permits.reports.report import N_, Chart
from permits.web.labels import in_words

Translate = Callable[[str], str]
# Okabe & Ito's palette: told apart by people with any common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
_CLASSES = {
    "bar": pygal.Bar,
    "stacked_bar": pygal.StackedBar,
    "horizontal_bar": pygal.HorizontalBar,
    "stacked_horizontal_bar": pygal.HorizontalStackedBar,
}
ALT_LABELS = 12
WIDTH = 640


def _identity(text: str) -> str:
    return text


STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#1b1f24",
    foreground_strong="#1b1f24", foreground_subtle="#5b6470", colors=PALETTE,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    title_font_size=18, label_font_size=14, major_label_font_size=14, legend_font_size=14,
    value_font_size=14, opacity="1", opacity_hover="1", transition="0s",
)


def height_of(chart: Chart) -> int:
    """Horizontal bars grow with their labels, so that each stays readable."""
    if chart.kind.startswith("stacked_horizontal") or chart.kind == "horizontal_bar":
        return max(260, 110 + 34 * len(chart.labels))
    return 380


def render_svg(chart: Chart, *, translate: Translate = _identity, width: int = WIDTH) -> bytes:
    horizontal = "horizontal" in chart.kind
    stacked = chart.kind.startswith("stacked")
    unit = translate(chart.unit) if chart.unit else None
    drawing = _CLASSES[chart.kind](
        js=[], style=STYLE, width=width, height=height_of(chart), explicit_size=True,
        title=translate(chart.title), show_legend=len(chart.series) > 1, legend_at_bottom=True,
        # Stacked segments would need their numbers inside, on colours of every lightness;
        # the table beside the chart carries them instead.
        print_values=not stacked and len(chart.labels) <= 20, print_values_position="top",
        print_zeroes=False, truncate_label=48, truncate_legend=40,
        x_label_rotation=0 if horizontal or len(chart.labels) <= 6 else 30,
        no_data_text=translate(N_("Nothing to chart for this period")), margin=12,
        x_title=unit if horizontal else None, y_title=None if horizontal else unit,
        **_scale(chart),
    )
    # pygal draws the first horizontal bar at the bottom; reversed, it reads like the table.
    order = slice(None, None, -1) if horizontal else slice(None)
    drawing.x_labels = [in_words(label) for label in chart.labels][order]
    for series in chart.series:
        drawing.add(translate(series.name), list(series.values)[order])
    return without_scripts(drawing.render_tree())


def _scale(chart: Chart) -> dict:
    """Room above the tallest bar for its number, and whole-number ticks for counts."""
    values = [v or 0 for s in chart.series for v in s.values]
    if chart.kind.startswith("stacked"):
        values = [sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.labels))]
    top = max(values, default=0)
    if top <= 0:
        return {}
    options = {"range": (0, top * 1.12), "min_scale": 2, "max_scale": 8}
    if all(float(v).is_integer() for s in chart.series for v in s.values if v is not None):
        step = _nice_step(top / 6)
        options.update(y_labels=list(range(0, int(top * 1.12) + 1, step)),
                       value_formatter=lambda v: f"{v:,.0f}")
    return options


def _nice_step(rough: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 ... at least `rough`: ticks a person reads at a glance."""
    power = 10 ** max(0, math.floor(math.log10(max(rough, 1))))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough)


def without_scripts(root: ElementTree.Element) -> bytes:
    for parent in list(root.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    ElementTree.register_namespace("", "http://www.w3.org/2000/svg")
    ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


# Outside the f-strings below: pybabel reads no f-string.
_NOTHING = N_("nothing to chart for this period")
_MORE = N_("and more in the table")


def alt_text(chart: Chart, *, translate: Translate = _identity) -> str:
    """The chart in one sentence per label, for people who cannot see it (the table has all)."""
    title = translate(chart.title)
    if chart.is_empty:
        return f"{title}: {translate(_NOTHING)}."
    unit = f" {translate(chart.unit)}" if chart.unit else ""
    parts = []
    for index, label in enumerate(chart.labels[:ALT_LABELS]):
        values = [(translate(s.name), s.values[index]) for s in chart.series]
        shown = [f"{name} {_number(v)}{unit}" for name, v in values if v]
        parts.append(f"{in_words(label)}: {', '.join(shown) if shown else 0}")
    more = len(chart.labels) - ALT_LABELS
    tail = f"; {translate(_MORE)} (+{more})" if more > 0 else ""
    return f"{title}. " + "; ".join(parts) + tail + "."


def _number(value) -> str:
    return f"{value:,.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
