"""The one table from domain errors (`standards.errors`) to HTTP statuses, the API's error
shape, and the handlers that make every failure under /api/ take it."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
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


def validation_failed(fields: dict[str, list[str]], message: str = "Some fields are not valid.") -> ValidationFailed:
    return ValidationFailed(message, fields)


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


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    error: dict = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def _json_error(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None):
    response = jsonify(error_body(code, message, fields))
    response.status_code = status
    return response


def error_response(err: DomainError):
    return _json_error(http_status(err), err.code, err.message, err.fields)


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
        return _json_error(status, _HTTP_CODES.get(status, "http_error"), err.description or err.name)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _is_api():
            return _json_error(500, "internal_error", "Something went wrong on our side; it has been logged.")
        from permits.web.errors import html_internal_error

        return html_internal_error()
