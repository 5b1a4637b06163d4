"""Carbon measured and verified: a named method's activity data in, the total and intensities
computed; inspectors verify or reject; only verified reports are compared; never a gate."""
from __future__ import annotations

import pytest
from sqlmodel import select

from facility_registry import services
from facility_registry.carbon import reports_of
from facility_registry.carbon_methods import CO2_PER_C, processes_of
from facility_registry.eligibility import check_facility
from facility_registry.models import CarbonReport
from standards.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from tests.registry.conftest import FACILITY_USER, INSPECTOR, TODAY, record_passing

LEAD = {"accepts": ["lead_acid_battery_dust"]}
KILN = {"accepts": ["eaf_dust"]}
GAS_AND_COKE = {"fuels": [{"fuel": "natural_gas", "quantity": 1_000_000, "unit": "ft**3"},
                          {"fuel": "coal_coke", "quantity": 100, "unit": "short_ton"}]}


def tier1(session, facility, *, year=2025, actor=FACILITY_USER, **changes):
    body = {"year": year, "method": "ghgrp_subpart_c", "activity": GAS_AND_COKE,
            "tonnes_received": 2000, "tonnes_processed": 1600, **changes}
    return services.record_carbon(session, facility_id=facility.id, **actor, **body)


def protocol(session, facility, tco2e, *, year=2025, actor=INSPECTOR, processed=1000):
    return services.record_carbon(
        session, facility_id=facility.id, year=year, method="ghg_protocol",
        tonnes_received=processed, tonnes_processed=processed, **actor,
        activity={"sources": [{"source": "kiln fuel", "scope": 1, "amount": tco2e,
                               "factor_tco2e_per_unit": 1}]})


def test_tier_1_computes_each_fuel_by_equation_c1_and_the_intensities(session, make_facility):
    report = tier1(session, make_facility("US", **KILN))
    gas = 1e-3 * 1_000_000 * 1.026e-3 * 53.06  # Fuel x HHV x EF, Table C-1 defaults
    coke = 1e-3 * 100 * 24.80 * 113.67
    assert report.total_tco2e == pytest.approx(gas + coke)
    assert report.tonnes_co2e_per_tonne == pytest.approx((gas + coke) / 1600)
    assert report.tonnes_co2e_per_tonne_received == pytest.approx((gas + coke) / 2000)
    assert (report.process, report.status, report.legacy) == ("metals_recovery_kiln", "unverified", False)


def test_a_fuel_in_other_units_converts_to_the_rules_unit(session, make_facility):
    metric = {"fuels": [{"fuel": "natural_gas", "quantity": 28316.846592, "unit": "m**3"}]}
    report = tier1(session, make_facility("US", **KILN), activity=metric)
    assert report.total_tco2e == pytest.approx(1e-3 * 1_000_000 * 1.026e-3 * 53.06)


def test_subpart_r_counts_the_carbon_charged_to_the_furnace(session, make_facility):
    report = services.record_carbon(
        session, facility_id=make_facility("US", **LEAD).id, year=2025, method="ghgrp_subpart_r",
        tonnes_received=10_000, tonnes_processed=8_000, **FACILITY_USER,
        activity={"inputs": [{"material": "lead_scrap", "tonnes": 8000, "carbon_fraction": 0.01},
                             {"material": "carbonaceous", "tonnes": 400, "carbon_fraction": 0.85}]})
    assert report.total_tco2e == pytest.approx(CO2_PER_C * (80 + 340))
    assert report.process == "secondary_lead_smelting"


def test_subpart_q_balance_subtracts_the_carbon_that_leaves(session, make_facility):
    report = services.record_carbon(
        session, facility_id=make_facility("MX", **KILN).id, year=2025, method="ghgrp_subpart_q",
        tonnes_received=500, tonnes_processed=500, **FACILITY_USER,
        activity={"inputs": [{"material": "carbonaceous", "tonnes": 50, "carbon_fraction": 0.8}],
                  "outputs": [{"material": "slag", "tonnes": 300, "carbon_fraction": 0.01}]})
    assert report.total_tco2e == pytest.approx(CO2_PER_C * (40 - 3))


@pytest.mark.parametrize("method", ["ghgrp_subpart_r", "ghgrp_cems"])
def test_a_method_that_does_not_fit_the_process_is_refused_naming_method(session, make_facility,
                                                                         method):
    slag_only = make_facility("MX", accepts=["slag"])
    with pytest.raises(ValidationFailed) as caught:
        services.record_carbon(session, facility_id=slag_only.id, year=2025, method=method,
                               tonnes_received=1, tonnes_processed=1, activity={},
                               **FACILITY_USER)
    assert "method" in caught.value.fields
    assert session.exec(select(CarbonReport)).all() == []


def test_subpart_r_does_not_fit_a_kiln_even_on_a_facility_that_also_smelts(session, make_facility):
    both = make_facility("US")  # accepts lead dust and EAF dust: smelter and kiln
    assert processes_of(both) == ["secondary_lead_smelting", "metals_recovery_kiln"]
    with pytest.raises(ValidationFailed) as caught:
        services.record_carbon(session, facility_id=both.id, year=2025, method="ghgrp_subpart_r",
                               process="metals_recovery_kiln", tonnes_received=1,
                               tonnes_processed=1, activity={"inputs": []}, **FACILITY_USER)
    assert "method" in caught.value.fields


