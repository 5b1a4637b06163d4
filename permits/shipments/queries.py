"""Who may see and confirm which shipments, and the reads the pages and the API list them by.

Nothing here changes state; `permits.shipments.services` does, after asking here.
"""
from __future__ import annotations

from collections import namedtuple

from sqlalchemy import Select, bindparam, or_, true
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from facility_registry.models import Facility
from permits.accounts.models import User
from permits.core.db import Prepared
from permits.permitting.models import Permit
from permits.shipments.models import Shipment, ShipmentException
from standards.errors import NotAllowed, NotFound
from standards.messages import N_, Message, define
from standards.vocabulary import OVERSEERS

_NO_SUCH = {what: define(f"shipment.no_such_{what}", english) for what, english in (
    ("shipment", N_("No such shipment.")), ("permit", N_("No such permit.")),
    ("organization", N_("No such organization.")), ("facility", N_("No such facility.")),
    ("exception", N_("No such exception.")), ("record", N_("No such record.")))}


def not_found(what: str = "shipment") -> NotFound:
    # The same answer for "does not exist" and "not yours": existence is not leaked.
    return NotFound(Message(_NO_SUCH.get(what, _NO_SUCH["record"])))


def forbidden(message: str) -> NotAllowed:
    return NotAllowed(message)


def can_see(actor: User, permit: Permit) -> bool:
    if actor.role in OVERSEERS:
        return True
    if actor.role == "shipper":
        return actor.organization_id == permit.organization_id
    if actor.role == "facility":
        return actor.facility_id in (permit.receiving_facility_id, permit.final_facility_id)
    return False


def can_confirm(actor: User, permit: Permit) -> bool:
    """Receipt, refusal, recovery: the receiving facility's own users, or an inspector."""
    if actor.role == "inspector":
        return True
    return actor.role == "facility" and actor.facility_id == permit.receiving_facility_id


def can_confirm_final(actor: User, permit: Permit) -> bool:
    """After an interim operation: the final facility's own users, or an inspector."""
    if actor.role == "inspector":
        return True
    return (actor.role == "facility" and permit.final_facility_id is not None
            and actor.facility_id == permit.final_facility_id)


def can_confirm_return(actor: User, permit: Permit) -> bool:
    """A refused load comes back to the shipper, so the shipper (or an inspector) says it did."""
    if actor.role == "inspector":
        return True
    return actor.role == "shipper" and actor.organization_id == permit.organization_id


def visible_permit(session: Session, *, actor: User, permit_id: int) -> Permit:
    permit = session.get(Permit, permit_id)
    if permit is None or not can_see(actor, permit):
        raise not_found("permit")
    return permit


_PERMIT = Permit.__table__
_SHIPMENT = Shipment.__table__
_PermitIds = namedtuple("_PermitIds", "id organization_id receiving_facility_id final_facility_id shipments")


# The list's total is the permit's `shipments_used`, which the capped UPDATE raises in the
# transaction that inserts each shipment (and nothing deletes one): counting the rows instead
# cost a scan of every shipment of the permit per page, growing with each load. `audit verify`
# holds the two equal.
_SEEN = core_select(_PERMIT.c.id, _PERMIT.c.organization_id, _PERMIT.c.receiving_facility_id,
                    _PERMIT.c.final_facility_id, _PERMIT.c.shipments_used)


def _page(*, after: bool):
    page = (core_select(*_SHIPMENT.c).where(_SHIPMENT.c.permit_id == bindparam("permit_id"))
            .order_by(_SHIPMENT.c.id.desc()).limit(bindparam("limit")))
    return page.where(_SHIPMENT.c.id < bindparam("before")) if after else page


def _page_seen(*, after: bool) -> tuple[Prepared, Prepared, Prepared]:
    """How to read a page (the first, or the one below a cursor), as (the permit's ids with its
    page in one statement, the permit's ids alone, the page alone).

    On PostgreSQL the one statement saves a round trip: each row is led by what `can_see` reads
    and the total; a permit without shipments gives one row whose shipment columns are NULL, no
    permit no row. SQLite has no round trips to save, and its plan for the join copies the page
    aside and sorts it again: there the two statements are quicker."""
    page = _page(after=after)
    joined = page.subquery("page")
    together = (_SEEN.add_columns(*joined.c).select_from(_PERMIT.outerjoin(joined, true()))
                .where(_PERMIT.c.id == bindparam("permit_id")).order_by(joined.c.id.desc()))
    return Prepared(together), _PERMIT_SEEN, Prepared(page)


