"""Demo registry for `seed-demo`: facilities in the US, Mexico and Canada whose evidence shows
every verdict (meets, fails, no_evidence, stale, incomparable, unverified), measurements below
and at their limits, carbon reports, and facility users. `seed_enforcement`, run after the
shipments, finds one facility above the limit: the violation suspends it and its permit while
loads are on the road."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from facility_registry import services
from facility_registry.inspections import cases_of
from facility_registry.models import Facility
from permits.accounts.demo import demo_user
from standards.catalogue import standards_in_force
from standards.clock import utcnow

FACILITY_USER = "facility@reciclados-norte.example"
KEYSTONE_USER = "facility@keystone-lead.example"
LOGINS = [(FACILITY_USER, "facility"), (KEYSTONE_USER, "facility")]

# Each plant declares the receiving process it runs (API.md "Receiving processes"): the U.S.
# standards of that process are the ones it is checked against.
FACILITIES = [
    {"name": "Keystone Lead Recovery", "country": "US", "epa_id": "PAD987654321",
     "address": "1 Smelter Road, Reading, PA 19601", "operations": ["R4"],
     "accepts": ["lead_acid_battery_dust", "eaf_dust", "slag"],
     "processes": ["secondary_lead_smelting"], "annual_capacity_tonnes": 120000},
    {"name": "Reciclados del Norte", "country": "MX", "semarnat_nra": "RDN1903900011",
     "address": "Av. Industrial 400, Monterrey, N.L.", "operations": ["R4", "R13"],
     "accepts": ["eaf_dust", "slag"], "processes": ["metals_recovery_kiln"],
     "annual_capacity_tonnes": 80000},
    {"name": "Great Lakes Metals", "country": "CA", "canada_id": "ON7654321",
     "address": "22 Harbour Street, Hamilton, ON", "operations": ["R4"],
     "accepts": ["eaf_dust"], "processes": ["metals_recovery_kiln"], "annual_capacity_tonnes": 50000},
    {"name": "Laurentian Slag Works", "country": "CA", "canada_id": "QC-2231-0087",
     "address": "900 chemin du Fleuve, Sorel-Tracy, QC", "operations": ["R4", "R5"],
     "accepts": ["slag"], "processes": ["slag_processing"], "annual_capacity_tonnes": 30000},
    {"name": "Chihuahuan Basin Landfill", "country": "US", "epa_id": "TXD000838896",
     "address": "Ranch Road 2810, Sierra Blanca, TX 79851", "operations": ["D5"],
     "accepts": ["slag"], "processes": ["land_disposal"], "annual_capacity_tonnes": 200000},
]
# Last year's carbon, each by a method that fits the plant, with the activity data it needs:
# (facility, who reports it, method, tonnes received, tonnes processed, activity).
CARBON = [
    ("Keystone Lead Recovery", "inspector", "ghgrp_subpart_r", 62000, 60000, {"inputs": [
        {"material": "lead_scrap", "tonnes": 60000, "carbon_fraction": 0.004},
        {"material": "carbonaceous", "tonnes": 3000, "carbon_fraction": 0.85},
        {"material": "flux", "tonnes": 2500, "carbon_fraction": 0.12}]}),
    ("Great Lakes Metals", "inspector", "ghgrp_subpart_c", 41000, 40000, {"fuels": [
        {"fuel": "natural_gas", "quantity": 9500000, "unit": "m**3"},
        {"fuel": "coal_coke", "quantity": 2800, "unit": "t"}]}),
    # The Mexican plant's own report waits for an inspector: shown as unverified.
    ("Reciclados del Norte", "facility", "ghg_protocol", 52000, 50000, {"sources": [
        {"source": "Waelz kiln coke and natural gas", "scope": 1, "amount": 31000,
         "factor_tco2e_per_unit": 1},
        {"source": "Grid electricity (MWh)", "scope": 2, "amount": 42000,
         "factor_tco2e_per_unit": 0.423}]}),
]


def seed_registry(session: Session, people: dict) -> list[tuple[str, str]]:
    """Idempotent: does nothing once any facility exists."""
    if session.exec(select(Facility.id).limit(1)).first() is not None:
        return []
    inspector = {"actor_id": people["inspector"].id, "actor_role": "inspector"}
    today = utcnow().date()
    made = {f["name"]: services.create_facility(session, **inspector, **f) for f in FACILITIES}
    keystone, norte = made["Keystone Lead Recovery"], made["Reciclados del Norte"]
    lakes, laurentian = made["Great Lakes Metals"], made["Laurentian Slag Works"]
    landfill = made["Chihuahuan Basin Landfill"]

    for facility in (keystone, lakes, laurentian, landfill):  # every standard met, verified, fresh
        for byproduct in facility.accepts:
            _meet_all(session, facility, byproduct, today, inspector)
    _every_other_verdict(session, norte, today, inspector)
    people["facility"] = demo_user(session, FACILITY_USER, "facility", "Fernanda Planta",
                               facility_id=norte.id)
    _unverified(session, norte, today, people["facility"].id)
    # The plant whose user confirms the demo's incoming loads (shipped from Mexico).
    people["facility_keystone"] = demo_user(session, KEYSTONE_USER, "facility", "Kim Plant",
                                            facility_id=keystone.id)
    services.record_inspection(session, facility_id=keystone.id, outcome="compliant",
                               inspected_on=today - timedelta(days=45),
                               summary="Routine inspection; no findings.", **inspector)
    for name, role, method, received, processed, activity in CARBON:
        by = inspector if role == "inspector" else {"actor_id": people["facility"].id,
                                                     "actor_role": "facility"}
        services.record_carbon(session, facility_id=made[name].id, year=today.year - 1,
                               method=method, tonnes_received=received,
                               tonnes_processed=processed, activity=activity, **by)
    return list(LOGINS)


def seed_enforcement(session: Session, people: dict) -> list:
    """After the shipments: an inspection finds airborne lead above the PEL at Laurentian Slag
    Works. The violation suspends the facility and, by the cascade, its approved permit, while
    loads logged under it are still on the road. Idempotent: once only."""
    laurentian = session.exec(select(Facility).where(
        Facility.name == "Laurentian Slag Works", Facility.status == "active")).first()
    if laurentian is None or "inspector" not in people or cases_of(session, laurentian.id):
        return []
    inspector = {"actor_id": people["inspector"].id, "actor_role": "inspector"}
    today = utcnow().date()
    services.record_inspection(
        session, facility_id=laurentian.id, inspected_on=today, outcome="violation",
        summary="Baghouse bypass open during charging; airborne lead above the PEL.",
        findings=[{"standard": "osha-lead-pel", "value": 74, "unit": "µg/m³", "basis": "8h_twa"}],
        **inspector)
    case = cases_of(session, laurentian.id)[0]
    services.notify_case(session, case_id=case.id, notified_on=today, **inspector)
    return []


# Measured values as a share of the binding limit, one per standard in turn: well below,
# below and exactly at the limit (which meets, unless the U.S. rule forbids the value itself).
SHARES = (0.45, 0.8, 1.0, 0.62)


def _passing(standard, index: int = 0):
    """(binding limit, measurement, unit): the limit at or tighter than the U.S. value."""
    if standard.direction == "required":
        return True, True, None
    share = SHARES[index % len(SHARES)]
    if standard.direction == "min":
        return standard.value, round(standard.value / share, 6), standard.unit
    exclusive = getattr(standard, "exclusive", False)  # "3 % or greater": at the value fails
    limit = standard.value if index % 2 and not exclusive else round(standard.value * 0.8, 6)
    return limit, round(limit * share, 6), standard.unit


def _record(session, facility, standard, kind, value, unit, observed_on, source, actor, basis=None):
    services.record_evidence(session, facility_id=facility.id, standard=standard.code, kind=kind,
                             value=value, unit=unit, basis=basis or standard.basis,
                             observed_on=observed_on, source=source, **actor)


def _meet_all(session, facility, byproduct, today, actor, skip=()):
    # The standards of the plant's own processes: a landfill keeps no furnace's stack tests.
    for index, standard in enumerate(standards_in_force(session, today, byproduct,
                                                        processes=facility.processes)):
        if standard.code in skip:
            continue
        limit, measured, unit = _passing(standard, index + facility.id)
        _record(session, facility, standard, "limit", limit, unit, today - timedelta(days=200),
                "operating permit, schedule B", actor)
        _record(session, facility, standard, "measurement", measured, unit,
                today - timedelta(days=60), "accredited laboratory report", actor)


SPECIAL = {"epa-lead-naaqs", "epa-pm25-naaqs-annual", "osha-cadmium-pel", "epa-tclp-lead",
           "osha-arsenic-pel"}


def _every_other_verdict(session, facility, today, actor) -> None:
    """Reciclados del Norte: most standards met; the rest fail, go stale, are incomparable,
    lack evidence or (below) wait for verification."""
    # One standard of the plant's own processes is left without evidence (epa-tclp-lead while
    # it governs the kiln; else the first practice that does).
    governed = standards_in_force(session, today, "eaf_dust", processes=facility.processes)
    missing = {s.code for s in governed if s.code == "epa-tclp-lead"} or {
        next((s.code for s in governed if s.code not in SPECIAL and s.direction == "required"), "")}
    _meet_all(session, facility, "eaf_dust", today, actor, skip=SPECIAL | missing)
    by_code = {s.code: s for s in standards_in_force(session, today, "eaf_dust")}
    naaqs = by_code["epa-lead-naaqs"]  # fails: NOM-026-SSA1-1993 allows ten times the U.S. value
    _record(session, facility, naaqs, "limit", 1.5, "µg/m³", today - timedelta(days=300),
            "NOM-026-SSA1-1993", actor)
    _record(session, facility, naaqs, "measurement", 0.4, "µg/m³", today - timedelta(days=60),
            "state monitoring network, quarterly report", actor)
    pm25 = by_code["epa-pm25-naaqs-annual"]  # incomparable: a 24-hour limit for an annual standard
    _record(session, facility, pm25, "limit", 45, "µg/m³", today - timedelta(days=300),
            "NOM-025-SSA1-2014 (24-hour value)", actor, basis="24h")
    _record(session, facility, pm25, "measurement", 8, "µg/m³", today - timedelta(days=60),
            "state monitoring network", actor)
    cadmium = by_code["osha-cadmium-pel"]  # stale: the newest measurement is 14 months old
    _record(session, facility, cadmium, "limit", 5, "µg/m³", today - timedelta(days=500),
            "NOM-010-STPS-2014", actor)
    _record(session, facility, cadmium, "measurement", 2, "µg/m³", today - timedelta(days=425),
            "personal sampling 2025", actor)
    # epa-tclp-lead: no evidence at all. osha-arsenic-pel: see _unverified.


def _unverified(session, facility, today, user_id) -> None:
    arsenic = {"standard": "osha-arsenic-pel", "unit": "µg/m³", "basis": "8h_twa",
               "source": "self-reported, internal sampling"}
    actor = {"actor_id": user_id, "actor_role": "facility"}
    services.record_evidence(session, facility_id=facility.id, kind="limit", value=10,
                             observed_on=today - timedelta(days=100), **arsenic, **actor)
    services.record_evidence(session, facility_id=facility.id, kind="measurement", value=4,
                             observed_on=today - timedelta(days=30), **arsenic, **actor)
