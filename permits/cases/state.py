"""A petition's case, stage by stage: which action moves it from which stage to which.

Every move goes through `permits.cases.services`, which asks `require` first and then makes it
a conditional UPDATE on the stage it read, so two inspectors acting at once cannot both win.
"""
from __future__ import annotations

from permits.cases.errors import InvalidStage
from standards.messages import N_, Message

OPEN_STAGES = ("screening", "review_request", "investigation", "remediation_plan", "remediation")
STAGES = (*OPEN_STAGES, "closed", "dismissed")

TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    # Screening ends with a decision either way, each with its reasons.
    "accept": (frozenset({"screening"}), "review_request"),
    "dismiss": (frozenset({"screening"}), "dismissed"),
    # The facility's country agrees to review (or the deadline passed and Parity reviews).
    "investigate": (frozenset({"review_request"}), "investigation"),
    # Findings: no violation closes the case unfounded; a violation asks for a plan.
    "findings": (frozenset({"investigation"}), None),
    "plan": (frozenset({"remediation_plan"}), "remediation"),
    "close": (frozenset({"remediation"}), "closed"),
}


def require(action: str, stage: str) -> str | None:
    """The stage `action` leads to from `stage`; a 409 naming the stage when it may not."""
    sources, target = TRANSITIONS[action]
    if stage not in sources:
        raise InvalidStage.on("stage", Message.of(
            "case.wrong_stage", N_("a case in %(stage)s cannot be moved by %(action)s; it must be "
                                   "in %(stages)s"),
            stage=stage, action=action, stages=" or ".join(sorted(sources))))
    return target
