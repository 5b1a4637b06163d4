"""Helpers every API resource uses: the JSON body, typed fields, cursor paging."""
from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

from flask import request
from sqlalchemy import Select

from permits import db
from permits.api.errors import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    raw = request.get_data(cache=True)
    if not raw:
        raise ApiError(400, "malformed_json", "The request needs a JSON object body.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "malformed_json", f"The body is not valid JSON: {exc}.") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "malformed_json", "The body must be a JSON object.")
    return body


def parse_date(value: Any, field: str) -> date:
    if not isinstance(value, str):
        raise ApiError(400, "wrong_type", f"{field} must be a date string YYYY-MM-DD.",
                       {field: ["must be a date string YYYY-MM-DD"]})
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ApiError(422, "validation_failed", f"{field} is not a valid date.",
                       {field: ["is not a valid date (YYYY-MM-DD)"]}) from exc


def query_date(name: str = "on") -> date | None:
    value = request.args.get(name)
    return parse_date(value, name) if value else None


def _encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": last_id}).encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        return int(json.loads(base64.urlsafe_b64decode(cursor.encode()))["before"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError(400, "bad_cursor", "The cursor is not one this API gave out.",
                       {"cursor": ["not a cursor this API issued"]}) from exc


def page_limit() -> int:
    raw = request.args.get("limit", str(DEFAULT_LIMIT))
    try:
        limit = int(raw)
    except ValueError as exc:
        raise ApiError(400, "wrong_type", "limit must be a whole number.", {"limit": ["must be a whole number"]}) from exc
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(422, "validation_failed", f"limit must be between 1 and {MAX_LIMIT}.",
                       {"limit": [f"must be between 1 and {MAX_LIMIT}"]})
    return limit


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


def _row_id(row) -> int:
    return row.id if hasattr(row, "id") else row[0].id
