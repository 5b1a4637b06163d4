"""`@endpoint`: the one wrapper every API view goes through.

It authenticates and checks the role (the guard), replays idempotent POSTs, turns the
view's return value into JSON, and commits the request's one transaction.
"""
from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Response, g, jsonify, request

from permits import db
from permits.api import idempotency
from permits.auth import guard, public


def endpoint(*roles: str, status: int = 200, is_public: bool = False):
    """Declare an API view: who may call it (`roles`, or `is_public`) and its success status.

    The view returns a JSON-able value (dict or list) and never commits; a raised
    ApiError or domain error rolls everything back.
    """

    def decorate(view):
        @wraps(view)
        def run(*args, **kwargs):
            if request.method == "POST" and not is_public:
                return idempotency.replay_or_run(lambda: _execute(view, status, args, kwargs))
            return _execute(view, status, args, kwargs)

        return public(run) if is_public else guard(*roles)(run)

    return decorate


def _execute(view, status: int, args, kwargs) -> Response:
    result: Any = view(*args, **kwargs)
    if isinstance(result, Response):
        response = result
    else:
        response = jsonify(result)
        response.status_code = status
    before_commit = g.pop("parity_before_commit", None)
    if before_commit is not None:
        before_commit(response)
    db.session().commit()
    return response
