"""Numbers, dates and decimals in the reader's locale (Babel), as template filters, and the
decimal comma that Mexican and Québec readers type into tonnage and measurement fields."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel import numbers
from flask import Blueprint
from flask_babel import format_date, format_time, get_locale
from wtforms import DecimalField

from standards.vocabulary import kg_to_exact_tonnes

bp = Blueprint("formats", __name__)

# Where a decimal comma is what people type (es, fr); in English "12,5" stays an error,
# since there a comma separates thousands.
COMMA_LANGUAGES = {"es", "fr"}
_ONE_COMMA = re.compile(r"^\s*[-+]?\d*,\d+\s*$")


def decimal_text(typed: str | None) -> str | None:
    """`typed` with a decimal comma read as a point, in a language that writes one; anything
    else as typed, for the field's own validation to judge. The form keeps showing what was typed."""
    if typed is None or str(get_locale().language) not in COMMA_LANGUAGES:
        return typed
    return typed.replace(",", ".") if _ONE_COMMA.match(typed) else typed


def _plain(value) -> Decimal | None:
    """Six significant digits, as "%g" always showed them; None for no value."""
    if value is None or value == "":
        return None
    try:
        return Decimal(f"{float(value):g}")
    except (InvalidOperation, TypeError, ValueError):
        return None


@bp.app_template_filter("number")
def number(value) -> str:
    """1234.5 -> "1,234.5" / "1.234,5" / "1 234,5"; "—" for no value."""
    plain = _plain(value)
    return "—" if plain is None else numbers.format_decimal(plain, locale=get_locale(),
                                                                   decimal_quantization=False)


@bp.app_template_filter("tonnes")
def tonnes(kilograms) -> str:
    """Stored whole kilograms as tonnes, every gram kept (exact in decimal)."""
    if kilograms is None:
        return "—"
    return numbers.format_decimal(kg_to_exact_tonnes(int(kilograms)), locale=get_locale(),
                                  decimal_quantization=False)


@bp.app_template_filter("percent")
def percent(fraction, digits: int = 1) -> str:
    """0.125 -> "12.5%" / "12,5 %"."""
    if fraction is None:
        return "—"
    pattern = get_locale().percent_formats[None].pattern
    decimals = "." + "#" * digits if digits else ""
    return numbers.format_percent(fraction, format=re.sub(r"0(\W*%)", "0" + decimals + r"\1", pattern),
                                  locale=get_locale())


def quantity(value, unit: str | None) -> str:
    """A value with its unit, as the reader writes it: "2.97%" / "2,97 %" / "2,97 %" (the
    locale's own percent spacing), "1,234.5 µg/m³" / "1.234,5 µg/m³" / "1 234,5 µg/m³"."""
    shown = number(value)
    if not unit:
        return shown
    if unit == "%":
        pattern = get_locale().percent_formats[None].pattern
        # What the locale puts after the number: "%" (en), "\xa0%" (es), "\u202f%" (fr)
        return shown + pattern[pattern.rindex("0") + 1:]
    return f"{shown}\u00a0{unit}"


@bp.app_template_filter("day")
def day(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, "medium")


@bp.app_template_filter("moment")
def moment(value: datetime | None, seconds: bool = False) -> str:
    """A stored UTC time as the date in the reader's words and a 24-hour clock, "UTC" said."""
    if value is None:
        return "—"
    return f"{format_date(value, 'medium')} {format_time(value, 'HH:mm:ss' if seconds else 'HH:mm')} UTC"


class LocalDecimalField(DecimalField):
    """A DecimalField that reads a decimal comma in es/fr; the box shows back what was typed
    (WTForms keeps `raw_data` for that)."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [decimal_text(valuelist[0]), *valuelist[1:]]
        super().process_formdata(valuelist)