@pytest.mark.parametrize("change, field", [
    ({"method": "free text"}, "method"),
    ({"tonnes_processed": 0}, "tonnes_processed"),
    ({"tonnes_received": -5}, "tonnes_received"),
    ({"tonnes_co2e_per_tonne": 0.4}, "tonnes_co2e_per_tonne"),
    ({"year": TODAY.year + 1}, "year"),
    ({"activity": {"fuels": [{"fuel": "natural_gas", "quantity": -1}]}}, "activity.fuels[0].quantity"),
    ({"activity": {"fuels": [{"fuel": "whale_oil", "quantity": 1}]}}, "activity.fuels[0].fuel"),
    ({"activity": {"fuels": [{"fuel": "propane", "quantity": 1, "unit": "kg"}]}}, "activity.fuels[0].unit"),
    ({"activity": {"fuels": []}}, "activity.fuels"),
    ({"activity": "lots"}, "activity"),
])
def test_negative_or_impossible_activity_data_is_refused_naming_the_field(session, make_facility,
                                                                         change, field):
    with pytest.raises(ValidationFailed) as caught:
        tier1(session, make_facility("US", **KILN), **change)
    assert field in caught.value.fields
    assert session.exec(select(CarbonReport)).all() == []


def test_a_carbon_fraction_above_one_or_a_balance_below_zero_is_impossible(session, make_facility):
    kiln = make_facility("MX", **KILN)
    for activity, field in (
            ({"inputs": [{"material": "flux", "tonnes": 5, "carbon_fraction": 1.2}]},
             "activity.inputs[0].carbon_fraction"),
            ({"inputs": [{"material": "flux", "tonnes": 5, "carbon_fraction": 0.1}],
              "outputs": [{"material": "steel", "tonnes": 500, "carbon_fraction": 0.01}]},
             "activity.outputs")):
        with pytest.raises(ValidationFailed) as caught:
            services.record_carbon(session, facility_id=kiln.id, year=2025,
                                   method="ghgrp_subpart_q", tonnes_received=1,
                                   tonnes_processed=1, activity=activity, **FACILITY_USER)
        assert field in caught.value.fields


def test_an_inspector_verifies_a_facilitys_report_once(session, make_facility):
    report = tier1(session, make_facility("US", **KILN))
    services.verify_carbon(session, report_id=report.id, **INSPECTOR)
    assert (report.status, report.verified_by_id) == ("verified", INSPECTOR["actor_id"])
    with pytest.raises(InvalidTransition):
        services.verify_carbon(session, report_id=report.id, **INSPECTOR)
    with pytest.raises(ValidationFailed):  # a verified report is not rejected
        services.reject_carbon(session, report_id=report.id, reason="no", **INSPECTOR)


def test_a_facility_may_not_verify_its_own_report(session, make_facility):
    report = tier1(session, make_facility("US", **KILN))
    with pytest.raises(NotAllowed):
        services.verify_carbon(session, report_id=report.id, **FACILITY_USER)


def test_a_rejected_report_stops_counting_and_frees_its_year(session, make_facility):
    facility = make_facility("US", **KILN)
    first = tier1(session, facility)
    with pytest.raises(Conflict):
        tier1(session, facility)  # the year is taken while the first report stands
    services.reject_carbon(session, report_id=first.id, reason="fuel records missing", **INSPECTOR)
    with pytest.raises(InvalidTransition):
        services.verify_carbon(session, report_id=first.id, **INSPECTOR)
    second = tier1(session, facility)
    assert [r.status for r in reports_of(session, facility.id)] == ["unverified", "rejected"]
    assert second.id != first.id


def test_a_legacy_report_cannot_be_verified(session, make_facility):
    facility = make_facility("US")
    legacy = CarbonReport(facility_id=facility.id, year=2024, tonnes_co2e_per_tonne=0.4,
                          method="GHG Protocol", legacy=True)
    session.add(legacy)
    session.flush()
    with pytest.raises(InvalidTransition):
        services.verify_carbon(session, report_id=legacy.id, **INSPECTOR)
    services.reject_carbon(session, report_id=legacy.id, reason="typed, not measured", **INSPECTOR)
    assert legacy.status == "rejected"


def test_only_verified_reports_are_compared_lowest_first(session, make_facility):
    us, mx, ca = make_facility("US"), make_facility("MX"), make_facility("CA")
    protocol(session, us, 410)
    protocol(session, mx, 780)
    unverified = protocol(session, ca, 360, actor=FACILITY_USER)
    ranking = services.carbon_comparison(session, year=2025)
    assert [(r.facility_id, r.tonnes_co2e_per_tonne) for r in ranking] == [
        (us.id, 0.41), (mx.id, 0.78)]
    services.verify_carbon(session, report_id=unverified.id, **INSPECTOR)
    assert services.carbon_comparison(session, year=2025)[0].facility_id == ca.id


def test_the_comparison_takes_each_facilitys_newest_verified_year(session, make_facility):
    facility = make_facility("US")
    protocol(session, facility, 900, year=2023)
    protocol(session, facility, 500, year=2025)
    protocol(session, facility, 100, year=2026, actor=FACILITY_USER)  # newer, not verified
    (newest,) = services.carbon_comparison(session)
    assert (newest.year, newest.tonnes_co2e_per_tonne) == (2025, 0.5)


def test_carbon_intensity_is_not_a_gate(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust")
    protocol(session, facility, 25_000)  # far worse than any other facility
    assert check_facility(session, facility, "eaf_dust", TODAY).eligible
