"""The daily deadline sweep: a stage still open past its due date is flagged overdue and
escalated to the inspectors' dashboard, once, with an audit entry. Idempotent per stage."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from facility_registry.models import EnforcementCase
from permits.audit.chain import record as audit
from permits.cases.models import CaseStage
from standards.clock import utcnow


def flag_overdue(session: Session, day: date) -> list[CaseStage]:
    """Every open stage whose last day was before `day` and is not flagged yet."""
    due = session.exec(
        select(CaseStage).join(EnforcementCase, EnforcementCase.id == CaseStage.case_id)
        .where(CaseStage.completed_on.is_(None), CaseStage.due_on < day,
               CaseStage.overdue_since.is_(None), EnforcementCase.stage == CaseStage.stage)
        .order_by(CaseStage.due_on, CaseStage.id)).all()
    flagged = []
    for stage in due:
        since = stage.due_on + timedelta(days=1)
        result = session.execute(
            update(CaseStage).where(CaseStage.id == stage.id, CaseStage.overdue_since.is_(None))
            .values(overdue_since=since, escalated_at=utcnow())
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            continue  # flagged by another sweep meanwhile
        session.refresh(stage)
        audit(session, actor_id=None, action="case.stage_overdue", entity="enforcement_case",
              entity_id=stage.case_id, after={"stage": stage.stage, "due_on": stage.due_on,
                                              "overdue_since": since, "escalated": True})
        flagged.append(stage)
    return flagged
