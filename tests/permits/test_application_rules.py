"""The application's own rules: every field checked, every message naming its field."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from permits.permitting.errors import InvalidApplication
from permits.permitting.rules import clean_application, last_valid_day
from tests.helpers import make_facility
from tests.permits.conftest import TODAY, application


@pytest.fixture
def facility(session):
    return make_facility(session, "MX")


def errors_of(session, body, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(InvalidApplication) as refused:
        clean_application(session, body, today=TODAY, **kwargs)
    return refused.value.fields


def test_a_complete_application_is_clean(session, facility):
    columns = clean_application(session, application(facility.id, quantity_tonnes=12.345),
                                today=TODAY)
    assert columns["quantity_kg"] == 12_345
    assert columns["waste_codes"] == ["K061"]
    assert columns["valid_from"] == TODAY + timedelta(days=1)


@pytest.mark.parametrize("valid_from, last", [
    (date(2027, 1, 1), date(2027, 12, 31)),
    (date(2027, 3, 15), date(2028, 3, 14)),
    (date(2028, 2, 29), date(2029, 2, 27)),  # no 29 February in 2029: clamped, then a day less
])
def test_the_last_day_of_a_twelve_month_period(valid_from, last):
    assert last_valid_day(valid_from) == last


def test_twelve_months_is_allowed_and_a_day_more_is_not(session, facility):
    start = TODAY + timedelta(days=1)
    last = last_valid_day(start)
    clean_application(session, application(facility.id, valid_from=start.isoformat(),
                                           valid_to=last.isoformat()), today=TODAY)
    fields = errors_of(session, application(facility.id, valid_from=start.isoformat(),
                                            valid_to=(last + timedelta(days=1)).isoformat()))
    assert list(fields) == ["valid_to"]
    assert "at most 12 months" in fields["valid_to"][0]


def test_validity_must_not_start_in_the_past(session, facility):
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    fields = errors_of(session, application(facility.id, valid_from=yesterday))
    assert fields["valid_from"] == [f"must not be in the past (today is {TODAY.isoformat()})"]


def test_the_minimum_notice_is_a_setting(session, facility):
    body = application(facility.id, valid_from=(TODAY + timedelta(days=10)).isoformat())
    clean_application(session, body, today=TODAY, min_notice_days=10)
    fields = errors_of(session, body, min_notice_days=60)
    assert "60 days' notice" in fields["valid_from"][0]


def test_an_interim_operation_must_name_the_final_facility_and_operation(session, facility):
    fields = errors_of(session, application(facility.id, operation_code="R13"))
    assert set(fields) == {"final_facility_id", "final_operation_code"}
    assert "R13 is an interim operation" in fields["final_facility_id"][0]


def test_the_final_operation_may_not_be_interim_too(session, facility):
    fields = errors_of(session, application(facility.id, operation_code="R13",
                                            final_facility_id=facility.id,
                                            final_operation_code="D15"))
    assert list(fields) == ["final_operation_code"]


def test_a_final_operation_names_no_final_facility(session, facility):
    fields = errors_of(session, application(facility.id, final_facility_id=facility.id))
    assert list(fields) == ["final_facility_id"]


@pytest.mark.parametrize("field, value, message_part", [
    ("byproduct", "fly_ash", "must be one of"),
    ("waste_codes", ["K069"], "does not describe eaf_dust"),
    ("waste_codes", ["X999"], "not a known"),
    ("quantity_tonnes", 0.0005, "at most 3 decimals"),
    ("quantity_tonnes", -2, "greater than 0"),
    ("shipments_planned", 0, "between 1"),
    ("operation_code", "R99", "Basel Annex IV"),
    ("receiving_facility_id", 99999, "no facility with id 99999"),
    ("valid_to", "2027-02-30", "not a valid date"),
])
def test_each_field_has_its_own_message(session, facility, field, value, message_part):
    fields = errors_of(session, application(facility.id, **{field: value}))
    assert list(fields) == [field]
    assert message_part in " ".join(fields[field])


@pytest.mark.parametrize("part, value, name", [
    ("origin", {"name": "Works", "country": "FR"}, "origin.country"),
    ("origin", {"name": "Works", "country": "US", "epa_id": "123"}, "origin.epa_id"),
    ("origin", {"name": "Works", "country": "US"}, "origin.epa_id"),
    ("route", {"exit_port": "A", "entry_port": "B", "transit_countries": ["Guatemala"]},
     "route.transit_countries"),
    ("route", {"exit_port": "A", "entry_port": "B", "transit_countries": ["GT", "GT"]},
     "route.transit_countries"),
    ("route", {"entry_port": "B"}, "route.exit_port"),
    ("transporters", [{"name": "Haul Co"}], "transporters[0].country"),
    ("transporters", [{"name": "Haul Co", "country": "US", "vin": "x"}], "transporters[0].vin"),
])
def test_nested_fields_are_named_by_their_path(session, facility, part, value, name):
    assert list(errors_of(session, application(facility.id, **{part: value}))) == [name]


def test_a_transit_outside_the_three_countries_is_not_an_invalid_application(session, facility):
    """It is a well-formed route: the decision denies it as a transshipment."""
    route = {"exit_port": "A", "entry_port": "B", "transit_countries": ["GT"]}
    assert clean_application(session, application(facility.id, route=route),
                             today=TODAY)["route"]["transit_countries"] == ["GT"]


def test_unknown_fields_are_named(session, facility):
    assert list(errors_of(session, {**application(facility.id), "colour": "red"})) == ["colour"]


def test_every_bad_field_is_reported_at_once(session, facility):
    fields = errors_of(session, application(facility.id, quantity_tonnes=0, shipments_planned=0,
                                            operation_code="Z1"))
    assert set(fields) == {"quantity_tonnes", "shipments_planned", "operation_code"}


def test_a_draft_needs_only_what_its_columns_need(session, facility):
    body = {k: v for k, v in application(facility.id).items()
            if k in ("byproduct", "quantity_tonnes", "shipments_planned", "valid_from",
                     "valid_to", "receiving_facility_id", "operation_code")}
    columns = clean_application(session, body, today=TODAY, draft=True)
    assert "transporters" not in columns
    fields = errors_of(session, {"byproduct": "eaf_dust"}, draft=True)
    assert set(fields) == {"quantity_tonnes", "shipments_planned", "valid_from", "valid_to",
                           "receiving_facility_id", "operation_code"}
    assert fields["quantity_tonnes"] == ["is required"]
