"""The navigation bar: one list of links per role, so base.html holds no role logic."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from standards.vocabulary import CONSENT_READERS, OVERSEERS, REGISTRY_READERS, ROLES

# (endpoint, label, roles); the brand in the bar is the link home. An endpoint not
# registered yet is left out. Kept short: a bar that wraps is harder to scan.
LINKS = [
    ("permits.index", _l("Permits"), ROLES),
    ("consents.queue", _l("Consent requests"), CONSENT_READERS),
    ("permits.new", _l("Apply for a permit"), ("shipper",)),
    ("review.queue", _l("Review queue"), OVERSEERS),
    ("review.evidence_requests", _l("Evidence requests"), ("facility",)),
    ("registry.facilities", _l("Facilities"), REGISTRY_READERS),
    ("registry.finder", _l("Where can I ship?"), ("shipper",)),
    ("registry.unverified", _l("Evidence to verify"), OVERSEERS),
    ("registry.my_facility", _l("Our facility"), ("facility",)),
    ("shipments.index", _l("Shipments"), ("shipper",)),
    ("shipments.incoming", _l("Incoming shipments"), ("facility",)),
    ("shipments.exceptions", _l("Missed deadlines"), OVERSEERS),
    ("catalogue.standards", _l("Standards"), ROLES),
    ("reports.index", _l("Reports"), OVERSEERS),
    ("cases.desk", _l("Cases"), OVERSEERS),
    ("admin.home", _l("Administration"), ("admin",)),
]


# What each area is for, in a line under its card on the home page.
HINTS = {
    "permits.index": _l("Applications and permits, each with the checks it was decided on."),
    "permits.new": _l("Decided at once against every U.S. standard for the byproduct."),
    "consents.queue": _l("Permits waiting for a country's consent, with the days left."),
    "review.queue": _l("Applications waiting for evidence, oldest first."),
    "review.evidence_requests": _l("What inspectors have asked your facility to provide."),
    "registry.facilities": _l("Receiving facilities, their evidence, inspections and status."),
    "registry.finder": _l("Facilities eligible today for a byproduct and an operation."),
    "registry.unverified": _l("Self-reported evidence waiting for an inspector."),
    "registry.my_facility": _l("Your facility's checks and evidence history."),
    "shipments.index": _l("Log loads under your approved permits and follow them."),
    "shipments.incoming": _l("Loads on their way to you: confirm receipt and recovery."),
    "shipments.exceptions": _l("Confirmations that did not arrive in time."),
    "catalogue.standards": _l("The U.S. reference values, with their citations."),
    "reports.index": _l("Monthly and yearly compliance reports."),
    "cases.desk": _l("Petitions and their cases, stage by stage, overdue first."),
    "admin.home": _l("Users, organizations, account requests, the audit trail, job runs."),
}


def cards_for(user) -> list[tuple[str, str, str]]:
    """The home page's cards: the menu's links, each with a line saying what it is for."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cards = []
    for endpoint, label, roles in LINKS:
        if user.role in roles:
            try:
                cards.append((url_for(endpoint), str(label), str(HINTS.get(endpoint, ""))))
            except BuildError:
                continue
    return cards


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
