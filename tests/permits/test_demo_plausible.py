"""`seed-demo` tells a story a person believes (issue 15, finding 9): each route crosses the
border into the destination's country by a crossing near it (no Laredo for Ontario), the
measurements sit below, at and above their limits, a facility has loads to confirm, and the
permits are in every state, one approved and still waiting for consent."""
from __future__ import annotations

import re

from sqlmodel import Session, select

from facility_registry.models import Evidence, Facility
from permits import demo
from permits.permitting.models import Permit
from permits.shipments.models import Shipment

# Where each crossing's side lies: (pattern in the port's name, country, region).
PORT_SIDES = [(r"Tamaulipas|Chihuahua|Chiapas|Coahuila", "MX", None), (r", TX\b", "US", "TX"),
              (r", NY\b", "US", "NY"), (r", MI\b", "US", "MI"), (r", ON\b", "CA", "ON"),
              (r", QC\b", "CA", "QC")]


def _side(port: str) -> tuple[str, str | None]:
    for pattern, country, region in PORT_SIDES:
        if re.search(pattern, port):
            return country, region
    raise AssertionError(f"unknown crossing {port!r}")


def _limit_of(session, measurement: Evidence) -> float | None:
    limit = session.exec(select(Evidence.value).where(
        Evidence.facility_id == measurement.facility_id, Evidence.kind == "limit",
        Evidence.standard_code == measurement.standard_code, Evidence.rejected_at.is_(None),
        Evidence.observed_on <= measurement.observed_on).order_by(Evidence.id.desc())).first()
    return limit


def test_the_demo_is_plausible(demo_db, db):
    # demo_db: the demo as the run's one `seed-demo` made it (tests/conftest.py, seeded_demo).
    with Session(db) as session:
        facilities = {f.id: f for f in session.exec(select(Facility))}
        permits = session.exec(select(Permit).order_by(Permit.id)).all()
        for permit in permits:
            route, facility = permit.route, facilities[permit.receiving_facility_id]
            if route.get("transit_countries"):
                continue  # the denied application through Guatemala: implausible on purpose
            exit_country, _ = _side(route["exit_port"])
            entry_country, entry_region = _side(route["entry_port"])
            assert exit_country == permit.origin["country"], (permit.id, route)
            assert entry_country == facility.country, (permit.id, route, facility.address)
            if facility.country == "CA":  # Ontario by an Ontario bridge, Quebec by a Quebec one
                assert f", {entry_region}" in facility.address, (permit.id, route, facility.address)
            if permit.origin["country"] == "CA" or facility.country == "CA":
                assert "Laredo" not in route["exit_port"] + route["entry_port"]
            if "Hamilton" in permit.origin["name"] or "Hamilton" in facility.address:
                assert "Windsor" not in route["exit_port"] + route["entry_port"]

        states = {p.status for p in permits}
        assert states >= {"draft", "under_review", "approved", "on_hold", "suspended", "denied",
                          "withdrawn", "revoked", "expired"}, states
        assert any(p.status == "approved" and p.consent_status == "pending" for p in permits)

        sides = {"below": set(), "at": set(), "above": set()}
        for m in session.exec(select(Evidence).where(Evidence.kind == "measurement",
                                                     Evidence.rejected_at.is_(None),
                                                     Evidence.unit.is_not(None))):
            limit = _limit_of(session, m)
            if limit is None:
                continue
            side = "below" if m.value < limit else "at" if m.value == limit else "above"
            sides[side].add(facilities[m.facility_id].name)
        assert all(sides.values()), sides

        loads = session.exec(select(Shipment.permit_id).where(Shipment.status == "in_transit")).all()
        receiving = {session.get(Permit, p).receiving_facility_id for p in loads}
        assert receiving, "no facility has a load to confirm"
    with Session(db) as session:
        assert demo.seed(session) == []
        assert demo.every_login(session) == demo.EVERY_LOGIN
