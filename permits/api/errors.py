"""The one table from domain errors (`standards.errors`) to HTTP statuses, the API's error
shape, and the handlers that make every failure under /api/ take it."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from standards.errors import (
    BadInput,
    Conflict,
    DomainError,
    Malformed,
    NotAllowed,
    NotFound,
    Unauthenticated,
    ValidationFailed,
    WrongType,
)

log = logging.getLogger(__name__)

# Each meaning's status; a subclass takes the status of its nearest listed ancestor (its MRO),
# so a new error class needs a row here only when it is a new meaning.
STATUS: dict[type[DomainError], int] = {
    DomainError: 400,
    BadInput: 400,
    Malformed: 400,
    WrongType: 400,
    ValidationFailed: 422,
    Unauthenticated: 401,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
}


def http_status(err: DomainError) -> int:
    return next(STATUS[klass] for klass in type(err).__mro__ if klass in STATUS)


def validation_failed(fields: dict[str, list[str]], message: str | None = None) -> ValidationFailed:
    return ValidationFailed(message or _("Some fields are not valid."), fields)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
}
# What the reader is told for an HTTP failure that carries no message of ours (Werkzeug's own
# descriptions are English only).
_HTTP_MESSAGES = {
    400: _l("The request was not understood."),
    401: _l("A valid bearer token is required."),
    403: _l("Your role may not do this."),
    404: _l("There is nothing at this address."),
    405: _l("This method is not allowed at this address."),
    409: _l("That is not possible in the record's current state."),
    413: _l("The request is too large."),
    415: _l("The body must be JSON (Content-Type: application/json)."),
    429: _l("Too many requests; wait a minute and try again."),
}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None,
               details: dict | None = None) -> dict:
    # str() says a service's Message (standards.messages) in the reader's language: the API
    # follows Accept-Language; the code never changes.
    error: dict = {"code": code, "message": str(message)}
    if fields:
        error["fields"] = {name: [str(m) for m in said] for name, said in fields.items()}
    error.update(details or {})  # more of the body an error carries, e.g. the `checks` not met
    return {"error": error}


def _json_error(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None,
                details: dict | None = None):
    response = jsonify(error_body(code, message, fields, details))
    response.status_code = status
    return response


def error_response(err: DomainError):
    return _json_error(http_status(err), err.code, err.message, err.fields,
                       getattr(err, "details", None))


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def register(app: Flask) -> None:
    """JSON for every error under /api/ (a 404 or a 500 included), never an HTML page."""

    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        if _is_api():
            return error_response(err)
        from permits.web.errors import html_domain_error

        return html_domain_error(err, http_status(err))

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if not _is_api():
            from permits.web.errors import html_error

            return html_error(err)
        status = err.code or 500
        return _json_error(status, _HTTP_CODES.get(status, "http_error"), _http_message(err))

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _is_api():
            return _json_error(500, "internal_error",
                               _("Something went wrong on our side; it has been logged."))
        from permits.web.errors import html_internal_error

        return html_internal_error()


def _http_message(err: HTTPException) -> str:
    """Ours, translated, unless the code that raised it gave its own description."""
    own = err.description and err.description != type(err).description
    if own or err.code not in _HTTP_MESSAGES:
        return err.description or err.name
    return str(_HTTP_MESSAGES[err.code])
