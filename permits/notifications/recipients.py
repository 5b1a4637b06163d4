"""Who is told: the users of an organization, a facility, a country's authority, the inspectors."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session

from permits.accounts.models import User
from permits.core.db import detached

_USERS = User.__table__
_KEYS = tuple(column.key for column in _USERS.c)


def _active(session: Session, *where) -> list[User]:
    """The active users `where` says, detached (read as plain rows: a notice needs an id and an
    address, not the unit of work's bookkeeping for each user)."""
    rows = session.connection().execute(
        select(*_USERS.c).where(_USERS.c.active.is_(True), *where).order_by(_USERS.c.id))
    return [detached(User, dict(zip(_KEYS, row, strict=True))) for row in rows]


def shippers(session: Session, organization_id: int | None) -> list[User]:
    if organization_id is None:
        return []
    return _active(session, User.role == "shipper", User.organization_id == organization_id)


def facility_users(session: Session, facility_ids: Iterable[int | None]) -> list[User]:
    ids = sorted({i for i in facility_ids if i is not None})
    if not ids:
        return []
    return _active(session, User.role == "facility", User.facility_id.in_(ids))


def authorities(session: Session, country: str | None) -> list[User]:
    if not country:
        return []
    return _active(session, User.role == "authority", User.country == country)


def inspectors(session: Session) -> list[User]:
    return _active(session, User.role == "inspector")
