"""The permit's state machine: which action may move a permit from which status to which.

Every status change goes through `permits.permitting.services`, which asks `require` first and
then makes the change as a conditional UPDATE on the status it read. An action not in this
table, or from a status it does not list, is refused with a named 409.
"""
from __future__ import annotations

from dataclasses import dataclass

from permits.permitting.errors import PermitNotActive
from permits.permitting.models import PERMIT_STATUSES
from standards.errors import InvalidTransition
from standards.messages import N_, Message, define

DECIDED = frozenset({"approved", "denied", "under_review"})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    targets: frozenset[str]
    # Refusals of this action use this error (e.g. `permit_not_active` for an amendment).
    refusal: type[InvalidTransition] = InvalidTransition


def _t(action, sources, targets, refusal=InvalidTransition) -> Transition:
    return Transition(action, frozenset(sources), frozenset(targets), refusal)


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    # The shipper submits a draft; the decision picks the outcome.
    _t("submit", {"draft"}, DECIDED),
    # An application under review is decided again: by an inspector or on new evidence.
    _t("re_evaluate", {"under_review"}, DECIDED),
    # Only when every check meets; the service enforces that guard.
    _t("approve", {"under_review"}, {"approved"}),
    _t("deny", {"under_review"}, {"denied"}),
    _t("withdraw", {"draft", "under_review", "approved", "on_hold", "suspended"}, {"withdrawn"}),
    _t("revoke", {"approved", "on_hold", "suspended"}, {"revoked"}, PermitNotActive),
    # The cascade: a suspended facility suspends its approved (or held) permits ...
    _t("suspend", {"approved", "on_hold"}, {"suspended"}, PermitNotActive),
    # ... and its reinstatement decides them again.
    _t("redecide", {"suspended"}, DECIDED),
    _t("expire", {"approved", "on_hold", "suspended"}, {"expired"}),
    # Continuous equivalence: a facility that stops meeting a standard the permit was decided
    # on puts it on hold; meeting again releases it. The hold's checks follow the evidence.
    _t("hold", {"approved"}, {"on_hold"}, PermitNotActive),
    _t("update_hold", {"on_hold"}, {"on_hold"}, PermitNotActive),
    _t("release", {"on_hold"}, {"approved"}, PermitNotActive),
    # A rapid-response case under investigation holds the permits it names; its closure (other
    # than a confirmed violation, which suspends them) releases them, or leaves them held for
    # the checks still not met.
    _t("case_hold", {"approved", "on_hold"}, {"on_hold"}, PermitNotActive),
    _t("case_release", {"on_hold"}, {"on_hold", "approved"}, PermitNotActive),
    # An approved amendment changes the terms of an approved permit, which stays approved.
    _t("amend", {"approved"}, {"approved"}, PermitNotActive),
)}

_PAST = {"submit": "submitted", "re_evaluate": "re-evaluated", "approve": "approved",
         "deny": "denied", "withdraw": "withdrawn", "revoke": "revoked", "suspend": "suspended",
         "redecide": "decided again", "expire": "expired", "amend": "amended",
         "hold": "put on hold", "update_hold": "held for other reasons", "release": "released",
         "case_hold": "held for a case", "case_release": "released by a case"}


# "A draft permit cannot be approved; only a permit that is under review can."
_CANNOT_BE = {action: define(f"permit.cannot_be.{action}", english) for action, english in (
    ("submit", N_("A %(status)s permit cannot be submitted; only a permit that is %(statuses)s can.")),
    ("re_evaluate", N_("A %(status)s permit cannot be re-evaluated; only a permit that is %(statuses)s can.")),
    ("approve", N_("A %(status)s permit cannot be approved; only a permit that is %(statuses)s can.")),
    ("deny", N_("A %(status)s permit cannot be denied; only a permit that is %(statuses)s can.")),
    ("withdraw", N_("A %(status)s permit cannot be withdrawn; only a permit that is %(statuses)s can.")),
    ("revoke", N_("A %(status)s permit cannot be revoked; only a permit that is %(statuses)s can.")),
    ("suspend", N_("A %(status)s permit cannot be suspended; only a permit that is %(statuses)s can.")),
    ("redecide", N_("A %(status)s permit cannot be decided again; only a permit that is %(statuses)s can.")),
    ("expire", N_("A %(status)s permit cannot be expired; only a permit that is %(statuses)s can.")),
    ("amend", N_("A %(status)s permit cannot be amended; only a permit that is %(statuses)s can.")),
    ("hold", N_("A %(status)s permit cannot be put on hold; only a permit that is %(statuses)s can.")),
    ("update_hold", N_("A %(status)s permit cannot have its hold updated; only a permit that is %(statuses)s can.")),
    ("release", N_("A %(status)s permit cannot be released from hold; only a permit that is %(statuses)s can.")),
    ("case_hold", N_("A %(status)s permit cannot be held for a case; only a permit that is %(statuses)s can.")),
    ("case_release", N_("A %(status)s permit cannot be released by a case; only a permit that is %(statuses)s can.")))}
_NEEDS = define("permit.action_needs", N_("is %(status)s; %(action)s needs %(statuses)s"))


def require(action: str, current: str, target: str | None = None) -> Transition:
    """The transition for `action` from `current` (to `target`), or the error refusing it."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidTransition(
            Message.of("permit.no_action", N_("There is no permit action %(action)s."), action=repr(action)),
            {"action": [Message.of("permit.unknown_action", N_("unknown action %(action)s"), action=action)]})
    if current not in transition.sources:
        statuses = sorted(transition.sources)
        raise transition.refusal(
            Message(_CANNOT_BE[action], {"status": current, "statuses": statuses}),
            {"status": [Message(_NEEDS, {"status": current, "action": action, "statuses": statuses})]})
    if target is not None and target not in transition.targets:
        raise transition.refusal(
            Message.of("permit.cannot_make", N_("%(action)s cannot make a permit %(status)s."),
                       action=action, status=target),
            {"status": [Message.of("permit.cannot_lead", N_("%(action)s cannot lead to %(status)s"),
                                   action=action, status=target)]})
    return transition


def allowed_actions(current: str) -> list[str]:
    """What may happen to a permit in `current` (for the pages' buttons)."""
    return [a for a, t in TRANSITIONS.items() if current in t.sources]


def _check_table() -> None:
    statuses = set(PERMIT_STATUSES)
    for t in TRANSITIONS.values():
        unknown = (t.sources | t.targets) - statuses
        if unknown:  # a typo here would make a transition silently unreachable
            raise RuntimeError(f"transition {t.action} names unknown statuses {sorted(unknown)}")


_check_table()
