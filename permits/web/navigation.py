"""The navigation bar: one list of links per role, so base.html holds no role logic."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

# (endpoint, label, roles); the brand in the bar is the link home. An endpoint not
# registered yet is left out. Kept short: a bar that wraps is harder to scan.
LINKS = [
    ("permits.index", _l("Permits"), ("shipper", "inspector", "admin", "facility")),
    ("permits.new", _l("Apply for a permit"), ("shipper",)),
    ("review.queue", _l("Review queue"), ("inspector", "admin")),
    ("review.evidence_requests", _l("Evidence requests"), ("facility",)),
    ("registry.facilities", _l("Facilities"), ("shipper", "inspector", "admin")),
    ("registry.finder", _l("Where can I ship?"), ("shipper",)),
    ("registry.unverified", _l("Evidence to verify"), ("inspector", "admin")),
    ("registry.my_facility", _l("Our facility"), ("facility",)),
    ("shipments.index", _l("Shipments"), ("shipper",)),
    ("shipments.incoming", _l("Incoming shipments"), ("facility",)),
    ("shipments.exceptions", _l("Missed deadlines"), ("inspector", "admin")),
    ("catalogue.standards", _l("Standards"), ("shipper", "inspector", "facility", "admin")),
    ("reports.index", _l("Reports"), ("inspector", "admin")),
]


def menu_for(user) -> list[tuple[str, str]]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    items = []
    for endpoint, label, roles in LINKS:
        if user.role in roles:
            try:
                items.append((url_for(endpoint), str(label)))
            except BuildError:  # an area not installed
                continue
    return items
