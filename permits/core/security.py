"""Security headers on every response (no inline script, no framing, no sniffing, no caching of
what a signed-in user sees), and trusting the reverse proxies in front of the app."""
import io

from flask import Flask, Response, abort, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

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
    # First of the hooks: nothing may read the body before its size is known.
    app.before_request(_whole_streamed_body)

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
        if _signed_in():
            # A signed-in page (a new API token, a permit's details) must not stay in a
            # shared or back-button cache; API answers to a token carry secrets too.
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("Pragma", "no-cache")
        if app.config.get("PARITY_HTTPS"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def _signed_in() -> bool:
    if g.get("api_user") is not None:
        return True
    user = getattr(_request_ctx_user(), "is_authenticated", False)
    return bool(user)


def _request_ctx_user():
    from flask_login import current_user

    return current_user


def trust_proxies(app: Flask) -> None:
    """Behind PARITY_TRUSTED_PROXIES reverse proxies, the client's address and scheme are the
    ones they forward (X-Forwarded-For/-Proto), so the per-address limits count real clients;
    without it, the headers are ignored (anyone could write them)."""
    hops = int(app.config.get("PARITY_TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _whole_streamed_body() -> None:
    """A body without Content-Length (chunked) is read here, up to one byte past the limit: over
    it is a 413. Werkzeug would otherwise stop reading AT the limit and hand the view the first
    16 MiB as if that were the whole body (a cut JSON document could even parse)."""
    environ = request.environ
    limit = request.max_content_length
    if limit is None or environ.get("CONTENT_LENGTH") or not environ.get("wsgi.input_terminated"):
        return
    data = environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        abort(413, description=f"The body is larger than {limit} bytes.")
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
