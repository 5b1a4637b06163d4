"""The shipments step of `seed-demo`: loads in every state under the approved permits it finds,
and one missed receipt deadline, all through the shipment services (so each has its audit entry)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from permits.accounts.models import User
from permits.permitting.models import Permit
from permits.shipments import deadlines
from permits.shipments import services as service
from permits.shipments.models import Shipment
from standards.clock import utcnow
from standards.errors import DomainError

LOADS = 8  # shipments per permit: one for each story below
TOLERANCE = 2.0


def seed_shipments(session: Session, people: dict) -> list[tuple[str, str]]:
    """Idempotent: does nothing once any shipment exists."""
    if session.exec(select(Shipment.id).limit(1)).first() is not None:
        return []
    today = utcnow().date()
    permits = session.exec(select(Permit).where(
        Permit.status == "approved", Permit.consent_status == "granted", Permit.valid_from <= today,
        Permit.valid_to >= today).order_by(Permit.id)).all()
    seeded = 0
    for permit in permits:
        shipper = _first_user(session, role="shipper", organization_id=permit.organization_id)
        if shipper is None or not _has_room(permit):
            continue
        receiver = _first_user(session, role="facility", facility_id=permit.receiving_facility_id) \
            or people["inspector"]
        try:
            with session.begin_nested():  # a permit the demo cannot use as planned is left as it was
                _stories(session, permit=permit, shipper=shipper, receiver=receiver, today=today)
        except DomainError as err:
            print(f"seed-demo: no demo shipments under permit {permit.number}: {err.message}")
            continue
        seeded += 1
    if not seeded:
        print("seed-demo: no approved permit is valid today with room for shipments, so no demo shipments")
        return []
    deadlines.sweep_deadlines(session, today)
    return []


def _first_user(session: Session, *, role: str, **where) -> User | None:
    statement = select(User).where(User.role == role, User.active)
    for column, value in where.items():
        statement = statement.where(getattr(User, column) == value)
    return session.exec(statement.order_by(User.id)).first()


def _has_room(permit: Permit) -> bool:
    return permit.shipments_planned - permit.shipments_used >= LOADS and _load_kg(permit) >= 1_000


def _load_kg(permit: Permit) -> int:
    # Small loads, so that the demo leaves most of the permit for people to try logging.
    return min(20_000, (permit.quantity_kg - permit.used_kg) // (3 * LOADS)) // 1_000 * 1_000


def _stories(session: Session, *, permit: Permit, shipper: User, receiver: User, today: date) -> None:
    start = max(permit.valid_from, today - timedelta(days=30))

    def day(offset: int) -> date:
        return min(start + timedelta(days=offset), today)

    kg = _load_kg(permit)

    def log(n: int, departed: date, arrival: date) -> Shipment:
        return service.log_shipment(
            session, actor=shipper, permit_id=permit.id, quantity_kg=kg, departed_on=departed,
            expected_arrival_on=arrival, movement_document=f"DEMO-{permit.id}-{n}",
            carrier=permit.transporters[0]["name"], today=departed)  # logged the day it left

    # Each confirmation is recorded as if on the day it states, so that only the one story
    # meant to be late (the last) opens an exception.
    def receive(shipment: Shipment, on: date, received_kg: int, **refusal) -> None:
        service.receive_shipment(session, actor=receiver, shipment_id=shipment.id, received_on=on,
                                 received_kg=received_kg, tolerance_percent=TOLERANCE, today=on, **refusal)

    def refuse(shipment: Shipment, on: date, reason: str) -> None:
        service.refuse_shipment(session, actor=receiver, shipment_id=shipment.id, refused_on=on, reason=reason,
                                today=on)

    recovered = log(1, day(0), day(2))
    receive(recovered, day(2), kg)
    service.recover_shipment(session, actor=receiver, shipment_id=recovered.id, completed_on=day(6),
                             operation_code=permit.operation_code, today=day(6))
    receive(log(2, day(1), day(3)), day(3), kg - kg * 3 // 100)  # 3 % short: a discrepancy
    returned = log(3, day(2), day(4))
    refuse(returned, day(4), "Drums leaking on arrival")
    service.return_shipment(session, actor=shipper, shipment_id=returned.id, returned_on=day(9), today=day(9))
    refuse(log(4, day(3), day(5)), day(5), "Not the waste code on the movement document")
    receive(log(5, day(4), day(6)), day(6), kg, refused_kg=kg // 4,
            refusal_reason="Part of the load mixed with scrap tyres")
    log(6, today, today + timedelta(days=3))  # on its way
    log(7, day(0), day(1))  # never confirmed: the sweep opens its exception once the deadline has passed
    # Logged ahead of its planned departure, as a shipper does.
    service.log_shipment(
        session, actor=shipper, permit_id=permit.id, quantity_kg=kg, today=today,
        departed_on=today + timedelta(days=2), expected_arrival_on=today + timedelta(days=4),
        movement_document=f"DEMO-{permit.id}-8", carrier=permit.transporters[0]["name"])
