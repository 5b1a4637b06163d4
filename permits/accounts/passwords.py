"""What a new password must be: at least 12 characters, at most 256 (hashing a megabyte would be a
denial of service), and not one of the common passwords in the shipped list (no network call)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from standards.messages import N_, Message, define

define("password.too_short", N_("must be at least %(num)s characters"))
define("password.too_long", N_("must be at most %(num)s characters"))
define("password.common", N_("is too common or too easy to guess; choose another"))
define("password.is_email", N_("must not be your email address"))

MIN_LENGTH = 12
MAX_LENGTH = 256


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("permits.accounts").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def problem(password: str, *, email: str | None = None) -> str | None:
    """Why `password` may not be used, or None."""
    if len(password) < MIN_LENGTH:
        return Message("password.too_short", {"num": MIN_LENGTH})
    if len(password) > MAX_LENGTH:
        return Message("password.too_long", {"num": MAX_LENGTH})
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) < 4:
        return Message("password.common")
    if email and folded == email.strip().lower():
        return Message("password.is_email")
    return None
