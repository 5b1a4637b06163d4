"""Loading a catalogue whose entries changed: a new version, never an edit; treaty accessions
written the same way; the contract fields (processes, unconfirmed, evidence_required) read.

Each test loads a small catalogue of its own beside the packaged one."""
from __future__ import annotations

import copy
from datetime import date

import pytest
from sqlmodel import select

from standards.catalogue import (
    get_standard,
    load_catalogue,
    load_catalogue_changes,
    standards_in_force,
    treaty_accessions,
)
from standards.errors import CatalogueError
from standards.models import Standard, TreatyAccession

PROCESSES = [{"code": "secondary_lead_smelting", "title": "Secondary lead smelting",
              "derived_from": {"accepts": ["lead_acid_battery_dust"], "operations": ["R4"]}}]
STACK = {"code": "test-stack-lead", "version": 1, "title": "Stack lead (test)",
         "pollutant": "lead", "medium": "stack_gas", "category": "environmental",
         "value": 1.0, "unit": "mg/dscm", "basis": "per_test", "direction": "max",
         "applies_to": ["lead_acid_battery_dust"], "citation": "40 CFR 63.543 (test)",
         "source": "us_federal", "effective_from": "2012-01-05",
         "processes": ["secondary_lead_smelting"], "unconfirmed": True}
ENCLOSURE = {"code": "test-total-enclosure", "version": 1, "title": "Total enclosure (test)",
             "pollutant": "lead", "medium": "practice", "category": "environmental",
             "value": True, "unit": None, "basis": "practice", "direction": "required",
             "applies_to": ["lead_acid_battery_dust"], "citation": "40 CFR 63.544 (test)",
             "source": "us_federal", "effective_from": "2012-01-05",
             "processes": ["secondary_lead_smelting"],
             "evidence_required": "the enclosure's negative-pressure monitoring records"}
TREATY = {"code": "test-basel-esm", "version": 1, "title": "Environmentally sound management (test)",
          "pollutant": "lead", "medium": "practice", "category": "environmental",
          "value": True, "unit": None, "basis": "practice", "direction": "required",
          "applies_to": ["slag"], "citation": "Basel Convention, Art. 4(2)(e) (test)",
          "source": "treaty", "effective_from": "1992-05-05",
          "accessions": {"US": None, "MX": "1991-02-22",
                         "CA": {"joined_on": "1992-08-28", "source": "UN Treaty Collection (test)"}}}


def catalogue(*entries):
    return {"catalogue_version": "test.1", "processes": PROCESSES,
            "standards": [copy.deepcopy(e) for e in entries]}


def versions(session, code):
    return list(session.exec(select(Standard).where(Standard.code == code).order_by(Standard.version)))


def test_the_contract_fields_are_loaded(session):
    assert load_catalogue(session, catalogue(STACK, ENCLOSURE)) == 2
    stack, enclosure = versions(session, STACK["code"])[0], versions(session, ENCLOSURE["code"])[0]
    assert stack.processes == ["secondary_lead_smelting"] and stack.unconfirmed is True
    assert enclosure.unconfirmed is False
    assert enclosure.evidence_required == "the enclosure's negative-pressure monitoring records"
    assert load_catalogue(session, catalogue(STACK, ENCLOSURE)) == 0


def test_a_changed_value_is_a_new_version_and_the_old_one_is_untouched(session):
    load_catalogue(session, catalogue(STACK))
    first = versions(session, STACK["code"])[0]
    changed = {**STACK, "value": 0.2, "citation": "40 CFR 63.543(a) (test)",
               "effective_from": "2014-01-06"}
    loaded = load_catalogue_changes(session, catalogue(changed))
    assert [(old.version, new.version) for old, new in loaded.changed] == [(1, 2)]
    session.expire_all()
    stored = versions(session, STACK["code"])
    assert [(s.version, s.value, s.citation, s.effective_from) for s in stored] == [
        (1, 1.0, "40 CFR 63.543 (test)", date(2012, 1, 5)),
        (2, 0.2, "40 CFR 63.543(a) (test)", date(2014, 1, 6))]
    assert stored[0].id == first.id
    assert get_standard(session, STACK["code"], date(2013, 1, 1)).version == 1
    assert get_standard(session, STACK["code"], date(2015, 1, 1)).version == 2
    assert load_catalogue(session, catalogue(changed)) == 0  # loaded once, not at every start


