"""What the public sees of a case, and what the inspectors' dashboard counts.

A public answer names the facility (a registered business), the stages with their dates and
deadlines, whether each was met, days open, the outcome and the remedy. It never reads the
petition: not the petitioner's e-mail, not the allegation, not the files, not who acted.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from facility_registry.models import EnforcementCase, Facility
from permits.cases.models import CaseStage, RemediationAction
from permits.cases.state import OPEN_STAGES


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def stage_timeliness(stage: CaseStage, today: date) -> dict[str, Any]:
    """Met (ended by its due date), missed (ended later, or still open past it), or open."""
    end = stage.completed_on
    if stage.due_on is None:
        met = None
    elif end is not None:
        met = end <= stage.due_on
    else:
        met = False if today > stage.due_on else None
    late_until = end or today
    return {"met": met, "overdue": end is None and stage.due_on is not None and today > stage.due_on,
            "days_late": max((late_until - stage.due_on).days, 0) if stage.due_on and met is False
            else 0}


def stages_of(session: Session, case_ids: list[int]) -> dict[int, list[CaseStage]]:
    found: dict[int, list[CaseStage]] = defaultdict(list)
    if case_ids:
        for row in session.exec(select(CaseStage).where(CaseStage.case_id.in_(case_ids))
                                .order_by(CaseStage.started_on, CaseStage.id)):
            found[row.case_id].append(row)
    return found


def actions_of(session: Session, case_ids: list[int]) -> dict[int, list[RemediationAction]]:
    found: dict[int, list[RemediationAction]] = defaultdict(list)
    if case_ids:
        for row in session.exec(select(RemediationAction).where(RemediationAction.case_id.in_(case_ids))
                                .order_by(RemediationAction.position)):
            found[row.case_id].append(row)
    return found


def days_open(case: EnforcementCase, today: date) -> int:
    return ((case.resolved_on or today) - case.opened_on).days


def public_case(case: EnforcementCase, facility: Facility, stages: list[CaseStage],
                actions: list[RemediationAction], today: date) -> dict[str, Any]:
    shown = []
    for stage in stages:
        shown.append({"stage": stage.stage, "started_on": iso(stage.started_on),
                      "due_on": iso(stage.due_on), "completed_on": iso(stage.completed_on),
                      "decision": stage.decision, "method": stage.method,
                      **stage_timeliness(stage, today)})
    screening = next((s for s in stages if s.stage == "screening" and s.completed_on), None)
    return {
        "reference": case.reference,
        "facility": {"id": facility.id, "name": facility.name, "country": facility.country},
        "origin": case.origin,
        "category": case.category,
        "stage": case.stage,
        "opened_on": iso(case.opened_on),
        "closed_on": iso(case.resolved_on),
        "days_open": days_open(case, today),
        "overdue": any(s["overdue"] for s in shown),
        "deadlines_missed": sum(s["met"] is False for s in shown),
        "outcome": case.outcome,
        # The screening decision is the agency's word to the petitioner, given in public.
        "screening_reasons": screening.reasons if screening else None,
        "stages": shown,
        "remedy": [{"action": a.action, "due_on": iso(a.due_on)} for a in actions],
    }


def public_cases(session: Session, cases: list[EnforcementCase], today: date) -> list[dict[str, Any]]:
    ids = [c.id for c in cases]
    facilities = {f.id: f for f in session.exec(select(Facility).where(
        Facility.id.in_({c.facility_id for c in cases})))} if cases else {}
    stages, actions = stages_of(session, ids), actions_of(session, ids)
    return [public_case(c, facilities[c.facility_id], stages.get(c.id, []), actions.get(c.id, []),
                        today) for c in cases]


def inspector_counts(session: Session, today: date) -> dict[str, int]:
    """What the inspectors' dashboard shows of the cases: open cases, stages past due (and of
    those, the ones the daily sweep escalated), petitions awaiting screening."""
    open_cases = session.exec(select(func.count()).select_from(EnforcementCase)
                              .where(EnforcementCase.resolved_on.is_(None))).one()
    current = (select(func.count()).select_from(CaseStage)
               .join(EnforcementCase, EnforcementCase.id == CaseStage.case_id)
               .where(CaseStage.completed_on.is_(None), EnforcementCase.stage == CaseStage.stage,
                      EnforcementCase.stage.in_(OPEN_STAGES)))
    overdue = session.exec(current.where(CaseStage.due_on < today)).one()
    escalated = session.exec(current.where(CaseStage.overdue_since.is_not(None))).one()
    screening = session.exec(select(func.count()).select_from(EnforcementCase)
                             .where(EnforcementCase.stage == "screening")).one()
    return {"open_cases": open_cases, "overdue_stages": overdue, "escalated_stages": escalated,
            "awaiting_screening": screening}
