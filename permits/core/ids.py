"""What a record id can be: the range of the INTEGER id columns, and the URL converter that
keeps a path id within what the databases can compare."""
from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

# Every table's id is an INTEGER column: int4 on PostgreSQL. A larger number names no record.
MAX_ID = 2**31 - 1


def is_record_id(value: Any) -> bool:
    """A whole number (not a bool) that could be some record's id."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def _at_most(limit: int) -> str:
    """A regular expression for the decimal numbers 0..limit in ASCII digits."""
    digits = str(limit)
    options = [f"[0-9]{{1,{len(digits) - 1}}}"]  # fewer digits than the limit
    for i, digit in enumerate(digits):  # the limit's first i digits, then a smaller one
        if digit != "0":
            options.append(f"{digits[:i]}[0-{int(digit) - 1}][0-9]{{{len(digits) - i - 1}}}")
    options.append(digits)
    return "|".join(options)


class RecordIdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits of a number up to MAX_ID, else 404.

    werkzeug's `\\d+` also takes other scripts' digits and any length; past MAX_ID the id
    columns cannot even be compared (PostgreSQL: integer out of range; SQLite past 64 bits:
    OverflowError), a 500. The bound is in the pattern, not in `to_python`: a converter that
    refuses a value it matched makes werkzeug answer 405 on a path that other methods share.
    """

    regex = _at_most(MAX_ID)
