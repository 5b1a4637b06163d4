"""Registering and editing facilities: countries, identifiers, codes, roles."""
from __future__ import annotations

import pytest

from facility_registry import services
from facility_registry.facilities import facility_record
from standards.errors import Conflict, NotAllowed, ValidationFailed
from tests.registry.conftest import FACILITY_FIELDS, INSPECTOR, sent


@pytest.mark.parametrize("country", ["US", "MX", "CA"])
def test_a_facility_of_each_country_starts_active(make_facility, country):
    facility = make_facility(country)
    assert facility.id is not None
    assert facility.status == "active"
    assert facility.country == country


def test_creation_is_audited(make_facility, signals):
    facility = make_facility("US")
    (sender, kwargs), = sent(signals, "audited")
    assert kwargs["action"] == "facility.create"
    assert kwargs["entity_id"] == facility.id
    assert kwargs["after"]["epa_id"] == facility.epa_id


def test_epa_id_is_normalised_to_twelve_characters(make_facility):
    facility = make_facility("US", epa_id="pad-987654321")
    assert facility.epa_id == "PAD987654321"


@pytest.mark.parametrize("epa_id, message", [
    ("PAD98765432", "12 characters"),
    ("PAD9876543210", "12 characters"),
    ("P1D987654321", "12 characters"),
    ("ZZD987654321", "not a U.S. state"),
])
def test_a_malformed_epa_id_is_refused_naming_the_field(make_facility, epa_id, message):
    with pytest.raises(ValidationFailed) as caught:
        make_facility("US", epa_id=epa_id)
    assert caught.value.code == "validation_failed"
    assert message in caught.value.fields["epa_id"][0]


def test_each_country_needs_its_own_identifier(make_facility):
    with pytest.raises(ValidationFailed) as caught:
        make_facility("MX", semarnat_nra="")
    assert "semarnat_nra" in caught.value.fields


def test_every_bad_field_is_named_at_once(session):
    fields = {**FACILITY_FIELDS["US"], "country": "FR", "operations": ["R99"], "accepts": ["gold"],
              "annual_capacity_tonnes": -3, "name": ""}
    with pytest.raises(ValidationFailed) as caught:
        services.create_facility(session, **INSPECTOR, **fields)
    assert set(caught.value.fields) >= {"country", "operations", "accepts",
                                        "annual_capacity_tonnes", "name"}
    assert "R99" in caught.value.fields["operations"][0]


def test_an_identifier_belongs_to_one_facility(make_facility):
    first = make_facility("US")
    with pytest.raises(Conflict) as caught:
        make_facility("US", name="Another name", epa_id=first.epa_id)
    assert caught.value.code == "duplicate_identifier"
    assert "epa_id" in caught.value.fields


def test_a_shipper_cannot_register_a_facility(session):
    with pytest.raises(NotAllowed):
        services.create_facility(session, actor_id=1, actor_role="shipper", **FACILITY_FIELDS["US"])


def test_editing_changes_only_what_changed_and_audits_the_diff(session, make_facility, signals):
    facility = make_facility("US")
    services.update_facility(session, facility_id=facility.id, **INSPECTOR,
                             accepts=["slag"], annual_capacity_tonnes="150000")
    assert facility.accepts == ["slag"]
    assert facility.annual_capacity_tonnes == 150000
    _, kwargs = sent(signals, "audited")[-1]
    assert kwargs["action"] == "facility.update"
    assert kwargs["before"] == {"accepts": ["lead_acid_battery_dust", "eaf_dust"],
                                "annual_capacity_tonnes": 120000}


def test_the_status_is_not_an_editable_field(session, make_facility):
    facility = make_facility("US")
    with pytest.raises(ValidationFailed) as caught:
        services.update_facility(session, facility_id=facility.id, **INSPECTOR, status="revoked")
    assert "status" in caught.value.fields
    assert facility_record(facility)["status"] == "active"


def test_an_edit_is_validated_like_a_creation(session, make_facility):
    facility = make_facility("CA")
    with pytest.raises(ValidationFailed) as caught:
        services.update_facility(session, facility_id=facility.id, **INSPECTOR, operations=["X1"])
    assert "operations" in caught.value.fields
