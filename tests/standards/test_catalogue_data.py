"""The packaged catalogue file itself (issue 11): every entry cited and dated, every process it names
defined, every required practice naming its evidence, treaties' accessions consistent and binding
on the dates the two-of-three rule gives."""
from __future__ import annotations

import json
from datetime import date
from importlib import resources

import pytest

from standards.catalogue import get_standard, treaty_binding_from
from standards.vocabulary import COUNTRIES

RAW = json.loads(resources.files("standards.data").joinpath("catalogue.json").read_text("utf-8"))
STANDARDS = RAW["standards"]
PROCESS_CODES = {p["code"] for p in RAW["processes"]}


def joined(value):
    return value["joined_on"] if isinstance(value, dict) else value


@pytest.mark.parametrize("entry", STANDARDS, ids=lambda e: f"{e['code']}@{e['version']}")
def test_every_standard_is_cited_dated_and_names_known_processes(entry):
    assert entry["citation"].strip()
    assert date.fromisoformat(entry["effective_from"]) <= date(2026, 12, 31)
    assert set(entry.get("processes") or ()) <= PROCESS_CODES
    assert isinstance(entry.get("unconfirmed", False), bool)
    if entry["direction"] == "required":
        assert entry["value"] is True and entry["unit"] is None
        assert entry.get("evidence_required", "").strip(), "a required practice names its evidence"
    if entry.get("unconfirmed"):
        assert entry["note"], "an unconfirmed entry says in its note what was and was not read"


def test_processes_are_defined_once_with_a_title_and_a_derivation():
    codes = [p["code"] for p in RAW["processes"]]
    assert len(codes) == len(set(codes))
    assert {"secondary_lead_smelting", "metals_recovery_kiln", "slag_processing",
            "land_disposal"} <= set(codes)
    for process in RAW["processes"]:
        assert process["title"].strip() and process["description"].strip()
        assert set(process["derived_from"]) == {"accepts", "operations"}


def by_code(code):
    return [e for e in STANDARDS if e["code"] == code][-1]


def test_the_steel_mills_furnace_rules_do_not_govern_a_receiving_process():
    # 40 CFR 60.272a governs the EAF that generates K061; only a facility that declares it runs
    # an EAF (a process never derived from what it accepts) is checked against it.
    eaf = next(p for p in RAW["processes"] if p["code"] == "eaf_steelmaking")
    assert eaf["derived_from"] == {"accepts": [], "operations": []}
    for code in ("epa-eaf-particulate", "epa-eaf-control-device-opacity", "epa-eaf-shop-opacity",
                 "epa-eaf-dust-handling-opacity"):
        assert by_code(code)["processes"] == ["eaf_steelmaking"]


def test_tclp_is_a_hazardousness_test_applied_where_residues_leave_the_system():
    for code in ("epa-tclp-arsenic", "epa-tclp-cadmium", "epa-tclp-chromium", "epa-tclp-lead"):
        entry = by_code(code)
        assert set(entry["processes"]) == {"slag_processing", "land_disposal"}
        assert "whether it is hazardous" in entry["title"]
    # the residue standards of an HTMR kiln are the exclusion levels, stricter than the TCLP value
    assert by_code("epa-k061-htmr-residue-lead")["value"] < by_code("epa-ldr-lead-nonwastewater")["value"] \
        < by_code("epa-tclp-lead")["value"]
    assert by_code("epa-k061-htmr-residue-lead")["processes"] == ["metals_recovery_kiln"]


def test_each_process_has_standards_of_its_own():
    for process in ("secondary_lead_smelting", "metals_recovery_kiln", "slag_processing",
                    "land_disposal"):
        own = [e["code"] for e in STANDARDS if process in (e.get("processes") or ())]
        assert len(own) >= 5, process


TREATIES = {t["code"]: t for t in RAW["treaties"]}
EXPECTED_BINDING = {  # the later of the first two countries' dates, or None
    "basel": date(1992, 11, 26),
    "basel-ban-amendment": None,
    "stockholm": date(2004, 5, 17),
    "rotterdam": None,
    "minamata": date(2017, 8, 16),
    "oecd-c2001-107": date(2001, 6, 14),
    "la-paz-annex-iii": date(1987, 1, 29),
    "us-canada-1986": date(1986, 11, 8),
}


def accession_dates(accessions):
    return [None if joined(accessions[c]) is None else date.fromisoformat(joined(accessions[c]))
            for c in COUNTRIES]


@pytest.mark.parametrize("code", sorted(EXPECTED_BINDING))
def test_treaties_bind_from_the_second_accession(code):
    treaty = TREATIES[code]
    assert set(treaty["accessions"]) == set(COUNTRIES)
    assert treaty_binding_from(accession_dates(treaty["accessions"])) == EXPECTED_BINDING[code]
    for obligation in treaty["obligations"]:
        entry = by_code(obligation)
        assert entry["source"] == "treaty"
        # the standard carries the treaty's own dates (the loader reads them from the standard)
        assert {c: joined(v) for c, v in entry["accessions"].items()} == \
            {c: joined(v) for c, v in treaty["accessions"].items()}


def test_every_treaty_standard_belongs_to_a_listed_treaty():
    listed = {o for t in RAW["treaties"] for o in t["obligations"]}
    assert {e["code"] for e in STANDARDS if e["source"] == "treaty"} == listed


def test_us_not_a_basel_party_but_basel_binds_under_two_of_three(session):
    assert joined(TREATIES["basel"]["accessions"]["US"]) is None
    assert get_standard(session, "basel-environmentally-sound-management", date(1992, 11, 25)) is None
    assert get_standard(session, "basel-environmentally-sound-management", date(1992, 11, 26))
    assert get_standard(session, "us-canada-authorized-facility", date(1986, 11, 7)) is None
    assert get_standard(session, "us-canada-authorized-facility", date(1986, 11, 8))
