"""The shipment's state machine: which confirmation may follow which, and the errors it raises.

    in_transit --receive--> received --recover--> recovered
    in_transit --refuse---> refused  --return---> returned

After an interim operation (R12, R13, D13-D15) the interim facility's `recover` leaves the
shipment open until the final facility named by the permit confirms (the service picks the
branch from the permit's operation):

    received --recover--> interim_completed --final_receive--> final_received --final_recover--> recovered

A partial refusal is recorded with the receipt: the shipment stays on the main track and
its refused part comes back later (`return` from received or recovered, state unchanged).
"""
from __future__ import annotations

from typing import Protocol

from standards.errors import Conflict, InvalidTransition, ValidationFailed
from standards.messages import N_, Message, define

IN_TRANSIT, RECEIVED, REFUSED, RECOVERED, RETURNED = (
    "in_transit", "received", "refused", "recovered", "returned")
INTERIM_COMPLETED, FINAL_RECEIVED = "interim_completed", "final_received"

# (event, from state) -> to state. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("receive", IN_TRANSIT): RECEIVED,
    ("refuse", IN_TRANSIT): REFUSED,
    ("recover", RECEIVED): RECOVERED,
    ("return", REFUSED): RETURNED,
    ("return", RECEIVED): RECEIVED,
    ("return", RECOVERED): RECOVERED,
    ("return", INTERIM_COMPLETED): INTERIM_COMPLETED,
    ("return", FINAL_RECEIVED): FINAL_RECEIVED,
    ("final_receive", INTERIM_COMPLETED): FINAL_RECEIVED,
    ("final_recover", FINAL_RECEIVED): RECOVERED,
}
EVENTS = ("receive", "refuse", "recover", "return", "final_receive", "final_recover")

# What each event is called in a sentence, for messages and pages.
EVENT_NOUNS = {"receive": "receipt", "refuse": "refusal", "recover": "recovery", "return": "return",
               "final_receive": "final facility's receipt",
               "final_recover": "final facility's recovery or disposal"}


def invalid(field_name: str, message: Message) -> ValidationFailed:
    """A 422 naming the field, as the API's error shape wants it."""
    return ValidationFailed(Message(FIELD_SENTENCE, {"field": field_name, "problem": message}),
                            {field_name: [message]})


FIELD_SENTENCE = define("shipment.field_sentence", N_("%(field)s %(problem)s."))


def conflict(code: str, message: str) -> Conflict:
    """A 409: the shipment's or the permit's state forbids the request."""
    return Conflict(message, code=code)


class FacilityNotEquivalent(Conflict):
    """A 409: on the departure date the permit's facility does not meet every standard the
    permit was decided on. `details` adds the `checks` not met to the API's error body."""

    code = "facility_not_equivalent"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None, *,
                 checks: list[dict]):
        super().__init__(message, fields)
        self.checks = checks
        self.details = {"checks": checks}


class _Stateful(Protocol):
    status: str
    refused_kg: int
    returned_on: object


_CANNOT = {
    "receive": define("shipment.cannot_receive", N_("A receipt cannot be recorded for a shipment that is %(status)s.")),
    "refuse": define("shipment.cannot_refuse", N_("A refusal cannot be recorded for a shipment that is %(status)s.")),
    "recover": define("shipment.cannot_recover", N_("A recovery cannot be recorded for a shipment that is %(status)s.")),
    "return": define("shipment.cannot_return", N_("A return cannot be recorded for a shipment that is %(status)s.")),
    "final_receive": define("shipment.cannot_final_receive", N_(
        "The final facility's receipt cannot be recorded for a shipment that is %(status)s.")),
    "final_recover": define("shipment.cannot_final_recover", N_(
        "The final facility's recovery cannot be recorded for a shipment that is %(status)s.")),
}


def next_state(shipment: _Stateful, event: str) -> str:
    """The state `event` leads to from where the shipment is, or a 409 saying why not."""
    if event not in EVENTS:
        raise ValueError(f"unknown shipment event {event!r}")
    target = TRANSITIONS.get((event, shipment.status))
    if target is None:
        raise InvalidTransition(Message(_CANNOT[event], {"status": shipment.status}))
    if event == "return":
        _guard_return(shipment)
    return target


def _guard_return(shipment: _Stateful) -> None:
    # Only a refused quantity comes back, and only once.
    if shipment.refused_kg <= 0:
        raise conflict("nothing_to_return", Message.of("shipment.nothing_to_return", N_(
            "Nothing of this shipment was refused, so nothing can be returned.")))
    if shipment.returned_on is not None:
        raise InvalidTransition(Message.of("shipment.already_returned", N_(
            "The refused quantity of this shipment is already returned.")))


def allowed_events(shipment: _Stateful) -> list[str]:
    """The confirmations that could be recorded next, in the order a page offers them."""
    allowed = []
    for event in EVENTS:
        try:
            next_state(shipment, event)
        except Conflict:
            continue
        allowed.append(event)
    return allowed
