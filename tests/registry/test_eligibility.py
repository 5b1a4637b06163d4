"""Eligibility: the equivalence checks for each standard, plus the registry's own reasons."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import delete, select

from facility_registry import services
from facility_registry.eligibility import (
    check_facility,
    find_facilities,
    governing,
    refresh_standings,
)
from facility_registry.models import FacilityStanding
from standards.catalogue import standards_in_force
from tests.registry.conftest import (
    FACILITY_USER,
    INSPECTOR,
    LAST_MONTH,
    TODAY,
    passing_value,
    record_passing,
)

PEL = "osha-lead-pel"


def verdicts(result):
    return {c.standard: c.verdict for c in result.checks}


def pel_entry(session, facility, *, kind="measurement", value=30, actor=INSPECTOR,
              observed_on=LAST_MONTH):
    return services.record_evidence(session, facility_id=facility.id, standard=PEL, kind=kind,
                                    value=value, unit="µg/m³", basis="8h_twa",
                                    observed_on=observed_on, source="lab", **actor)


def test_a_facility_meeting_every_standard_is_eligible(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust")
    result = check_facility(session, facility, "eaf_dust", TODAY)
    assert result.eligible, result.why_not()
    assert result.reasons == []
    # The standards for the byproduct that govern one of the facility's receiving processes.
    in_force = governing(standards_in_force(session, TODAY, "eaf_dust"), facility.processes)
    assert in_force, "the facility's processes are governed by some standard"
    assert {c.standard for c in result.checks} == {s.code for s in in_force}
    assert len(result.evidence_ids) == 2 * len(in_force)


def test_missing_evidence_is_no_evidence(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust", skip={PEL})
    result = check_facility(session, facility, "eaf_dust", TODAY)
    assert not result.eligible
    assert verdicts(result)[PEL] == "no_evidence"


def test_a_suspended_facility_is_not_eligible_and_says_so(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust")
    services.suspend_facility(session, facility_id=facility.id, reason="audit", **INSPECTOR)
    result = check_facility(session, facility, "eaf_dust", TODAY)
    assert not result.eligible
    assert result.reasons == ["the facility is suspended"]
    assert set(verdicts(result).values()) == {"meets"}


def test_a_byproduct_the_facility_does_not_accept(session, make_facility):
    facility = make_facility("CA")  # accepts eaf_dust only
    result = check_facility(session, facility, "slag", TODAY)
    assert "the facility does not accept slag" in result.reasons


def test_only_unverified_evidence_gives_unverified(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust", skip={PEL})
    pel_entry(session, facility, kind="limit", value=50)
    pel_entry(session, facility, actor=FACILITY_USER)
    assert verdicts(check_facility(session, facility, "eaf_dust", TODAY))[PEL] == "unverified"


def test_self_reported_bad_news_counts_before_it_is_verified(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust")
    own = pel_entry(session, facility, value=180, actor=FACILITY_USER, observed_on=TODAY)
    result = check_facility(session, facility, "eaf_dust", TODAY)
    assert verdicts(result)[PEL] == "fails"
    pel = next(c for c in result.checks if c.standard == PEL)
    assert pel.facility_measured["evidence_id"] == own.id
    assert "180 µg/m³" in pel.reason and "self-reported" in pel.reason


def test_self_reported_good_news_waits_for_verification(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust", skip={PEL})
    pel_entry(session, facility, kind="limit", value=50)
    pel_entry(session, facility, value=20, actor=FACILITY_USER, observed_on=TODAY)
    assert verdicts(check_facility(session, facility, "eaf_dust", TODAY))[PEL] == "unverified"


def test_a_relaxed_legal_limit_reported_by_the_facility_counts_at_once(session, make_facility):
    facility = make_facility("MX")
    record_passing(session, facility, "eaf_dust")
    services.record_evidence(session, facility_id=facility.id, standard="epa-lead-naaqs",
                             kind="limit", value=1.5, unit="µg/m³", basis="rolling_3_month",
                             observed_on=TODAY, source="NOM-026-SSA1-1993", **FACILITY_USER)
    assert verdicts(check_facility(session, facility, "eaf_dust", TODAY))["epa-lead-naaqs"] == "fails"


def test_the_worst_reading_in_the_window_decides_not_the_newest(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust", skip={"osha-lead-blood-removal"})
    blood = {"standard": "osha-lead-blood-removal", "unit": "µg/100 g", "basis": "per_test",
             "source": "lab"}
    services.record_evidence(session, facility_id=facility.id, kind="limit", value=60,
                             comparator="<", observed_on=LAST_MONTH, **blood, **INSPECTOR)
    high = services.record_evidence(session, facility_id=facility.id, kind="measurement", value=72,
                                    observed_on=TODAY - timedelta(days=10), **blood, **INSPECTOR)
    services.record_evidence(session, facility_id=facility.id, kind="measurement", value=20,
                             observed_on=TODAY, **blood, **INSPECTOR)
    result = check_facility(session, facility, "eaf_dust", TODAY)
    check = next(c for c in result.checks if c.standard == "osha-lead-blood-removal")
    assert check.verdict == "fails"
    assert check.facility_measured["evidence_id"] == high.id
    assert "the worst of 2 measurements" in check.reason
    # Once it has left the six-month window it no longer counts.
    later = check_facility(session, facility, "eaf_dust", TODAY + timedelta(days=180))
    check = next(c for c in later.checks if c.standard == "osha-lead-blood-removal")
    assert check.verdict == "meets"


def test_a_superseded_measurement_is_not_used(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust", skip={PEL})
    pel_entry(session, facility, kind="limit", value=50)
    wrong = pel_entry(session, facility, value=30)
    services.supersede_evidence(session, evidence_id=wrong.id, reason="decimal point slipped",
                                value=300, unit="µg/m³", basis="8h_twa", observed_on=LAST_MONTH,
                                source="lab rev 1", **INSPECTOR)
    assert verdicts(check_facility(session, facility, "eaf_dust", TODAY))[PEL] == "fails"


def test_evidence_observed_after_the_day_asked_about_is_ignored(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust")
    before = check_facility(session, facility, "eaf_dust", LAST_MONTH - timedelta(days=1))
    assert set(verdicts(before).values()) == {"no_evidence"}


def test_a_binding_limit_worse_than_the_us_value_fails(session, make_facility):
    facility = make_facility("MX")
    record_passing(session, facility, "eaf_dust", skip={"epa-lead-naaqs"})
    for kind, value in (("limit", 1.5), ("measurement", 0.1)):  # NOM-026-SSA1-1993's 1.5 µg/m³
        services.record_evidence(session, facility_id=facility.id, standard="epa-lead-naaqs",
                                 kind=kind, value=value, unit="ug/m3", basis="rolling_3_month",
                                 observed_on=LAST_MONTH, source="NOM-026-SSA1-1993", **INSPECTOR)
    result = check_facility(session, facility, "eaf_dust", TODAY)
    assert verdicts(result)["epa-lead-naaqs"] == "fails"
    assert not result.eligible


def test_the_finder_lists_eligible_facilities_and_why_the_others_are_not(session, make_facility):
    good = make_facility("US")
    record_passing(session, good, "eaf_dust")
    lacking = make_facility("CA")
    record_passing(session, lacking, "eaf_dust", skip={PEL})
    refusing = make_facility("MX", accepts=["slag"])
    no_r4 = make_facility("MX", semarnat_nra="XYZ123456", name="Disposal Only", operations=["D10"],
                          accepts=["eaf_dust"])
    found = find_facilities(session, byproduct="eaf_dust", operation="R4", on=TODAY)
    assert [row.id for row, _ in found.eligible] == [good.id]
    why = {row.id: reasons for row, reasons in found.ineligible}
    assert any(PEL in r and "no_evidence" in r for r in why[lacking.id])
    assert why[refusing.id] == ["the facility does not accept eaf_dust"]
    assert why[no_r4.id] == ["the facility does not perform operation R4"]


def test_the_finder_filters_by_country(session, make_facility):
    make_facility("US")
    canadian = make_facility("CA")
    found = find_facilities(session, byproduct="eaf_dust", operation="R4", on=TODAY, country="CA")
    assert [row.id for row, _ in found.ineligible] == [canadian.id]
    assert found.eligible == []
    assert all(": no_evidence" in reason for reason in found.ineligible[0][1])


def test_passing_values_are_really_passing(session):
    # Guards the helpers above: an exclusive U.S. limit fails at equality, so we use half.
    for standard in standards_in_force(session, TODAY, "eaf_dust"):
        value = passing_value(standard)
        assert value is True or value != standard.value


def test_a_write_stores_the_facilitys_standing_and_the_finder_reads_it(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust")
    standing = session.get(FacilityStanding, (facility.id, "eaf_dust"))
    assert standing.checks_meet and standing.blockers == ""
    assert standing.valid_until > TODAY
    # The finder trusts a standing that still holds (this one is doctored to prove it) ...
    standing.checks_meet, standing.blockers = False, "osha-lead-pel=fails"
    session.flush()
    found = find_facilities(session, byproduct="eaf_dust", operation="R4", on=TODAY)
    assert found.ineligible == [(found.ineligible[0][0], ["osha-lead-pel: fails"])]
    # ... and recomputes, without storing, one whose measurements may have gone stale.
    standing.valid_until = TODAY
    session.flush()
    found = find_facilities(session, byproduct="eaf_dust", operation="R4", on=TODAY)
    assert [row.id for row, _ in found.eligible] == [facility.id]
    assert session.get(FacilityStanding, (facility.id, "eaf_dust")).valid_until == TODAY


def test_a_standing_expires_when_its_oldest_measurement_would_go_stale(session, make_facility):
    facility = make_facility("US")
    record_passing(session, facility, "eaf_dust", observed_on=LAST_MONTH)
    standing = session.get(FacilityStanding, (facility.id, "eaf_dust"))
    assert standing.valid_until <= LAST_MONTH + timedelta(days=366)
    late = standing.valid_until + timedelta(days=1)
    assert not check_facility(session, facility, "eaf_dust", late).eligible  # stale by then
    found = find_facilities(session, byproduct="eaf_dust", operation="R4", on=late)
    assert found.eligible == []


def test_refreshing_after_an_import_stores_every_accepted_byproduct(session, make_facility):
    facility = make_facility("US")  # accepts lead_acid_battery_dust and eaf_dust
    session.exec(delete(FacilityStanding))
    assert refresh_standings(session, [facility.id]) == 2
    assert {s.byproduct for s in session.exec(select(FacilityStanding))} == {
        "lead_acid_battery_dust", "eaf_dust"}
