"""The PDFs' font: DejaVu Sans, vendored under static/fonts, so any name (Sofía, Bajío, Québec,
Łódź) prints as written; the core PDF fonts cover Latin-1 only and print the rest as "?"."""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONT = "DejaVu"
FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf",
          # No oblique cut is vendored: italic text is set upright rather than faked.
          "I": "DejaVuSans.ttf", "BI": "DejaVuSans-Bold.ttf"}


def add_font(pdf: FPDF) -> str:
    """Register the font's styles on `pdf`; returns the family name to pass to set_font."""
    for style, name in _FILES.items():
        pdf.add_font(FONT, style=style, fname=str(FONTS / name))
    return FONT
