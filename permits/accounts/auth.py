"""Who is asking, and may they: the session loader, bearer tokens and the role guard.

Every view declares its guard, `@guard("inspector", "admin")` or `@public`; a test walks
the URL map and fails on any view without one.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, after_this_request, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from permits.accounts import services as accounts
from permits.accounts.models import User
from permits.core import db
from permits.core.extensions import login_manager
from standards.errors import NotAllowed, Unauthenticated
from standards.vocabulary import ROLES

ANY_ROLE = ROLES
GUARD_ATTR = "parity_guard"
# What a user whose password an admin reset may reach before choosing a new one.
RESET_ALLOWED = frozenset({"auth.change_password", "auth.logout"})


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session cookie carries "id:version"; a bumped version means logged out."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        user = db.session().get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or not user.active or str(user.session_version) != raw_version:
        return None
    return user


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def api_user() -> User | None:
    """The user named by the request's bearer token, once per request."""
    if "api_user" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        found = None
        if scheme.lower() == "bearer" and secret.strip():
            found = _token_holder(secret.strip())
        if found and accounts.token_use_is_stale(found[2]):
            _stamp_after_response(found[0])
        g.api_user = found[1] if found else None
    return g.api_user


def _token_holder(secret: str):
    """A read (GET) asks on the request's own connection, and so does every request on
    PostgreSQL (a SELECT takes no lock there). A write on SQLite asks on a pooled connection
    outside any transaction (one SELECT reads one snapshot by itself): the request's transaction
    (and SQLite's one write lock) then begins only when the view starts its real work."""
    engine = db.engine()
    if request.method in db.READ_METHODS or engine.dialect.name != "sqlite":
        return accounts.token_holder(db.session().connection(), secret)
    pooled = engine.raw_connection()
    try:
        return accounts.token_holder((engine.dialect, pooled.dbapi_connection), secret)
    finally:
        pooled.close()


def _stamp_after_response(token_id: int) -> None:
    """Stamp "last used" once the request has let go of its connections (see accounts)."""
    engine = db.engine()

    @after_this_request
    def _later(response):
        response.call_on_close(lambda: accounts.stamp_token_use(engine, token_id))
        return response


def actor() -> User | None:
    """The signed-in user, whichever way they signed in."""
    if is_api_request():
        return api_user()
    return current_user if current_user.is_authenticated else None


def guard(*roles: str):
    """Only these roles (default: any signed-in role) may call the view."""
    allowed = tuple(roles) or ANY_ROLE
    unknown = set(allowed) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles in guard: {sorted(unknown)}")

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            user = actor()
            if user is None:
                if is_api_request():
                    raise Unauthenticated(_("A valid bearer token is required."))
                return redirect(url_for("auth.login", next=request.full_path))
            if (getattr(user, "password_reset_required", False) and not is_api_request()
                    and request.endpoint not in RESET_ALLOWED):
                return redirect(url_for("auth.change_password"))
            if user.role not in allowed:
                if is_api_request():
                    raise NotAllowed(_("Your role may not do this."))
                abort(403)
            return view(*args, **kwargs)

        setattr(guarded, GUARD_ATTR, allowed)
        return guarded

    return decorate


def public(view):
    """Anyone, signed in or not, may call the view (the public register, login, health)."""
    setattr(view, GUARD_ATTR, "public")
    return view


def guard_of(view) -> tuple[str, ...] | str | None:
    return getattr(view, GUARD_ATTR, None)
