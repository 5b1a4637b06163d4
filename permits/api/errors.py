"""The one error shape of the JSON API, and the handlers that make every failure take it."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An API failure with its HTTP status, a stable code and, for bad input, the fields."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}

    def body(self) -> dict:
        error: dict = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


def validation_failed(fields: dict[str, list[str]], message: str = "Some fields are not valid.") -> ApiError:
    return ApiError(422, "validation_failed", message, fields)


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


def error_response(err: ApiError):
    response = jsonify(err.body())
    response.status_code = err.status
    return response


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def register(app: Flask) -> None:
    """JSON for every error under /api/ (a 404 or a 500 included), never an HTML page."""

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        return error_response(err)

    # Other layers raise their own errors carrying `status`, `code` and `fields`
    # (the registry's RegistryError, the permits' PermitError): one mapping for all.
    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if not _is_api():
            from permits.web.errors import html_error

            return html_error(err)
        code = _HTTP_CODES.get(err.code or 500, "http_error")
        return error_response(ApiError(err.code or 500, code, err.description or err.name))

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        mapped = as_api_error(err)
        if mapped is not None:
            if _is_api():
                return error_response(mapped)
            from permits.web.errors import html_error_from_api

            return html_error_from_api(mapped)
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _is_api():
            return error_response(ApiError(500, "internal_error", "Something went wrong on our side; it has been logged."))
        from permits.web.errors import html_internal_error

        return html_internal_error()


def as_api_error(err: Exception) -> ApiError | None:
    """Domain errors (anything with an HTTP `status` and a `code`) become API errors."""
    status, code = getattr(err, "status", None), getattr(err, "code", None)
    if isinstance(status, int) and isinstance(code, str):
        message = getattr(err, "message", None) or str(err)
        return ApiError(status, code, message, getattr(err, "fields", None) or None)
    return None
