"""Makers for the registry's tests: facilities of each country and evidence that meets.

The permit tests build on the same facilities and passing values (they import them from here)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from facility_registry import events, evidence
from facility_registry.announce import evidence_changed
from facility_registry.eligibility import refresh_standings
from facility_registry.facilities import get_facility
from facility_registry.reference import load_reference
from standards import clock
from standards.catalogue import standards_in_force
from standards.clock import utcnow
from standards.vocabulary import EVIDENCE_ROLES
from tests import helpers
from tests.helpers import FACILITY_FIELDS  # noqa: F401 - the registry tests import it from here

INSPECTOR = {"actor_id": 7, "actor_role": "inspector"}
FACILITY_USER = {"actor_id": 9, "actor_role": "facility"}
TODAY = clock.today()
LAST_MONTH = TODAY - timedelta(days=30)

@pytest.fixture
def make_facility(session):
    """`make_facility(country="US", **overrides)` in the test's session, as inspector 7."""
    def make(country: str = "US", **overrides):
        return helpers.make_facility(session, country, actor=INSPECTOR, **overrides)
    return make


def passing_value(standard):
    """A value that meets `standard` with room to spare (exclusive limits fail at equality)."""
    if standard.direction == "required":
        return True
    return standard.value * (0.5 if standard.direction == "max" else 2)


def unit_of(standard):
    return None if standard.direction == "required" else standard.unit


def record_passing(session, facility, byproduct, *, on=TODAY, observed_on=LAST_MONTH,
                   actor=INSPECTOR, skip=()):
    """A binding limit and a measurement meeting every standard in force for `byproduct`.

    Each entry is validated and stored as `record_evidence` stores it (the same checks, audit
    entry and verification), then the facility's standing is refreshed and the change announced
    once for them all, as an inspection's findings are: entry by entry it cost ~0.3 s of CPU
    apiece, re-judging every permit of the facility after each of the ~40 entries."""
    reference = load_reference(session)
    today = utcnow().date()
    cleaned = [
        evidence.clean_evidence(
            {"standard": standard.code, "kind": kind, "value": passing_value(standard),
             "unit": unit_of(standard), "basis": standard.basis, "observed_on": observed_on,
             "source": f"test {kind}"}, reference, today=today)
        for standard in standards_in_force(session, on, byproduct) if standard.code not in skip
        for kind in ("limit", "measurement")]
    if not cleaned:
        return
    evidence._require_role(actor["actor_role"], EVIDENCE_ROLES, "record evidence")
    stored = get_facility(session, facility.id)
    entries = [evidence.record_entry(session, stored, clean, refresh=False, **actor)
               for clean in cleaned]
    refresh_standings(session, [stored.id])
    evidence_changed(session, [stored.id], actor_id=actor["actor_id"],
                     reason=f"evidence entries #{entries[0].id}-#{entries[-1].id} were recorded")


@pytest.fixture
def signals():
    """Every registry signal sent during the test, as (signal name, sender, kwargs)."""
    received = []
    handlers = []
    for name in ("audited", "facility_suspended", "facility_reinstated", "evidence_verified",
                 "evidence_changed"):
        def handler(sender, _name=name, **kwargs):
            received.append((_name, sender, kwargs))
        getattr(events, name).connect(handler)
        handlers.append((name, handler))
    yield received
    for name, handler in handlers:
        getattr(events, name).disconnect(handler)


def sent(signals, name):
    return [(sender, kwargs) for n, sender, kwargs in signals if n == name]
