"""Makers for the registry's tests: facilities of each country and evidence that meets.

The permit tests build on the same facilities and passing values (they import them from here)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from facility_registry import events, services
from standards.catalogue import standards_in_force

INSPECTOR = {"actor_id": 7, "actor_role": "inspector"}
FACILITY_USER = {"actor_id": 9, "actor_role": "facility"}
TODAY = date.today()
LAST_MONTH = TODAY - timedelta(days=30)

FACILITY_FIELDS = {
    "US": {"name": "Keystone Lead Recovery", "country": "US", "epa_id": "PAD987654321",
           "address": "1 Smelter Rd, Reading, PA", "operations": ["R4"],
           "accepts": ["lead_acid_battery_dust", "eaf_dust"], "annual_capacity_tonnes": 120000},
    "MX": {"name": "Reciclados del Norte", "country": "MX", "semarnat_nra": "RDN1903900011",
           "address": "Av. Industrial 400, Monterrey, N.L.", "operations": ["R4", "R13"],
           "accepts": ["eaf_dust", "slag"], "annual_capacity_tonnes": 80000},
    "CA": {"name": "Great Lakes Metals", "country": "CA", "canada_id": "ON7654321",
           "address": "22 Harbour St, Hamilton, ON", "operations": ["R4"],
           "accepts": ["eaf_dust"], "annual_capacity_tonnes": 50000},
}


@pytest.fixture
def make_facility(session):
    def make(country: str = "US", **overrides):
        fields = {**FACILITY_FIELDS[country], **overrides}
        return services.create_facility(session, **INSPECTOR, **fields)
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
    """A binding limit and a measurement meeting every standard in force for `byproduct`."""
    for standard in standards_in_force(session, on, byproduct):
        if standard.code in skip:
            continue
        for kind in ("limit", "measurement"):
            services.record_evidence(
                session, facility_id=facility.id, standard=standard.code, kind=kind,
                value=passing_value(standard), unit=unit_of(standard), basis=standard.basis,
                observed_on=observed_on, source=f"test {kind}", **actor)


@pytest.fixture
def signals():
    """Every registry signal sent during the test, as (signal name, sender, kwargs)."""
    received = []
    handlers = []
    for name in ("audited", "facility_suspended", "facility_reinstated", "evidence_verified"):
        def handler(sender, _name=name, **kwargs):
            received.append((_name, sender, kwargs))
        getattr(events, name).connect(handler)
        handlers.append((name, handler))
    yield received
    for name, handler in handlers:
        getattr(events, name).disconnect(handler)


def sent(signals, name):
    return [(sender, kwargs) for n, sender, kwargs in signals if n == name]
