"""The one table of stage periods: how many days each stage of a case may take, from what, and
the text the period comes from.

The mechanism is modelled on the USMCA's Facility-Specific Rapid Response Labor Mechanism
(Annex 31-A) and the U.S. procedures that implement it. Where a period was read in the stored
text, `checked` says where; where Parity sets its own, it says so. Deployments may change any
period with `PARITY_CASE_PERIODS` (e.g. "screening=20,investigation=60"); a stage's due date is
fixed when the stage starts, so a change applies to stages started afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    stage: str
    days: int | None  # None: the stage's due date comes from elsewhere (the remediation plan)
    starts: str  # what starts the clock
    citation: str
    checked: str  # where the period was confirmed, or why it is Parity's own


DEFAULT_PERIODS: dict[str, Period] = {p.stage: p for p in (
    Period("screening", 30, "the day the petition is received",
           "Interagency Labor Committee, Procedural Guidelines for Petitions Pursuant to the "
           "USMCA, 85 FR 39257 (June 30, 2020); final guidelines 88 FR 40914 (June 22, 2023): "
           "a Rapid Response petition is reviewed within 30 days of its receipt",
           "stored summaries of the 2020 notice (opportimes.com, 2020-06-30; Export Compliance "
           "Daily, 2020-06-29) and Canada's NAO guidelines for Annex 31-B claims (determination "
           "normally within 30 days of receipt); the Federal Register text itself was not "
           "reached in the stored pages"),
    Period("review_request", 10, "the day the petition is accepted",
           "USMCA Article 31-A.4: the facility's country has 10 days to say whether it agrees "
           "to conduct a review",
           "a stored secondary account (Barnes Richardson, 2024-04-05: '10 days to respond ... "
           "and 45 days'); the treaty text of Article 31-A.4 was not reached in the stored pages"),
    Period("investigation", 45, "the day the review starts",
           "USMCA Article 31-A.4: 45 days to conduct the review",
           "the same stored secondary account; the treaty text was not reached"),
    Period("remediation_plan", 10, "the day a violation is found",
           "Parity's own period for agreeing a remediation plan after findings of a violation",
           "not from a cited text: a setting"),
    Period("remediation", None, "the plan", "the remediation plan: its latest action's due date",
           "set per case by the plan"),
)}

STAGE_ORDER = ("screening", "review_request", "investigation", "remediation_plan", "remediation")
_periods: dict[str, Period] = dict(DEFAULT_PERIODS)


def configure(setting: str | None) -> None:
    """Apply `PARITY_CASE_PERIODS` ("stage=days,..."); raises ValueError naming a bad entry."""
    periods = dict(DEFAULT_PERIODS)
    for item in filter(None, (part.strip() for part in (setting or "").split(","))):
        stage, _, days = item.partition("=")
        stage = stage.strip()
        if stage not in periods or periods[stage].days is None:
            raise ValueError(f"PARITY_CASE_PERIODS: {stage!r} is not a stage with a period")
        if not days.strip().isdigit() or int(days) < 1:
            raise ValueError(f"PARITY_CASE_PERIODS: {item!r} needs a whole number of days >= 1")
        periods[stage] = replace(periods[stage], days=int(days))
    _periods.clear()
    _periods.update(periods)


def periods() -> list[Period]:
    return [_periods[stage] for stage in STAGE_ORDER]


def due(stage: str, start: date) -> date | None:
    days = _periods[stage].days
    return start + timedelta(days=days) if days is not None else None


def period(stage: str) -> Period:
    return _periods[stage]
