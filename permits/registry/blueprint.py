"""The registry's pages blueprint and what its views share: who reads, who edits, paging."""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from permits.web.paging import page_number  # noqa: F401 - the registry's views take it from here

bp = Blueprint("registry", __name__, url_prefix="/registry")

PAGE_SIZE = 50


def actor() -> dict:
    return {"actor_id": current_user.id, "actor_role": current_user.role}


def may_see(facility_id: int) -> None:
    """A facility user sees its own facility only."""
    if current_user.role == "facility" and current_user.facility_id != facility_id:
        abort(403)
