"""A report's charts drawn straight onto a PDF page with fpdf2's vector primitives.

Why not the pygal SVG: fpdf2's SVG reader ignores `<style>` sheets, and pygal colours and
sizes every shape through one, so each chart came out as a solid black box. Rasterizing it
(cairosvg) needs the system's cairo library, which the deployment machines do not promise.
Drawing the same stored numbers with the same palette keeps the PDF vector, small and
dependency-free.
"""
from __future__ import annotations

import math

from fpdf import FPDF

from permits.core.pdf_font import FONT
from permits.reports.charts import PALETTE, Translate
from permits.reports.report import N_, Chart
from permits.reports.text import latin1

BAR_GAP = 0.25  # of each slot, left empty between bars
GRID = (215, 220, 226)
INK = (27, 31, 36)
MUTED = (91, 100, 112)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def chart_height(chart: Chart) -> float:
    if "horizontal" in chart.kind:
        return 22 + 7 * max(1, len(chart.labels)) + (8 if len(chart.series) > 1 else 0)
    return 64 + (8 if len(chart.series) > 1 else 0)


def draw_chart(pdf: FPDF, chart: Chart, *, x: float, y: float, width: float,
               translate: Translate) -> float:
    """Draw `chart` with its top-left corner at (x, y); returns the height used (mm)."""
    height = chart_height(chart)
    pdf.set_font(FONT, "B", 10)
    pdf.set_text_color(*INK)
    pdf.set_xy(x, y)
    unit = f" ({translate(chart.unit)})" if chart.unit else ""
    pdf.cell(width, 6, latin1(translate(chart.title) + unit))
    if chart.is_empty:
        pdf.set_font(FONT, "I", 9)
        pdf.set_xy(x, y + 8)
        pdf.cell(width, 5, latin1(translate(N_("Nothing to chart for this period"))))
        return 16
    legend = 8 if len(chart.series) > 1 else 0
    body_top, body_height = y + 8, height - 8 - legend
    if "horizontal" in chart.kind:
        _horizontal(pdf, chart, x, body_top, width, body_height)
    else:
        _vertical(pdf, chart, x, body_top, width, body_height)
    if legend:
        _legend(pdf, chart, x, y + height - legend + 2, translate)
    return height


def _stacked(chart: Chart) -> bool:
    return "stacked" in chart.kind


def _top(chart: Chart) -> float:
    if _stacked(chart):
        return max(sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.labels)))
    return max(v or 0 for s in chart.series for v in s.values)


def _step(chart: Chart) -> float:
    rough = _top(chart) / 5 or 1
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    counts = all(float(v).is_integer() for s in chart.series for v in s.values if v is not None)
    return max(step, 1) if counts else step


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _vertical(pdf, chart, x, y, width, height) -> None:
    axis_w, label_h = 14, 10
    plot_x, plot_w, plot_h = x + axis_w, width - axis_w, height - label_h
    step = _step(chart)
    ceiling = step * math.ceil(_top(chart) * 1.1 / step)
    scale = plot_h / ceiling
    pdf.set_font(FONT, "", 7)
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.2)
    tick = 0.0
    while tick <= ceiling + 1e-9:
        ty = y + plot_h - tick * scale
        pdf.line(plot_x, ty, plot_x + plot_w, ty)
        pdf.set_xy(x, ty - 2)
        pdf.set_text_color(*MUTED)
        pdf.cell(axis_w - 1, 4, _number(tick), align="R")
        tick += step
    slot = plot_w / len(chart.labels)
    groups = 1 if _stacked(chart) else len(chart.series)
    bar_w = slot * (1 - BAR_GAP) / groups
    for i, label in enumerate(chart.labels):
        base = y + plot_h
        for j, series in enumerate(chart.series):
            value = series.values[i] or 0
            bar_x = plot_x + i * slot + slot * BAR_GAP / 2 + (0 if groups == 1 else j * bar_w)
            pdf.set_fill_color(*rgb(PALETTE[j % len(PALETTE)]))
            if value:
                pdf.rect(bar_x, base - value * scale, bar_w, value * scale, style="F")
            if not _stacked(chart) and value:
                pdf.set_xy(bar_x, base - value * scale - 4)
                pdf.set_text_color(*INK)
                pdf.cell(bar_w, 4, _number(value), align="C")
            if _stacked(chart):
                base -= value * scale
        pdf.set_xy(plot_x + i * slot, y + plot_h + 1)
        pdf.set_text_color(*INK)
        pdf.cell(slot, 4, latin1(_fit(pdf, str(label), slot)), align="C")


def _horizontal(pdf, chart, x, y, width, height) -> None:
    label_w = min(70.0, width * 0.35)
    plot_x, plot_w = x + label_w + 2, width - label_w - 14
    row_h = height / max(1, len(chart.labels))
    scale = plot_w / (_top(chart) or 1)
    pdf.set_font(FONT, "", 7)
    for i, label in enumerate(chart.labels):
        row_y = y + i * row_h
        pdf.set_xy(x, row_y + row_h / 2 - 2)
        pdf.set_text_color(*INK)
        pdf.cell(label_w, 4, latin1(_fit(pdf, str(label), label_w)), align="R")
        start, total = plot_x, 0.0
        for j, series in enumerate(chart.series):
            value = series.values[i] or 0
            if value:
                pdf.set_fill_color(*rgb(PALETTE[j % len(PALETTE)]))
                pdf.rect(start, row_y + row_h * 0.15, value * scale, row_h * 0.7, style="F")
            start += value * scale
            total += value
        pdf.set_xy(start + 1, row_y + row_h / 2 - 2)
        pdf.cell(12, 4, _number(total))


def _legend(pdf, chart, x, y, translate) -> None:
    pdf.set_font(FONT, "", 7)
    cursor = x
    for j, series in enumerate(chart.series):
        name = latin1(translate(series.name))
        pdf.set_fill_color(*rgb(PALETTE[j % len(PALETTE)]))
        pdf.rect(cursor, y + 0.8, 3, 3, style="F")
        pdf.set_xy(cursor + 4, y)
        pdf.set_text_color(*INK)
        pdf.cell(pdf.get_string_width(name) + 2, 4.5, name)
        cursor += pdf.get_string_width(name) + 10


def _fit(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(latin1(text)) <= width - 1:
        return text
    while text and pdf.get_string_width(latin1(text + "...")) > width - 1:
        text = text[:-1]
    return text + "..."
