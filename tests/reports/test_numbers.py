"""Each report's numbers on the seeded world, worked out by hand in conftest's comments."""
from __future__ import annotations

from permits import reports
from permits.reports.report import Report


def table(report: Report, key: str) -> list[list]:
    found = [t for s in report.sections for t in s.tables if t.key == key]
    assert len(found) == 1, f"one table {key}"
    return found[0].rows


def totals(report: Report) -> dict:
    return {t.key: t.value for t in report.totals}


def test_monthly_decisions_by_outcome_count_only_the_month(session, world):
    report = reports.build(session, "monthly_compliance", "2026-10")
    assert table(report, "decisions") == [["approved", 2, 1, 1], ["denied", 1, 1, 0],
                                          ["under_review", 1, 1, 0]]
    assert totals(report)["decisions"] == 4


def test_monthly_names_the_checks_and_rules_that_held_permits_back(session, world):
    report = reports.build(session, "monthly_compliance", "2026-10")
    rows = table(report, "failing_checks")
    # osha-lead-pel: fails once (denied), no_evidence once (under review); approved ones ignored.
    assert sorted(rows) == [["epa-tclp-lead", "stale", 1, 1], ["osha-lead-pel", "fails", 1, 1],
                            ["osha-lead-pel", "no_evidence", 1, 1]]
    assert table(report, "unmet_rules") == [["facility_active", 1, 1]]
    chart = report.chart("checks_not_met")
    assert chart.labels[0] == "osha-lead-pel"
    assert sum(v or 0 for s in chart.series for v in s.values) == 3


def test_monthly_shipments_and_tonnes_per_byproduct_and_country(session, world):
    report = reports.build(session, "monthly_compliance", "2026-10")
    assert table(report, "shipments") == [["eaf_dust", "MX", 2, 30.0], ["eaf_dust", "US", 1, 8.0],
                                          ["lead_acid_battery_dust", "CA", 2, 8.0],
                                          ["slag", "US", 1, 7.0]]
    assert totals(report)["shipments"] == 6 and totals(report)["tonnes"] == 53.0
    chart = report.chart("tonnes_by_country")
    assert chart.labels == ["CA", "MX", "US"]
    assert {s.name: s.values for s in chart.series}["eaf_dust"] == [0, 30.0, 8.0]


def test_monthly_exceptions_opened_resolved_and_open_at_month_end(session, world):
    report = reports.build(session, "monthly_compliance", "2026-10")
    assert table(report, "exceptions") == [["receipt_overdue", 2, 0, 2], ["recovery_overdue", 0, 1, 0],
                                           ["return_overdue", 0, 0, 0], ["return_reported", 0, 0, 0],
                                           ["final_recovery_overdue", 0, 0, 0]]


def test_monthly_suspensions_and_case_resolution_times(session, world):
    report = reports.build(session, "monthly_compliance", "2026-10")
    changes = table(report, "status_changes")
    assert [(r[1], r[3]) for r in changes] == [("Great Lakes Metals", "suspended"),
                                              ("Great Lakes Metals", "reinstated")]
    assert [r[6] for r in table(report, "cases_resolved")] == [17, 334]
    numbers = totals(report)
    assert numbers["cases_opened"] == 1 and numbers["cases_resolved"] == 2
    assert numbers["median_days"] == 175.5 and numbers["max_days"] == 334
    assert numbers["suspended"] == 1 and numbers["reinstated"] == 1


def test_an_empty_month_is_a_report_of_zeros(session, world):
    report = reports.build(session, "monthly_compliance", "2026-02")
    numbers = totals(report)
    assert numbers["decisions"] == 0 and numbers["shipments"] == 0 and numbers["median_days"] is None
    assert report.chart("tonnes_by_country").is_empty


def test_annual_exports_per_exporter_and_facility_leave_domestic_shipments_out(session, world):
    report = reports.build(session, "annual_exports", "2026")
    rows = {(r[0], r[2]): r for r in table(report, "flows")}
    assert set(rows) == {("Acme Metals", "Reciclados del Norte"), ("Acme Metals", "Great Lakes Metals"),
                         ("Aceros Norte", "Ohio Valley Smelting")}
    to_mx = rows[("Acme Metals", "Reciclados del Norte")]
    # The 2025-12-31 departure belongs to 2025 even though it arrived in 2026.
    assert to_mx[1] == "US" and to_mx[3] == "MX"
    assert to_mx[5:] == [3, 60.0, 59.5, 2, 40.0, 0, 1, 0]
    assert rows[("Acme Metals", "Great Lakes Metals")][5:] == [2, 8.0, 0.0, 0, 0.0, 1, 0, 1]
    particulars = {(r[0], r[1]): r[2:] for r in table(report, "particulars")}
    assert particulars[("Acme Metals", "Reciclados del Norte")] == [
        "RDN-1", "eaf_dust", "K061", "R4", "PAR-2026-000001", "Lone Star Haulage, Transportes Sierra"]
    assert particulars[("Acme Metals", "Great Lakes Metals")][2] == "D008 K069"
    numbers = totals(report)
    assert numbers["shipments"] == 6 and numbers["tonnes"] == 76.0
    assert numbers["tonnes_recovered"] == 48.0 and numbers["pending"] == 2
    assert numbers["domestic_shipments"] == 1 and numbers["exporters"] == 2


