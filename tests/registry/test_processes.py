"""Receiving processes: derived when not declared, validated when declared, editable in the API
and the CSV import, and deciding which standards a facility is checked against."""
from __future__ import annotations

import io

import pytest
from sqlmodel import select

from facility_registry import services
from facility_registry.eligibility import check_facility, find_facilities
from facility_registry.importer import import_csv
from facility_registry.models import Facility
from standards.catalogue import standards_in_force
from standards.models import Standard
from standards.processes import derive_processes
from tests.helpers import bearer, make_user
from tests.registry.conftest import INSPECTOR, TODAY, record_passing

FACILITY = {"name": "Waelz Recycling", "country": "MX",
            "identifiers": {"semarnat_nra": "WRC1903900077"}, "address": "Monclova, Coah.",
            "operations": ["R4"], "accepts": ["eaf_dust"], "annual_capacity_tonnes": 90000}


@pytest.fixture
def inspector(db):
    return bearer(db, make_user(db, "inspector"))


@pytest.mark.parametrize(("accepts", "operations", "derived"), [
    (["lead_acid_battery_dust"], ["R4"], ["secondary_lead_smelting"]),
    (["eaf_dust"], ["R4", "R13"], ["metals_recovery_kiln"]),
    (["slag"], ["R5"], ["slag_processing"]),
    (["slag", "eaf_dust"], ["D5"], ["land_disposal"]),
    (["eaf_dust", "lead_acid_battery_dust"], ["R4", "D1"],
     ["secondary_lead_smelting", "metals_recovery_kiln", "land_disposal"]),
    (["eaf_dust"], ["R13"], []),  # storage only: no process of its own
])
def test_processes_are_derived_from_what_a_facility_accepts_and_does(accepts, operations, derived):
    assert derive_processes(accepts, operations) == derived


def test_a_facility_registered_without_processes_gets_the_derived_ones(client, inspector):
    response = client.post("/api/v1/facilities", json=FACILITY, headers=inspector)
    assert response.status_code == 201, response.json
    assert response.json["processes"] == ["metals_recovery_kiln"]


def test_declared_processes_are_kept_and_editable(client, inspector):
    body = {**FACILITY, "processes": ["metals_recovery_kiln", "land_disposal"]}
    created = client.post("/api/v1/facilities", json=body, headers=inspector)
    assert created.status_code == 201, created.json
    assert created.json["processes"] == ["metals_recovery_kiln", "land_disposal"]
    edited = client.patch(f"/api/v1/facilities/{created.json['id']}", headers=inspector,
                          json={"processes": ["slag_processing"]})
    assert edited.status_code == 200, edited.json
    assert edited.json["processes"] == ["slag_processing"]
    assert client.get(f"/api/v1/facilities/{created.json['id']}",
                      headers=inspector).json["processes"] == ["slag_processing"]


def test_an_unknown_process_is_a_422_naming_processes(client, inspector, db):
    response = client.post("/api/v1/facilities", headers=inspector,
                           json={**FACILITY, "processes": ["alchemy"]})
    assert response.status_code == 422
    assert "processes" in response.json["error"]["fields"]
    assert "alchemy" in response.json["error"]["fields"]["processes"][0]
    assert client.get("/api/v1/facilities", headers=inspector).json["total"] == 0


def test_the_process_list_is_served(client, inspector):
    response = client.get("/api/v1/processes", headers=inspector)
    assert response.status_code == 200
    codes = [p["code"] for p in response.json["items"]]
    assert {"secondary_lead_smelting", "metals_recovery_kiln", "slag_processing",
            "land_disposal"} <= set(codes)
    kiln = next(p for p in response.json["items"] if p["code"] == "metals_recovery_kiln")
    assert kiln["derived_from"] == {"accepts": ["eaf_dust"], "operations": ["R4"]}
    assert kiln["title"]


