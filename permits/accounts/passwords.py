"""What a new password must be: at least 12 characters, at most 256 (hashing a megabyte would be a
denial of service), and not one of the common passwords in the shipped list (no network call)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

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
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) < 4:
        return "is too common or too easy to guess; choose another"
    if email and folded == email.strip().lower():
        return "must not be your email address"
    return None
