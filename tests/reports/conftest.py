"""A small world with known numbers for the report tests, made as plain rows.

October 2026 and the year 2026 are the periods under test; a row or two on either side of
each boundary checks that nothing outside the period is counted.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from facility_registry.models import (
    CarbonReport,
    EnforcementCase,
    Facility,
    FacilityStatusChange,
    Inspection,
)
from permits.accounts.models import Organization, User
from permits.permitting.decision_models import Amendment, Decision
from permits.permitting.models import Permit
from permits.shipments.models import Shipment, ShipmentException
from tests.helpers import make_facility

# The period of each kind that the seeded world fills, and a day after all of them (a report of
# a period that has not begun is refused).
TODAY = date(2026, 11, 29)
PERIODS = {"monthly_compliance": "2026-10", "annual_exports": "2026", "enforcement_public": "2026",
           "carbon": "2026"}
INSPECTOR_NAME = "Ines Quintero"
INSPECTOR_EMAIL = "ines.quintero@example.gov"
_documents = itertools.count(1)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def check(standard: str, verdict: str) -> dict:
    return {"standard": standard, "verdict": verdict, "us_limit": {}, "facility_limit": None,
            "facility_measured": None, "reason": "", "facility_id": 1}


@dataclass
class World:
    mx: Facility
    ca: Facility
    us: Facility
    inspector: User
    shipper: User
    admin: User


def _facility(s, name, country, **ids) -> Facility:
    return make_facility(s, country, name=name, operations=["R4"], accepts=["eaf_dust"],
                         annual_capacity_tonnes=10_000, **ids)


def _permit(s, number, org, applicant, facility, byproduct, codes, origin_country) -> Permit:
    permit = Permit(number=f"PAR-2026-{number:06d}", organization_id=org.id,
                    applicant_id=applicant.id, status="approved", byproduct=byproduct,
                    waste_codes=codes, quantity_kg=500_000, shipments_planned=50,
                    valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31),
                    receiving_facility_id=facility.id, operation_code="R4",
                    origin={"name": "Plant", "country": origin_country},
                    route={"transit_countries": []}, transporters=[])
    s.add(permit)
    s.flush()
    return permit


def _decision(s, permit, outcome, day, checks=(), rules=(), amendment=None) -> None:
    s.add(Decision(permit_id=permit.id, amendment_id=amendment.id if amendment else None,
                   kind="amendment" if amendment else "submission", outcome=outcome,
                   decided_at=at(day), standards_version="test", terms={}, rules=list(rules),
                   checks=list(checks), reasons=[], evidence=[], record_hash="0" * 64))


def _shipment(s, permit, kg, departed, status="in_transit", carrier="Transportes Sierra", **fields):
    shipment = Shipment(permit_id=permit.id, movement_document=f"MD-{next(_documents):06d}",
                        carrier=carrier, quantity_kg=kg, departed_on=departed,
                        expected_arrival_on=departed, status=status, **fields)
    s.add(shipment)
    s.flush()
    return shipment


def _inspection(s, facility, day, outcome) -> Inspection:
    inspection = Inspection(facility_id=facility.id, inspected_on=day, outcome=outcome,
                            summary=f"{INSPECTOR_NAME} found the baghouse open", inspector_id=1)
    s.add(inspection)
    s.flush()
    return inspection


def seed(s: Session) -> World:
    mx = _facility(s, "Reciclados del Norte", "MX", semarnat_nra="RDN-1")
    ca = _facility(s, "Great Lakes Metals", "CA", canada_id="ON-7")
    us = _facility(s, "Ohio Valley Smelting", "US", epa_id="OHD000000001")
    acme = Organization(name="Acme Metals", country="US")
    norte = Organization(name="Aceros Norte", country="MX")
    s.add_all([acme, norte])
    s.flush()
    shipper = User(email="shipper@acme.example", name="Sam Shipper", password_hash="x",
                   role="shipper", organization_id=acme.id)
    inspector = User(email=INSPECTOR_EMAIL, name=INSPECTOR_NAME, password_hash="x", role="inspector")
    admin = User(email="admin@example.gov", name="Ada Admin", password_hash="x", role="admin")
    s.add_all([shipper, inspector, admin])
    s.flush()

    to_mx = _permit(s, 1, acme, shipper, mx, "eaf_dust", ["K061"], "US")
    to_ca = _permit(s, 2, acme, shipper, ca, "lead_acid_battery_dust", ["K069", "D008"], "US")
    domestic = _permit(s, 3, acme, shipper, us, "slag", ["D008"], "US")
    to_us = _permit(s, 4, norte, shipper, us, "eaf_dust", ["K061"], "MX")

    # Decisions: October has 2 approved (one on an amendment), 1 denied, 1 under review.
    amendment = Amendment(permit_id=to_mx.id, requested_by_id=shipper.id, changes={})
    s.add(amendment)
    s.flush()
    _decision(s, to_mx, "approved", date(2026, 10, 2), [check("osha-lead-pel", "meets")])
    _decision(s, to_mx, "approved", date(2026, 10, 30), amendment=amendment)
    _decision(s, to_ca, "denied", date(2026, 10, 6),
              [check("osha-lead-pel", "fails"), check("epa-lead-naaqs", "meets")],
              [{"rule": "facility_active", "met": True, "detail": ""}])
    _decision(s, domestic, "under_review", date(2026, 10, 9),
              [check("osha-lead-pel", "no_evidence"), check("epa-tclp-lead", "stale")],
              [{"rule": "facility_active", "met": False, "detail": ""}])
    _decision(s, to_us, "denied", date(2026, 9, 30), [check("osha-lead-pel", "fails")])

    # Shipments (tonnes): October eaf_dust→MX 10 + 20, lead→CA 5 + 3, slag→US 7, eaf_dust→US 8.
    _shipment(s, to_mx, 10_000, date(2026, 10, 5), "recovered", received_kg=10_000,
              received_on=date(2026, 10, 7), completed_on=date(2026, 10, 20))
    received = _shipment(s, to_mx, 20_000, date(2026, 10, 20), "received", received_kg=19_500,
                         received_on=date(2026, 10, 22), carrier="Lone Star Haulage")
    in_transit = _shipment(s, to_ca, 5_000, date(2026, 10, 10))
    refused = _shipment(s, to_ca, 3_000, date(2026, 10, 12), "refused", refused_kg=3_000,
                        refused_on=date(2026, 10, 14))
    _shipment(s, domestic, 7_000, date(2026, 10, 11), "received", received_kg=7_000,
              received_on=date(2026, 10, 12))
    _shipment(s, to_us, 8_000, date(2026, 10, 3), "recovered", received_kg=8_000,
              received_on=date(2026, 10, 4), completed_on=date(2026, 10, 9))
    _shipment(s, to_mx, 30_000, date(2026, 9, 28), "recovered", received_kg=30_000,
              received_on=date(2026, 9, 30), completed_on=date(2026, 10, 15))
    _shipment(s, to_mx, 4_000, date(2025, 12, 31), "recovered", received_kg=4_000,
              received_on=date(2026, 1, 2))

    # Exceptions: receipt_overdue opened twice in October, both open at its end; one
    # recovery_overdue from September resolved in October; one in November.
    s.add_all([
        ShipmentException(kind="receipt_overdue", shipment_id=in_transit.id, due_on=date(2026, 10, 14),
                          detected_on=date(2026, 10, 15)),
        ShipmentException(kind="recovery_overdue", shipment_id=received.id, due_on=date(2026, 9, 19),
                          detected_on=date(2026, 9, 20), resolved_at=at(date(2026, 10, 10))),
        ShipmentException(kind="receipt_overdue", shipment_id=refused.id, due_on=date(2026, 10, 15),
                          detected_on=date(2026, 10, 16), resolved_at=at(date(2026, 11, 2))),
        ShipmentException(kind="return_overdue", shipment_id=refused.id, due_on=date(2026, 11, 4),
                          detected_on=date(2026, 11, 5)),
    ])

    # Facilities: Great Lakes suspended and reinstated in October; Ohio Valley in November.
    s.add_all([
        FacilityStatusChange(facility_id=ca.id, from_status="active", to_status="suspended",
                             reason="violation at inspection", at=at(date(2026, 10, 8))),
        FacilityStatusChange(facility_id=ca.id, from_status="suspended", to_status="active",
                             reason="compliant inspection", at=at(date(2026, 10, 25))),
        FacilityStatusChange(facility_id=us.id, from_status="active", to_status="suspended",
                             reason="violation", at=at(date(2026, 11, 3))),
    ])

    # Inspections and cases. 2026: MX 2 inspections (1 violation), CA 2 (1 violation).
    _inspection(s, mx, date(2026, 3, 1), "compliant")
    mx_violation = _inspection(s, mx, date(2026, 6, 1), "violation")
    ca_violation = _inspection(s, ca, date(2026, 10, 8), "violation")
    ca_clear = _inspection(s, ca, date(2026, 10, 25), "compliant")
    us_violation = _inspection(s, us, date(2025, 12, 1), "violation")
    us_old = _inspection(s, us, date(2024, 1, 1), "violation")
    s.add_all([
        EnforcementCase(facility_id=ca.id, inspection_id=ca_violation.id, opened_on=date(2026, 10, 8),
                        notified_on=date(2026, 10, 9), resolved_on=date(2026, 10, 25),
                        resolution=f"cleared by {INSPECTOR_NAME}", resolved_by_inspection_id=ca_clear.id),
        EnforcementCase(facility_id=us.id, inspection_id=us_violation.id, opened_on=date(2025, 12, 1),
                        notified_on=date(2025, 12, 5), resolved_on=date(2026, 10, 31)),
        EnforcementCase(facility_id=mx.id, inspection_id=mx_violation.id, opened_on=date(2026, 6, 1)),
        EnforcementCase(facility_id=us.id, inspection_id=us_old.id, opened_on=date(2024, 1, 1),
                        resolved_on=date(2024, 2, 1)),
    ])

    s.add_all([
        _verified_carbon(mx.id, 0.5), _verified_carbon(ca.id, 1.5), _verified_carbon(us.id, 1.0),
        # Typed before the methods: listed as legacy, never compared.
        CarbonReport(facility_id=us.id, year=2025, tonnes_co2e_per_tonne=9.0, method="EPA 40 CFR 98",
                     legacy=True),
        # Rejected by an inspector: gone from the report.
        CarbonReport(facility_id=ca.id, year=2026, tonnes_co2e_per_tonne=0.1, method="ghg_protocol",
                     process="metals_recovery_kiln", rejected_at=datetime(2027, 2, 1, tzinfo=UTC)),
    ])
    s.flush()
    return World(mx=mx, ca=ca, us=us, inspector=inspector, shipper=shipper, admin=admin)


@pytest.fixture
def world(db) -> World:
    with Session(db, expire_on_commit=False) as s:
        built = seed(s)
        s.commit()
    return built


def _verified_carbon(facility_id: int, per_processed: float) -> CarbonReport:
    """A verified 2026 report of 1,000 t processed out of 1,250 t received."""
    return CarbonReport(facility_id=facility_id, year=2026, method="ghg_protocol",
                        process="metals_recovery_kiln", tonnes_received=1250, tonnes_processed=1000,
                        total_tco2e=per_processed * 1000, tonnes_co2e_per_tonne=per_processed,
                        tonnes_co2e_per_tonne_received=per_processed * 1000 / 1250, verified=True)
