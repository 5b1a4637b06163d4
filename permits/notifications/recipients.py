"""Who is told: the users of an organization, a facility, a country's authority, the inspectors."""
from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from permits.accounts.models import User


def _active(session: Session, *where) -> list[User]:
    return list(session.exec(select(User).where(User.active.is_(True), *where)
                             .order_by(User.id)).all())


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
