"""Query fragments the registry's modules share."""
from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy.orm import aliased

from facility_registry.models import Evidence


def superseding():
    """Evidence under another name, for joining an entry to the entry that corrects it."""
    return aliased(Evidence, name="superseding")


def not_superseded():
    """A WHERE clause: no later entry names this one as the entry it corrects."""
    later = superseding()
    return ~exists().where(later.supersedes_id == Evidence.id)