def test_the_csv_import_reads_processes_or_derives_them(session):
    csv_text = (
        "record,name,country,semarnat_nra,address,operations,accepts,annual_capacity_tonnes,processes\n"
        "facility,Kiln A,MX,KLA1903900001,Monclova,R4,eaf_dust,1000,\n"
        "facility,Landfill B,MX,LFB1903900002,Monclova,R4 D5,eaf_dust,1000,land_disposal\n"
        "facility,Bad C,MX,BDC1903900003,Monclova,R4,eaf_dust,1000,alchemy\n")
    result = import_csv(session, io.StringIO(csv_text), actor_id=1, actor_role="admin")
    assert result.added_facilities == 2
    assert len(result.errors) == 1 and result.errors[0][0] == 4 and "processes" in result.errors[0][1]
    by_name = {f.name: f.processes for f in session.exec(select(Facility))}
    assert by_name == {"Kiln A": ["metals_recovery_kiln"], "Landfill B": ["land_disposal"]}


def _govern(session, code: str, processes: list[str]) -> None:
    """Make `code` govern only `processes`: a new version, as the loader writes one (a stored
    version is never edited, and the fixtures restore a catalogue whose row count changed)."""
    row = session.exec(select(Standard).where(Standard.code == code)
                       .order_by(Standard.version.desc())).first()
    session.add(Standard(**{**row.model_dump(exclude={"id"}), "version": row.version + 1,
                            "processes": processes}))
    session.flush()


def test_eligibility_checks_only_the_standards_of_the_facilitys_processes(session, make_facility):
    _govern(session, "osha-cadmium-pel", ["secondary_lead_smelting"])
    _govern(session, "epa-tclp-lead", ["land_disposal"])
    kiln = make_facility("MX", accepts=["eaf_dust"], operations=["R4"])
    assert kiln.processes == ["metals_recovery_kiln"]
    codes = {c.standard for c in check_facility(session, kiln, "eaf_dust", TODAY).checks}
    assert "osha-cadmium-pel" not in codes and "epa-tclp-lead" not in codes
    assert "osha-lead-pel" in codes  # naming no process, it governs every one
    landfill = make_facility("MX", accepts=["eaf_dust"], operations=["D5"])
    codes = {c.standard for c in check_facility(session, landfill, "eaf_dust", TODAY).checks}
    assert "epa-tclp-lead" in codes and "osha-cadmium-pel" not in codes
    assert [s.code for s in standards_in_force(session, TODAY, "eaf_dust",
                                               processes=["land_disposal"])
            if s.code == "osha-cadmium-pel"] == []


def test_the_finder_judges_each_facility_by_its_own_processes(session, make_facility):
    _govern(session, "osha-cadmium-pel", ["land_disposal"])
    kiln = make_facility("MX", accepts=["eaf_dust"], operations=["R4"])
    landfill = make_facility("MX", accepts=["eaf_dust"], operations=["R4", "D5"])
    record_passing(session, kiln, "eaf_dust", skip={"osha-cadmium-pel"})
    record_passing(session, landfill, "eaf_dust", skip={"osha-cadmium-pel"})
    for _ in range(2):  # computed afresh, then from the stored standings
        found = find_facilities(session, byproduct="eaf_dust", operation=None, on=TODAY)
        eligible = {row.id for row, _ in found.eligible}
        ineligible = {row.id: list(reasons) for row, reasons in found.ineligible}
        assert kiln.id in eligible
        assert ineligible[landfill.id] == ["osha-cadmium-pel: no_evidence"]
        session.flush()


def test_changing_a_facilitys_processes_changes_its_checks(session, make_facility):
    _govern(session, "osha-cadmium-pel", ["land_disposal"])
    kiln = make_facility("MX", accepts=["eaf_dust"], operations=["R4"])
    record_passing(session, kiln, "eaf_dust", skip={"osha-cadmium-pel"})
    assert check_facility(session, kiln, "eaf_dust", TODAY).eligible
    services.update_facility(session, facility_id=kiln.id, processes=["land_disposal"], **INSPECTOR)
    assert not check_facility(session, kiln, "eaf_dust", TODAY).eligible
    found = find_facilities(session, byproduct="eaf_dust", operation=None, on=TODAY)
    assert kiln.id not in {row.id for row, _ in found.eligible}
