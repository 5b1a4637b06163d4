"""How a report's values read as text, the same on the page and in the PDF."""
from __future__ import annotations

from datetime import date

from babel import numbers
from babel.dates import format_date
from flask import has_request_context
from flask_babel import get_locale


def latin1(text) -> str:
    """`text` as the PDF prints it: the vendored DejaVu font (permits.core.pdf_font) has every
    character a report holds, so only None needs a word (the name is kept for its callers)."""
    return str(text if text is not None else "")


def _reader_locale() -> str:
    """The reader's locale during a request (page, PDF); English elsewhere (CLI, CSV jobs)."""
    if has_request_context():
        return str(get_locale() or "en")
    return "en"


def cell_text(value, fmt: str) -> str:
    """One table cell in the reader's notation: thousands grouped, tonnes to 3 decimals, a
    state or kind in words, a date as the locale writes it, an em dash for nothing."""
    if value is None or value == "":
        return "—"
    locale = _reader_locale()
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if fmt == "int" and number:
        return numbers.format_decimal(value, format="#,##0", locale=locale)
    if fmt == "tonnes" and number:
        return numbers.format_decimal(value, format="#,##0.000", locale=locale)
    if fmt == "number" and number:
        return numbers.format_decimal(value, format="#,##0.##" if value % 1 else "#,##0", locale=locale)
    if fmt == "percent" and number:
        return numbers.format_decimal(value, format="+0.0;-0.0", locale=locale) + " %"
    if fmt == "status":
        if has_request_context():
            from permits.web.labels import state_label

            return state_label(value)
        return str(value).replace("_", " ")
    if isinstance(value, date):
        return format_date(value, "medium", locale=locale) if has_request_context() else value.isoformat()
    return str(value)
