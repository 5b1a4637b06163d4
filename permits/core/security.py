"""Security headers on every response: no inline script, no framing, no sniffing."""
from flask import Flask, Response, abort, request

from permits.api.common import unstorable

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def register(app: Flask) -> None:
    @app.before_request
    def _storable_form_text():
        """A form field no database column can store (NUL, lone surrogates) is a 400 naming it.

        PostgreSQL refuses NUL in text outright, so without this a stray byte in any form
        would surface as a 500 deep inside whatever view read it. (The API checks its JSON
        bodies the same way in permits.api.common.)"""
        if request.method != "POST" or request.path.startswith("/api/"):
            return None
        for field, value in request.form.items(multi=True):
            problem = unstorable(value) or unstorable(field)
            if problem:
                abort(400, description=f"{field!r}: {problem}.")
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("PARITY_HTTPS"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
