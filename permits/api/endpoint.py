"""`@endpoint`: the one wrapper every API view goes through.

It authenticates and checks the role (the guard), replays idempotent POSTs, turns the
view's return value into JSON, and commits the request's one transaction.
"""
from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Response, g, jsonify, request

from permits.accounts.auth import guard, public
from permits.api import idempotency
from permits.api.common import unstorable
from permits.core import db
from standards.errors import NotFound, ValidationFailed


def endpoint(*roles: str, status: int = 200, is_public: bool = False):
    """Declare an API view: who may call it (`roles`, or `is_public`) and its success status.

    The view returns a JSON-able value (dict or list) and never commits; a raised
    domain error (`standards.errors`) rolls everything back.
    """

    def decorate(view):
        @wraps(view)
        def run(*args, **kwargs):
            _refuse_unstorable_url(kwargs)
            if request.method == "POST" and not is_public:
                return idempotency.replay_or_run(lambda: _execute(view, status, args, kwargs))
            return _execute(view, status, args, kwargs)

        return public(run) if is_public else guard(*roles)(run)

    return decorate


def _refuse_unstorable_url(path_args: dict[str, Any]) -> None:
    """Text no database column can hold (a NUL, %00) never reaches a query: in the path it
    names no record (404), in the query string it is a parameter that is not valid (422)."""
    for name, value in path_args.items():
        if isinstance(value, str) and unstorable(value):
            raise NotFound(f"No such {name}.")
    for name, value in request.args.items(multi=True):
        problem = unstorable(value) or unstorable(name)
        if problem:
            raise ValidationFailed(f"{name} {problem}.", {name: [problem]})


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