_PERMIT_SEEN = Prepared(_SEEN.where(_PERMIT.c.id == bindparam("permit_id")))  # either page's
PAGE_SEEN, PAGE_SEEN_AFTER = _page_seen(after=False), _page_seen(after=True)
_HEAD = len(_PermitIds._fields)


def visible_page(session: Session, *, actor: User, statements: tuple[Prepared, ...], params: dict):
    """`visible_permit` for a list that only needs the permit's ids `can_see` reads and how many
    shipments it has (a plain row, no model loaded; the same 404), with its page of shipments
    read by `statements` (`PAGE_SEEN` or `PAGE_SEEN_AFTER`, given `params`), each row as the
    driver read it."""
    together, seen, page = statements
    connection = session.connection()
    one_trip = connection.dialect.name == "postgresql"
    if one_trip:
        rows = together.raw_rows(connection, params)
        head = rows[0][:_HEAD] if rows else None
    else:
        found = seen.raw_rows(connection, {"permit_id": params["permit_id"]})
        head = found[0] if found else None
    permit = _PermitIds._make(head) if head is not None else None
    if permit is None or not can_see(actor, permit):
        raise not_found("permit")
    if one_trip:
        return permit, [row[_HEAD:] for row in rows if row[_HEAD] is not None]
    return permit, page.raw_rows(connection, params)


def visible_shipment(session: Session, *, actor: User, shipment_id: int) -> tuple[Shipment, Permit]:
    row = session.exec(
        select(Shipment, Permit).join(Permit, Permit.id == Shipment.permit_id).where(Shipment.id == shipment_id)
    ).first()
    if row is None or not can_see(actor, row[1]):
        raise not_found()
    return row[0], row[1]


def shipments_of_permit(permit_id: int) -> Select:
    return select(Shipment).where(Shipment.permit_id == permit_id)


def shipments_visible_to(actor: User) -> Select:
    """Every shipment the actor may see (a statement, for paging or narrowing further)."""
    return only_visible_to(actor, select(Shipment).join(Permit, Permit.id == Shipment.permit_id))


def _names_facility(facility_id: int | None):
    return or_(Permit.receiving_facility_id == facility_id, Permit.final_facility_id == facility_id)


def exceptions_visible_to(actor: User, *, state: str = "open") -> Select:
    """Exceptions with their shipment and permit: all for inspectors, one's own for the rest."""
    statement = (
        select(ShipmentException, Shipment, Permit)
        .join(Shipment, Shipment.id == ShipmentException.shipment_id)
        .join(Permit, Permit.id == Shipment.permit_id)
    )
    if state == "open":
        statement = statement.where(ShipmentException.resolved_at.is_(None))
    elif state == "resolved":
        statement = statement.where(ShipmentException.resolved_at.is_not(None))
    return only_visible_to(actor, statement)


def only_visible_to(actor: User, statement: Select) -> Select:
    """`statement` (which joins Permit) narrowed to the permits the actor may see: `can_see`
    in SQL."""
    if actor.role == "shipper":
        return statement.where(Permit.organization_id == actor.organization_id)
    if actor.role == "facility":
        return statement.where(_names_facility(actor.facility_id))
    if actor.role in OVERSEERS:
        return statement
    return statement.where(False)


def open_exception_kinds(session: Session, shipment_ids: list[int]) -> dict[int, list[str]]:
    """Per shipment, the kinds of its open exceptions (for the overdue flags of a table)."""
    if not shipment_ids:
        return {}
    rows = session.exec(
        select(ShipmentException.shipment_id, ShipmentException.kind).where(
            ShipmentException.shipment_id.in_(shipment_ids), ShipmentException.resolved_at.is_(None))
    ).all()
    kinds: dict[int, list[str]] = {}
    for shipment_id, kind in rows:
        kinds.setdefault(shipment_id, []).append(kind)
    return kinds


def approved_permits_of(session: Session, organization_id: int) -> list[Permit]:
    return list(session.exec(
        select(Permit).where(Permit.organization_id == organization_id, Permit.status == "approved")
        .order_by(Permit.valid_to)
    ))


def facility_of(session: Session, facility_id: int) -> Facility | None:
    return session.get(Facility, facility_id)
