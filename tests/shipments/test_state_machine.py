"""The shipment state machine: every transition it allows, and every one it refuses."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from permits.api.errors import http_status
from permits.shipments.models import SHIPMENT_STATUSES
from permits.shipments.state import EVENTS, TRANSITIONS, allowed_events, next_state
from standards.errors import Conflict


@dataclass
class Row:
    status: str
    refused_kg: int = 0
    returned_on: date | None = None


ALLOWED = {
    ("receive", "in_transit"): "received",
    ("refuse", "in_transit"): "refused",
    ("recover", "received"): "recovered",
    ("return", "refused"): "returned",
    ("return", "received"): "received",
    ("return", "recovered"): "recovered",
    # After an interim operation, until the final facility confirms.
    ("return", "interim_completed"): "interim_completed",
    ("return", "final_received"): "final_received",
    ("final_receive", "interim_completed"): "final_received",
    ("final_recover", "final_received"): "recovered",
}


def test_the_table_is_the_documented_one():
    assert TRANSITIONS == ALLOWED


@pytest.mark.parametrize(("event", "state"), sorted(ALLOWED))
def test_allowed_transition(event, state):
    # A return needs something refused and not yet back.
    row = Row(state, refused_kg=500 if event == "return" else 0)
    assert next_state(row, event) == ALLOWED[(event, state)]


REFUSED = [(e, s) for e in EVENTS for s in SHIPMENT_STATUSES if (e, s) not in ALLOWED]


@pytest.mark.parametrize(("event", "state"), REFUSED)
def test_refused_transition(event, state):
    with pytest.raises(Conflict) as caught:
        next_state(Row(state, refused_kg=500), event)
    assert (http_status(caught.value), caught.value.code) == (409, "invalid_transition")
    assert state.replace("_", " ") in caught.value.message


def test_every_pair_is_either_allowed_or_refused():
    assert len(ALLOWED) + len(REFUSED) == len(EVENTS) * len(SHIPMENT_STATUSES)


def test_a_received_shipment_with_nothing_refused_has_nothing_to_return():
    with pytest.raises(Conflict) as caught:
        next_state(Row("received"), "return")
    assert (http_status(caught.value), caught.value.code) == (409, "nothing_to_return")


def test_a_refused_part_returns_only_once():
    with pytest.raises(Conflict) as caught:
        next_state(Row("received", refused_kg=500, returned_on=date(2026, 3, 2)), "return")
    assert caught.value.code == "invalid_transition"


def test_allowed_events_are_the_confirmations_to_make():
    assert allowed_events(Row("in_transit")) == ["receive", "refuse"]
    assert allowed_events(Row("received")) == ["recover"]
    assert allowed_events(Row("received", refused_kg=1)) == ["recover", "return"]
    assert allowed_events(Row("refused", refused_kg=1)) == ["return"]
    assert allowed_events(Row("returned", refused_kg=1, returned_on=date(2026, 1, 1))) == []


def test_unknown_event_is_a_programming_error():
    with pytest.raises(ValueError):
        next_state(Row("in_transit"), "teleport")
