"""Whole numbers from a page's query string (page, version): a number past any real one, or not
a number at all, is a 400 naming the parameter, never an overflow deep in a query (a 500)."""
from __future__ import annotations

from flask import abort, request

# Far beyond any real page or version, and within every database's integer columns.
MAX_WHOLE = 1_000_000


def whole_arg(name: str, default: int | None = None, *, maximum: int = MAX_WHOLE) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(maximum)) or not 1 <= int(raw) <= maximum:
        abort(400, description=f"{name} must be a whole number from 1 to {maximum:,}.")
    return int(raw)


def page_number() -> int:
    return whole_arg("page", 1) or 1
