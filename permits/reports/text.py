"""How a report's values read as text, the same on the page and in the PDF."""
from __future__ import annotations

from datetime import date


def latin1(text) -> str:
    """`text` as the PDF prints it: the vendored DejaVu font (permits.core.pdf_font) has every
    character a report holds, so only None needs a word (the name is kept for its callers)."""
    return str(text if text is not None else "")


def cell_text(value, fmt: str) -> str:
    """One table cell: thousands separators, tonnes to 3 decimals, an em dash for nothing."""
    if value is None or value == "":
        return "—"
    if fmt == "int" and isinstance(value, int | float):
        return f"{value:,.0f}"
    if fmt == "tonnes" and isinstance(value, int | float):
        return f"{value:,.3f}"
    if fmt == "number" and isinstance(value, int | float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if fmt == "percent" and isinstance(value, int | float):
        return f"{value:+.1f} %"
    if fmt == "status":
        return str(value).replace("_", " ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
