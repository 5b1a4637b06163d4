"""One service call from a page: commit and say it is done, or roll back and say why not."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash
from sqlmodel import Session

from permits.core import db
from standards.errors import DomainError


def commit_or_flash(change: Callable[[Session], Any], done: str | Callable[[Any], str], *,
                    category: str = "success") -> bool:
    """Run `change(session)` in the request's session. When the service refuses, roll back and
    flash its sentence; else commit and flash `done` (or `done(result)`). True when done."""
    session = db.session()
    try:
        result = change(session)
    except DomainError as exc:
        session.rollback()
        flash(exc.message, "error")
        return False
    session.commit()
    flash(done(result) if callable(done) else done, category)
    return True
