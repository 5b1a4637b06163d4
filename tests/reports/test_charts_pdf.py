"""Every chart of every report is valid SVG without script, with alt text that carries its
numbers; the PDF is a PDF with the report's title and hash in it."""
from __future__ import annotations

import io
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from permits import reports
from permits.reports.charts import alt_text, render_svg
from permits.reports.pdf import render_pdf
from permits.reports.report import Chart, Series
from tests.reports.conftest import PERIODS

SVG = "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("kind", sorted(PERIODS))
def test_every_chart_is_svg_without_script(session, world, kind):
    report = reports.build(session, kind, PERIODS[kind])
    charts = [c for s in report.sections for c in s.charts]
    assert charts
    for chart in charts:
        svg = render_svg(chart)
        assert ElementTree.fromstring(svg).tag == SVG
        assert b"<script" not in svg and b"javascript" not in svg.lower()


def test_alt_text_summarizes_the_values():
    chart = Chart("t", "Tonnes by country", "stacked_bar", ["CA", "MX"],
                  [Series("eaf_dust", [0, 30.5]), Series("slag", [8, None])], unit="t")
    assert alt_text(chart) == "Tonnes by country. CA: slag 8 t; MX: eaf_dust 30.5 t."
    empty = Chart("e", "Nothing", "bar", [], [])
    assert "nothing to chart" in alt_text(empty)


def test_alt_text_of_a_long_chart_points_to_the_table():
    labels = [f"F{i}" for i in range(20)]
    chart = Chart("h", "Intensity", "horizontal_bar", labels, [Series("t", list(range(1, 21)))])
    text = alt_text(chart)
    assert "F11: t 12" in text and "F12" not in text and "(+8)" in text


def test_a_chart_kind_must_be_known():
    with pytest.raises(ValueError, match="kind"):
        Chart("x", "X", "pie", [], [])


@pytest.mark.parametrize("kind", sorted(PERIODS))
def test_the_pdf_is_a_pdf_carrying_title_and_hash(session, world, kind):
    report = reports.build(session, kind, PERIODS[kind])
    body = render_pdf(report, version=3, content_hash="ab" * 32)
    assert body.startswith(b"%PDF-")
    text = _pdf_text(body)
    assert "ab" * 32 in text and report.period in text


def _pdf_text(body: bytes) -> str:
    """The text a reader extracts (an embedded TrueType font draws glyph ids, not letters)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
