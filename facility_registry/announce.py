"""How the services announce a state change: the `audited` signal, in the caller's transaction."""
from __future__ import annotations

from typing import Any

from sqlmodel import Session

from facility_registry import events

SENDER = "facility_registry"


def audited(session: Session, *, actor_id: int | None, action: str, entity: str,
            entity_id: Any, before: dict | None = None, after: dict | None = None,
            reason: str | None = None) -> None:
    session.flush()
    events.audited.send(SENDER, session=session, actor_id=actor_id, action=action,
                        entity=entity, entity_id=entity_id, before=before, after=after,
                        reason=reason)


def evidence_changed(session: Session, facility_ids, *, actor_id: int | None, reason: str) -> None:
    """Tell the layers above that what counts as these facilities' evidence changed."""
    session.flush()
    events.evidence_changed.send(SENDER, session=session, facility_ids=sorted(set(facility_ids)),
                                 actor_id=actor_id, reason=reason)
