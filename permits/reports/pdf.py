"""A stored report as a PDF: its totals, then each section's charts and tables, with the
version and the content hash on every page so a printed copy can be checked against the record.

Set in the vendored DejaVu Sans (permits.core.pdf_font), so every name prints as written.
"""
from __future__ import annotations

from fpdf import FPDF
from fpdf.fonts import FontFace

from permits.core.pdf_font import FONT, add_font
from permits.reports.charts import Translate
from permits.reports.pdf_charts import chart_height, draw_chart
from permits.reports.report import N_, Report, Section, Table
from permits.reports.text import cell_text, latin1

HEADING = (11, 79, 108)
HEADER_FILL = (238, 241, 244)
NUMERIC = ("int", "tonnes", "number", "percent")


class ReportPDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="L", format="letter")
        self.footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=14)
        self.set_margins(12, 12, 12)
        add_font(self)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, "", 7)
        self.set_text_color(91, 100, 112)
        self.cell(0, 4, latin1(f"{self.footer_text}   {self.page_no()}/{{nb}}"), align="R")


def render_pdf(report: Report, *, version: int, content_hash: str,
               translate: Translate = lambda s: s) -> bytes:
    t = translate
    pdf = ReportPDF(f"{t(report.title)} {report.period} · v{version} · sha256 {content_hash}")
    pdf.set_title(latin1(f"{t(report.title)} {report.period}"))
    pdf.set_creator("Parity")
    pdf.add_page()
    _heading(pdf, report, version, content_hash, t)
    _totals(pdf, report, t)
    for section in report.sections:
        _section(pdf, section, t)
    return bytes(pdf.output())


# One sentence, so that each language orders it its own way (pybabel reads no f-string).
_COVERS = N_("Covers %(start)s - %(end)s; generated %(when)s UTC; version %(version)s")


def _heading(pdf: ReportPDF, report: Report, version: int, content_hash: str, t: Translate) -> None:
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(*HEADING)
    pdf.cell(0, 9, latin1(f"{t(report.title)}: {report.period}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(27, 31, 36)
    lines = [
        t(_COVERS) % {"start": cell_text(report.period_start, "date"), "end": cell_text(report.period_end, "date"),
                      "when": f"{cell_text(report.generated_at.date(), 'date')} {report.generated_at:%H:%M}",
                      "version": version},
        f"sha256 {content_hash}",
    ]
    for line in lines:
        pdf.cell(0, 5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _totals(pdf: ReportPDF, report: Report, t: Translate) -> None:
    pdf.set_font(FONT, "", 8)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(col_widths=(3, 1) * 3, text_align=("LEFT", "RIGHT") * 3, first_row_as_headings=False,
                   borders_layout="HORIZONTAL_LINES", line_height=5) as table:
        cells = [(t(total.label), cell_text(total.value, total.format)) for total in report.totals]
        for start in range(0, len(cells), 3):
            row = table.row()
            for label, value in cells[start:start + 3]:
                row.cell(latin1(label))
                row.cell(latin1(value))
            for _ in range(3 - len(cells[start:start + 3])):
                row.cell("")
                row.cell("")
    pdf.ln(4)


def _section(pdf: ReportPDF, section: Section, t: Translate) -> None:
    first = chart_height(section.charts[0]) if section.charts else 30
    if pdf.get_y() + 10 + first > pdf.h - 16:  # keep the heading with what follows it
        pdf.add_page()
    pdf.set_font(FONT, "B", 13)
    pdf.set_text_color(*HEADING)
    pdf.cell(0, 8, latin1(t(section.title)), new_x="LMARGIN", new_y="NEXT")
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for chart in section.charts:
        if pdf.get_y() + chart_height(chart) > pdf.h - 16:
            pdf.add_page()
        top = pdf.get_y()
        used = draw_chart(pdf, chart, x=pdf.l_margin, y=top, width=min(width, 200), translate=t)
        pdf.set_xy(pdf.l_margin, top + used + 3)
    for table in section.tables:
        _table(pdf, table, t)


def _table(pdf: ReportPDF, table: Table, t: Translate) -> None:
    if pdf.get_y() > pdf.h - 40:  # keep a table's title with its first rows
        pdf.add_page()
    pdf.set_font(FONT, "B", 10)
    pdf.set_text_color(27, 31, 36)
    pdf.cell(0, 6, latin1(t(table.title)), new_x="LMARGIN", new_y="NEXT")
    if table.note:
        pdf.set_font(FONT, "I", 8)
        pdf.multi_cell(0, 4, latin1(t(table.note)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 7 if len(table.columns) > 9 else 8)
    if not table.rows:
        pdf.set_font(FONT, "I", 8)
        pdf.cell(0, 5, latin1(t(N_("Nothing in this period."))), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        return
    pdf.set_fill_color(255, 255, 255)  # a chart's last bar colour would fill the cells
    align = tuple("RIGHT" if c.format in NUMERIC else "LEFT" for c in table.columns)
    with pdf.table(text_align=align, line_height=4, col_widths=_widths(pdf, table, t), padding=1,
                   borders_layout="HORIZONTAL_LINES", repeat_headings=1,
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEADER_FILL)) as grid:
        heading = grid.row()
        for column in table.columns:
            heading.cell(latin1(t(column.label)))
        for values in table.rows:
            row = grid.row()
            for column, value in zip(table.columns, values, strict=True):
                row.cell(latin1(cell_text(value, column.format)))
    pdf.ln(3)


def _widths(pdf: ReportPDF, table: Table, t: Translate) -> tuple[float, ...]:
    """Never narrower than a heading's longest word; the rest of the page shared out by how
    much more each column's longest cell (up to a cap) would like."""
    size = pdf.font_size_pt
    least, wanted = [], []
    for index, column in enumerate(table.columns):
        pdf.set_font(FONT, "B", size)
        heading = max(pdf.get_string_width(latin1(word)) for word in t(column.label).split()) + 3
        pdf.set_font(FONT, "", size)
        cells = max((pdf.get_string_width(latin1(cell_text(row[index], column.format)))
                     for row in table.rows), default=0) + 3
        least.append(heading)
        wanted.append(max(heading, min(cells, 48)))
    room = pdf.w - pdf.l_margin - pdf.r_margin
    if sum(wanted) <= room:
        return tuple(wanted)
    spare, extra = room - sum(least), [w - m for w, m in zip(wanted, least, strict=True)]
    share = spare / sum(extra) if sum(extra) and spare > 0 else 0
    return tuple(m + e * share for m, e in zip(least, extra, strict=True))
