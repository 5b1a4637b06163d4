"""Carbon intensity: reported per year, compared across facilities, never a gate."""
from __future__ import annotations

import pytest

from facility_registry import services
from facility_registry.eligibility import check_facility
from standards.errors import Conflict, ValidationFailed
from tests.registry.conftest import FACILITY_USER, INSPECTOR, TODAY, record_passing


def report(session, facility, intensity, year=2025, actor=INSPECTOR):
    return services.record_carbon(session, facility_id=facility.id, year=year,
                                  tonnes_co2e_per_tonne=intensity, method="GHG Protocol", **actor)


def test_facilities_are_compared_lowest_intensity_first(session, make_facility):
    us, mx, ca = make_facility("US"), make_facility("MX"), make_facility("CA")
    report(session, us, 0.41)
    report(session, mx, 0.78)
    report(session, ca, 0.36, actor=FACILITY_USER)  # a facility reports its own
    ranking = services.carbon_comparison(session, year=2025)
    assert [(r.facility_id, r.tonnes_co2e_per_tonne) for r in ranking] == [
        (ca.id, 0.36), (us.id, 0.41), (mx.id, 0.78)]


def test_the_comparison_takes_each_facilitys_newest_year(session, make_facility):
    facility = make_facility("US")
    report(session, facility, 0.9, year=2023)
    report(session, facility, 0.5, year=2025)
    (newest,) = services.carbon_comparison(session)
    assert (newest.year, newest.tonnes_co2e_per_tonne) == (2025, 0.5)


def test_a_year_is_reported_once(session, make_facility):
    facility = make_facility("US")
    report(session, facility, 0.4)
    with pytest.raises(Conflict) as caught:
        report(session, facility, 0.3)
    assert "year" in caught.value.fields


@pytest.mark.parametrize("field, value", [("year", TODAY.year + 1), ("year", 1900),
                                          ("tonnes_co2e_per_tonne", -0.1)])
def test_impossible_reports_are_refused(session, make_facility, field, value):
    body = {"year": 2025, "tonnes_co2e_per_tonne": 0.4, "method": "GHG Protocol", field: value}
    with pytest.raises(ValidationFailed) as caught:
        services.record_carbon(session, facility_id=make_facility("US").id, **INSPECTOR, **body)
    assert field in caught.value.fields


def test_carbon_intensity_is_not_a_gate(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust")
    report(session, facility, 25.0)  # far worse than any other facility
    assert check_facility(session, facility, "eaf_dust", TODAY).eligible
