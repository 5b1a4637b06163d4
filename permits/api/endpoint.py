"""`@endpoint`: the one wrapper every API view goes through, and its OpenAPI operation.

It authenticates and checks the role (the guard), replays idempotent POSTs, reads the body
into its shape, turns the view's return value into JSON through the declared answer shape, and
commits the request's one transaction. What it is given (roles, shapes, statuses) is kept on the
view as an `Operation`, from which `permits.api.openapi` writes the document.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Response, g, jsonify, request
from pydantic import BaseModel

from permits.accounts.auth import guard, public
from permits.api import idempotency
from permits.api.common import json_answer, unstorable
from permits.api.reading import read_body, read_query
from permits.api.shapes import Body, Query, dump
from permits.core import db
from standards.errors import NotFound, ValidationFailed
from standards.messages import N_, Message


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says of one view (see `endpoint`)."""

    summary: str
    description: str | None
    status: int
    roles: tuple[str, ...]
    public: bool
    body: type[Body] | None
    body_required: bool
    query: type[Query] | None
    path: type[Query] | None
    returns: Any
    errors: tuple[int, ...]
    paged: bool
    media: dict[str, Any] | None


def endpoint(*roles: str, status: int = 200, is_public: bool = False, body: type[Body] | None = None,
             body_required: bool = True,
             query: type[Query] | None = None, path: type[Query] | None = None, returns: Any = None,
             errors: tuple[int, ...] = (),
             paged: bool = False, media: dict[str, Any] | None = None):
    """Declare an API view: who may call it (`roles`, or `is_public`), its success status, the
    shapes of its body (`body=`, passed to the view as `body`; `body_required=False` when it may
    be left out), query (`query=`, passed as
    `query`) and answer (`returns=`), the schemas of its path parameters where `<int:...>` or
    text does not say enough (`path=`, documentation only: the route converts), the error statuses its services add (`errors=`: the
    shared ones are added for it) and, for a keyset-paged list, `paged=True`. `media` documents
    an answer that is not JSON ({"text/csv": {...}}). The docstring's first line is the summary.

    The view returns a JSON-able value (or a model, a row, a list of them, shaped by
    `returns`; or a `Later`, shaped after the commit) and never commits; a raised domain error
    (`standards.errors`) rolls everything back.
    """

    def decorate(view):
        summary, _, description = (inspect.getdoc(view) or view.__name__).partition("\n")
        operation = Operation(summary=summary.strip(), description=description.strip() or None,
                              status=status, roles=roles, public=is_public, body=body,
                              body_required=body_required, query=query, path=path,
                              returns=returns, errors=tuple(errors), paged=paged, media=media)

        @wraps(view)
        def run(*args, **kwargs):
            _refuse_unstorable_url(kwargs)
            if request.method == "POST" and not is_public:
                return idempotency.replay_or_run(lambda: _execute(view, operation, args, kwargs))
            return _execute(view, operation, args, kwargs)

        run.operation = operation
        return public(run) if is_public else guard(*roles)(run)

    return decorate


class Later:
    """A view's answer shaped once the request has committed: `Later(shape, *parts, **named)`
    calls `shape(*parts, **named)` after the commit. The view reads every part in its
    transaction; shaping them is work on what was read (validation, encoding) that need not hold
    SQLite's write lock or PostgreSQL's writer lock. With an Idempotency-Key, whose record keeps
    the answer in the same commit, it is shaped before."""

    __slots__ = ("shape", "parts", "named")

    def __init__(self, shape, *parts, **named):
        self.shape, self.parts, self.named = shape, parts, named

    def __call__(self):
        return self.shape(*self.parts, **self.named)


def _refuse_unstorable_url(path_args: dict[str, Any]) -> None:
    """Text no database column can hold (a NUL, %00) never reaches a query: in the path it
    names no record (404), in the query string it is a parameter that is not valid (422)."""
    for name, value in path_args.items():
        if isinstance(value, str) and unstorable(value):
            raise NotFound(Message.of("api.no_such", N_("No such %(name)s."), name=name))
    for name, value in request.args.items(multi=True):
        problem = unstorable(value) or unstorable(name)
        if problem:
            raise ValidationFailed(f"{name} {problem}.", {name: [problem]})


def _execute(view, operation: Operation, args, kwargs) -> Response:
    if operation.query is not None:
        kwargs = {**kwargs, "query": read_query(operation.query)}
    if operation.body is not None:
        kwargs = {**kwargs, "body": read_body(operation.body, required=operation.body_required)}
    result: Any = view(*args, **kwargs)
    if isinstance(result, BaseModel | Later) and "parity_before_commit" not in g:
        # An answer with nothing left to load (a model, or a `Later` to shape) and no
        # Idempotency-Key to store it with: committed first, shaped and written after, so that
        # SQLite's write lock (and PostgreSQL's writer lock) is not held meanwhile.
        db.session().commit()
        if isinstance(result, Later):
            result = result()
        return json_answer(dump(operation.returns or type(result), result), operation.status)
    if isinstance(result, Later):  # shaped now: the Idempotency-Key's record keeps it
        result = result()
    if isinstance(result, Response):
        response = result
    else:
        # A shaped answer is plain JSON values (orjson writes them: a decision's 50 kB in a tenth
        # of `jsonify`'s time); an unshaped one may hold what only Flask's JSON knows (a date).
        shape = operation.returns or (type(result) if isinstance(result, BaseModel) else None)
        response = (jsonify(result) if shape is None
                    else json_answer(dump(shape, result), operation.status))
        response.status_code = operation.status
    before_commit = g.pop("parity_before_commit", None)
    if before_commit is not None:
        before_commit(response)
    db.session().commit()
    return response
