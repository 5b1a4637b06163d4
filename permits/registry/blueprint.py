"""The registry's pages blueprint and what its views share: who reads, who edits, paging."""
from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user

bp = Blueprint("registry", __name__, url_prefix="/registry")

PAGE_SIZE = 50


def actor() -> dict:
    return {"actor_id": current_user.id, "actor_role": current_user.role}


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def may_see(facility_id: int) -> None:
    """A facility user sees its own facility only."""
    if current_user.role == "facility" and current_user.facility_id != facility_id:
        abort(403)