def test_annual_exports_by_country(session, world):
    report = reports.build(session, "annual_exports", "2026")
    assert table(report, "countries") == [["CA", 2, 8.0, 0.0, 0.0, 1], ["MX", 3, 60.0, 40.0, 19.5, 0],
                                          ["US", 1, 8.0, 8.0, 0.0, 0]]


def test_public_enforcement_per_facility_and_case_timelines(session, world):
    report = reports.build(session, "enforcement_public", "2026")
    per_facility = {r[0]: r[3:] for r in table(report, "facilities")}
    # inspections, violations, opened, resolved, open at year end, median days
    assert per_facility == {"Great Lakes Metals": [2, 1, 1, 1, 0, 17.0],
                            "Reciclados del Norte": [2, 1, 1, 0, 1, None],
                            "Ohio Valley Smelting": [0, 0, 0, 1, 0, 334.0]}
    cases = {r[1]: r for r in table(report, "cases")}
    assert cases["Reciclados del Norte"][5:] == [None, None, 213, "open"]
    assert cases["Great Lakes Metals"][6:] == [1, 17, "resolved"]
    numbers = totals(report)
    assert (numbers["inspections"], numbers["violations"], numbers["cases_opened"]) == (4, 2, 2)
    assert numbers["median_days"] == 175.5 and numbers["cases_open"] == 1
    assert report.public


def test_carbon_compares_verified_intensities_per_process_and_country(session, world):
    report = reports.build(session, "carbon", "2026")
    rows = table(report, "facilities")
    assert [(r[0], r[2], r[3]) for r in rows] == [("Reciclados del Norte", 0.5, -50.0),
                                                 ("Ohio Valley Smelting", 1.0, 0.0),
                                                 ("Great Lakes Metals", 1.5, 50.0)]
    # Received in 2026: MX 10 + 19.5 + 30 + 4 (arrived 2026-01-02); CA refused all it got.
    assert {r[0]: r[4] for r in rows} == {"Reciclados del Norte": 63.5, "Ohio Valley Smelting": 15.0,
                                          "Great Lakes Metals": 0.0}
    # The rejected 0.1 of Great Lakes Metals is nowhere; per process, country by country.
    assert table(report, "processes") == [
        ["metals_recovery_kiln", "US", 1, 1.0, 1.0, 1.0, 0.8],
        ["metals_recovery_kiln", "MX", 1, 0.5, 0.5, 0.5, 0.4],
        ["metals_recovery_kiln", "CA", 1, 1.5, 1.5, 1.5, 1.2]]
    chart = report.chart("intensity_metals_recovery_kiln")
    assert chart.labels == ["US", "MX", "CA"] and chart.series[0].values == [1.0, 0.5, 1.5]
    assert table(report, "countries") == [["US", 1, 1.0, 1.0, 1.0], ["MX", 1, 0.5, 0.5, 0.5],
                                          ["CA", 1, 1.5, 1.5, 1.5]]
    assert table(report, "unverified") == []  # the legacy report is of 2025
    numbers = totals(report)
    assert (numbers["mean"], numbers["facilities"], numbers["unverified"]) == (1.0, 3, 0)


def test_the_carbon_report_lists_unverified_figures_apart_and_compares_none(session, world):
    report = reports.build(session, "carbon", "2025")
    assert table(report, "facilities") == [] and table(report, "processes") == []
    assert table(report, "unverified") == [["Ohio Valley Smelting", "US", "legacy", "EPA 40 CFR 98", 9.0]]
    assert totals(report)["unverified"] == 1 and totals(report)["mean"] is None


def test_a_report_survives_the_round_trip_through_json(session, world):
    report = reports.build(session, "annual_exports", "2026")
    again = Report.from_dict(report.to_dict())
    assert again.to_dict() == report.to_dict()
