"""The per-account sign-in limit, beside the per-address one: failed sign-ins for one email are
counted in tiers (a few a minute, more an hour, more a day), so each wait is longer than the
last, whichever addresses the guesses come from. The counts live in the limiter's storage:
shared by every worker when PARITY_RATELIMIT_STORAGE_URI names one (Redis)."""
from __future__ import annotations

import hashlib
import time

from flask import Flask, current_app
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

DEFAULT_TIERS = "5 per minute; 10 per 15 minutes; 20 per hour; 50 per day"
EXTENSION = "parity.login_throttle"


class LoginThrottle:
    def __init__(self, storage_uri: str, tiers: str, prefix: str = ""):
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.tiers = parse_many(tiers)
        self.prefix = prefix

    def _key(self, email: str) -> str:
        # A digest, not the address: the storage (Redis) holds no personal data.
        return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]

    def wait(self, email: str) -> int:
        """Seconds before the account may try again (0: now)."""
        key = self._key(email)
        longest = 0.0
        for tier in self.tiers:
            if not self.limiter.test(tier, self.prefix, "login-account", key):
                reset, _remaining = self.limiter.get_window_stats(tier, self.prefix, "login-account", key)
                longest = max(longest, reset - time.time())
        return max(int(longest + 0.999), 1) if longest > 0 else 0

    def failed(self, email: str) -> None:
        key = self._key(email)
        for tier in self.tiers:
            self.limiter.hit(tier, self.prefix, "login-account", key)

    def succeeded(self, email: str) -> None:
        key = self._key(email)
        for tier in self.tiers:
            self.limiter.clear(tier, self.prefix, "login-account", key)


def init_app(app: Flask) -> None:
    if app.config.get("RATELIMIT_ENABLED", True):
        app.extensions[EXTENSION] = LoginThrottle(
            app.config["RATELIMIT_STORAGE_URI"],
            app.config.get("PARITY_ACCOUNT_LOGIN_LIMITS") or DEFAULT_TIERS,
            app.config.get("RATELIMIT_KEY_PREFIX", ""))


def current() -> LoginThrottle | None:
    return current_app.extensions.get(EXTENSION)
