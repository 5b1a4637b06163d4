"""Configuration: defaults, then the environment (DATABASE_URL, SECRET_KEY, PARITY_*), then overrides."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "testing", "production")


class ConfigError(RuntimeError):
    """The configuration cannot run: the message says what to set."""


DEFAULTS: dict[str, Any] = {
    "PARITY_ENV": "production",
    "PARITY_MIN_NOTICE_DAYS": 0,
    "PARITY_LOGIN_RATE_LIMIT": "10 per minute",
    "PARITY_HTTPS": False,
    "PARITY_LANGUAGES": "en,es,fr",
    "PARITY_RECEIPT_TOLERANCE_PERCENT": 2.0,
    "PARITY_PUBLIC_BASE_URL": "http://localhost:5000",
    # How many reverse proxies sit in front of the app (0: the client connects directly).
    "PARITY_TRUSTED_PROXIES": 0,
    "PARITY_PETITION_RATE_LIMIT": "5 per hour",
    "PARITY_CASE_PERIODS": "",  # "stage=days,...": see permits.cases.deadlines
    # Notices are e-mailed through this server when set (permits.notifications.mail), else in-app only.
    "PARITY_SMTP_URL": "",
    "PARITY_SMTP_FROM": "Parity <parity@localhost>",
    # Send a transaction's e-mails in the committing thread (tests) instead of a thread of their own.
    "PARITY_MAIL_INLINE": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    "WTF_CSRF_ENABLED": True,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
}

_INT_KEYS = {"PARITY_MIN_NOTICE_DAYS", "PARITY_TRUSTED_PROXIES"}
_FLOAT_KEYS = {"PARITY_RECEIPT_TOLERANCE_PERCENT"}
_BOOL_KEYS = {"PARITY_HTTPS", "RATELIMIT_ENABLED", "PARITY_MAIL_INLINE"}


def _coerce(key: str, raw: str) -> Any:
    if key in _INT_KEYS:
        return int(raw)
    if key in _FLOAT_KEYS:
        return float(raw)
    if key in _BOOL_KEYS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw


def from_environment(environ: dict[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, raw in environ.items():
        if key.startswith("PARITY_") or key in {"DATABASE_URL", "SECRET_KEY"}:
            try:
                found[key] = _coerce(key, raw)
            except ValueError as exc:
                raise ConfigError(f"{key}={raw!r} is not valid: {exc}") from exc
    if "PARITY_RATELIMIT_STORAGE_URI" in found:
        found["RATELIMIT_STORAGE_URI"] = found["PARITY_RATELIMIT_STORAGE_URI"]
    return found


def build(instance_path: str, overrides: dict[str, Any] | None, environ=None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    config.update(from_environment(environ))
    config.update(overrides or {})
    if config.get("TESTING"):
        config["PARITY_ENV"] = "testing"
    env = config["PARITY_ENV"]
    if env not in ENVIRONMENTS:
        raise ConfigError(f"PARITY_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")
    config.setdefault("DATABASE_URL", f"sqlite:///{Path(instance_path) / 'parity.sqlite3'}")
    if not config.get("SECRET_KEY"):
        if env == "production":
            raise ConfigError(
                "SECRET_KEY is not set. Parity refuses to start in production without it: "
                "set SECRET_KEY to a long random string (or PARITY_ENV=development on a laptop)."
            )
        config["SECRET_KEY"] = _development_secret(instance_path)
    config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = bool(config["PARITY_HTTPS"])
    return config


def _development_secret(instance_path: str) -> str:
    """A per-checkout key kept under instance/, so development logins survive a restart."""
    path = Path(instance_path) / "dev-secret-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