def test_a_changed_applicability_is_a_new_version_too(session):
    load_catalogue(session, catalogue(STACK))
    load_catalogue(session, catalogue({**STACK, "processes": []}))
    assert [s.processes for s in versions(session, STACK["code"])] == [["secondary_lead_smelting"], []]


def test_reverting_an_entry_writes_it_again(session):
    load_catalogue(session, catalogue(STACK))
    load_catalogue(session, catalogue({**STACK, "value": 0.5}))
    load_catalogue(session, catalogue(STACK))
    assert [s.value for s in versions(session, STACK["code"])] == [1.0, 0.5, 1.0]


def test_an_administrators_version_is_not_undone_by_the_next_load(session):
    load_catalogue(session, catalogue(STACK))
    row = versions(session, STACK["code"])[0]
    session.add(Standard(**{**row.model_dump(exclude={"id"}), "version": 2, "value": 0.5,
                            "effective_from": date(2020, 1, 1), "entry_version": None}))
    session.flush()
    assert load_catalogue(session, catalogue(STACK)) == 0
    assert get_standard(session, STACK["code"], date(2021, 1, 1)).value == 0.5


def test_a_treaty_joined_by_mexico_and_canada_binds_under_the_two_of_three_rule(session):
    load_catalogue(session, catalogue(TREATY))
    in_force = lambda day: TREATY["code"] in {s.code for s in standards_in_force(session, day, "slag")}  # noqa: E731
    assert not in_force(date(1992, 8, 27))
    assert in_force(date(1992, 8, 28))  # Canada, the second of the three, joined
    rows = {a.country: a for a in treaty_accessions(session, get_standard(session, TREATY["code"],
                                                                          date(2000, 1, 1)))}
    assert rows["US"].joined_on is None
    assert rows["CA"].source == "UN Treaty Collection (test)"


def test_a_changed_accession_date_is_a_new_version_with_its_own_accessions(session):
    load_catalogue(session, catalogue(TREATY))
    moved = copy.deepcopy(TREATY)
    moved["accessions"]["CA"] = {"joined_on": "1993-01-15", "source": "corrected (test)"}
    loaded = load_catalogue_changes(session, catalogue(moved))
    assert [new.version for _, new in loaded.changed] == [2]
    stored = list(session.exec(select(TreatyAccession).where(
        TreatyAccession.standard_code == TREATY["code"]).order_by(
        TreatyAccession.standard_version, TreatyAccession.country)))
    assert [(a.standard_version, a.country, a.joined_on) for a in stored] == [
        (1, "CA", date(1992, 8, 28)), (1, "MX", date(1991, 2, 22)), (1, "US", None),
        (2, "CA", date(1993, 1, 15)), (2, "MX", date(1991, 2, 22)), (2, "US", None)]
    # The newest version is judged by its own accessions: binding from the corrected date.
    assert get_standard(session, TREATY["code"], date(1992, 12, 1)) is None
    assert get_standard(session, TREATY["code"], date(1993, 1, 15)).version == 2
    assert load_catalogue(session, catalogue(moved)) == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"processes": ["alchemy"]}, "processes"),
    ({"processes": "secondary_lead_smelting"}, "processes"),
    ({"unconfirmed": "yes"}, "unconfirmed"),
])
def test_a_bad_contract_field_stops_the_load(session, change, field):
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(session, catalogue({**STACK, **change}))
    assert field in raised.value.fields


def test_a_treaty_must_list_each_country(session):
    missing = copy.deepcopy(TREATY)
    del missing["accessions"]["US"]
    with pytest.raises(CatalogueError):
        load_catalogue(session, catalogue(missing))
