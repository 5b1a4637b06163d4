"""Helpers every API resource uses: the JSON body, typed fields, cursor paging."""
from __future__ import annotations

import base64
import json
import re
from typing import Any

from flask import Response, request
from sqlalchemy import Select

from permits.api import json_text
from permits.core import db
from permits.core.ids import MAX_ID
from standards import problems
from standards.errors import Malformed, ValidationFailed, WrongType
from standards.messages import N_, Message

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def json_answer(value: Any, status: int = 200) -> Response:
    """`value` (plain JSON values, or `json_text.fragment`s of JSON text kept ready) as the answer
    `jsonify` would write (keys sorted, compact, a closing newline), without its per-request
    encoder: for the hot reads, whose answers are built as plain values."""
    return Response(json_text.dumps(value, newline=True), status=status, mimetype="application/json")


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    raw = request.get_data(cache=True)
    if not raw:
        raise Malformed(Message.of("api.body_needed", N_("The request needs a JSON object body.")))
    try:
        body = json.loads(raw, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed(Message.of("api.not_json", N_("The body is not valid JSON: %(problem)s."),
                                   problem=str(exc))) from exc
    except RecursionError as exc:
        raise Malformed(Message.of("api.too_deep", N_("The body is nested too deeply."))) from exc
    if not isinstance(body, dict):
        raise Malformed(Message.of("api.not_object", N_("The body must be a JSON object.")))
    _refuse_unstorable_text(body)
    return body


def _not_json(constant: str):
    # Python's parser takes NaN and Infinity, which JSON does not have (RFC 8259).
    raise ValueError(f"{constant} is not a JSON value")


MAX_DEPTH = 32  # no request nests past a handful of levels; deeper is a parser stress test


def _refuse_unstorable_text(body: dict[str, Any]) -> None:
    """422 naming the field (`origin.name`, `transporters[0].name`) whose text no database
    column can hold: PostgreSQL refuses NUL, and a lone surrogate (a valid JSON escape,
    "\\ud800") is no UTF-8 at all. Walked without recursion, however deep the body."""
    stack: list[tuple[str, Any, int]] = [("", body, 0)]
    while stack:
        path, node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Malformed(Message.of("api.nests_too_deep",
                                       N_("The body nests more than %(levels)s levels deep."),
                                       levels=MAX_DEPTH))
        if isinstance(node, dict):
            for key, value in node.items():
                child = f"{path}.{key}" if path else key
                _check_text(key, child)
                stack.append((child, value, depth + 1))
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", value, depth + 1) for i, value in enumerate(node))
        elif isinstance(node, str):
            _check_text(node, path)


def unstorable(text: str) -> str | None:
    """Why no database column can store `text`, or None when one can."""
    if "\x00" in text:
        return "must not contain a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text (an unpaired surrogate)"
    return None


def _check_text(text: str, field: str) -> None:
    problem = unstorable(text)
    if problem:
        raise ValidationFailed(f"{field} {problem}.", {field: [problem]})


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": last_id}).encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        before = json.loads(base64.urlsafe_b64decode(cursor.encode()))["before"]
    except (ValueError, KeyError, TypeError) as exc:
        raise bad_cursor() from exc
    # Only ids this API handed out: an id beyond the column's range is no cursor of ours.
    if not isinstance(before, int) or isinstance(before, bool) or not 1 <= before <= MAX_ID:
        raise bad_cursor()
    return before


def bad_cursor() -> Malformed:
    return Malformed(Message.of("api.bad_cursor", N_("The cursor is not one this API gave out.")),
                     {"cursor": [Message.of("api.bad_cursor_field", N_("not a cursor this API issued"))]},
                     code="bad_cursor")


def query_int(name: str, *, default: int | None = None, minimum: int = 1,
              maximum: int = MAX_ID) -> int | None:
    """A whole-number query parameter: 400 unless ASCII digits, 422 outside [minimum, maximum]."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[0-9]{1,18}", raw):  # no sign, space, other scripts' digits, 1e3
        raise WrongType(Message.of("api.query_whole", N_("%(name)s must be a whole number."), name=name),
                        {name: [problems.problem(problems.WHOLE)]})
    value = int(raw)
    if not minimum <= value <= maximum:
        raise ValidationFailed(
            Message.of("api.query_between", N_("%(name)s must be between %(low)s and %(high)s."),
                       name=name, low=str(minimum), high=str(maximum)),
            {name: [Message.of("api.between", N_("must be between %(low)s and %(high)s"),
                               low=str(minimum), high=str(maximum))]})
    return value


def page_limit() -> int:
    return query_int("limit", default=DEFAULT_LIMIT, maximum=MAX_LIMIT)


def paginate(statement: Select, id_column, serialize) -> dict[str, Any]:
    """Newest first by id, keyset-paged: `{"items", "total", "next"}` as API.md fixes."""
    from sqlalchemy import func, select

    session = db.session()
    limit = page_limit()
    total = session.execute(select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    cursor = request.args.get("cursor")
    if cursor:
        statement = statement.where(id_column < _decode_cursor(cursor))
    rows = session.exec(statement.order_by(id_column.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [serialize(row) for row in rows]
    next_cursor = _encode_cursor(_row_id(rows[-1])) if more and rows else None
    return {"items": items, "total": total, "next": next_cursor}


def page_asked(first, after, params: dict[str, Any]) -> tuple[Any, dict[str, Any], int]:
    """`paginate`'s paging for reads the caller runs itself (statements compiled once, newest
    first, each row led by its id): the page the request asks for (its `cursor` and `limit`), as
    which of `first` (what reads the first page) and `after` (what reads the page below a
    cursor's `before` id) to run, with `params` and a `limit` of one row more than the page (is
    there a next one?), and the limit."""
    limit = page_limit()
    cursor = request.args.get("cursor")
    if cursor:
        return after, {**params, "before": _decode_cursor(cursor), "limit": limit + 1}, limit
    return first, {**params, "limit": limit + 1}, limit


def page_answer(rows: list, *, limit: int, total: int, serialize) -> dict[str, Any]:
    """`{"items", "total", "next"}` from a page's rows as read (newest first, the id first, at
    most `limit` + 1 of them)."""
    more = len(rows) > limit
    rows = rows[:limit]
    items = [serialize(row) for row in rows]
    next_cursor = _encode_cursor(rows[-1][0]) if more and rows else None
    return {"items": items, "total": total, "next": next_cursor}


def _row_id(row) -> int:
    return row.id if hasattr(row, "id") else row[0].id
