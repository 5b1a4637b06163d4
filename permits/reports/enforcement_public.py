"""The public enforcement report: per facility, a year's inspections, violations and cases,
with the dates each case was opened, notified and resolved and how long that took.

Published without sign-in ("public reporting of outcomes" with set timelines), so it holds
no personal data: no inspector, no user, no free-text summary or resolution (which may name
people) — only registered facilities, dates, counts and outcomes.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, or_
from sqlmodel import Session, select

from facility_registry.models import EnforcementCase, Facility, Inspection
from permits.reports import period as periods
from permits.reports.report import (
    N_,
    Chart,
    Column,
    Progress,
    Report,
    Section,
    Series,
    Table,
    Total,
    new_report,
    quiet,
)
from permits.reports.sql import median

KIND = "enforcement_public"
CHART_CASES = 40


def enforcement_public(session: Session, year: periods.Period, *,
                       progress: Progress = quiet) -> Report:
    report = new_report(kind=KIND, title=N_("Public enforcement report"), period=year, public=True)
    inspections = _inspections(session, year)
    progress(f"inspections at {len(inspections)} facilities counted")
    cases = _cases(session, year)
    progress(f"{len(cases)} enforcement cases read")
    report.sections = [_facilities_section(session, inspections, cases, year),
                       _cases_section(cases)]
    report.totals = _totals(inspections, cases, year)
    return report


def _inspections(session: Session, year: periods.Period) -> dict[int, tuple[int, int]]:
    """Facility id → (inspections, violations) in the year."""
    return {facility_id: (count, int(violations or 0)) for facility_id, count, violations in session.execute(
        select(Inspection.facility_id, func.count(),
               func.sum(case((Inspection.outcome == "violation", 1), else_=0)))
        .where(Inspection.inspected_on >= year.start, Inspection.inspected_on < year.end)
        .group_by(Inspection.facility_id))}


def _cases(session: Session, year: periods.Period) -> list[list]:
    """Every case open at some time in the year: opened before its end, not resolved before it."""
    found = session.execute(
        select(EnforcementCase.id, EnforcementCase.facility_id, Facility.name, Facility.country,
               EnforcementCase.opened_on, EnforcementCase.notified_on, EnforcementCase.resolved_on)
        .join(Facility, Facility.id == EnforcementCase.facility_id)
        .where(EnforcementCase.opened_on < year.end,
               or_(EnforcementCase.resolved_on.is_(None), EnforcementCase.resolved_on >= year.start))
        .order_by(EnforcementCase.opened_on, EnforcementCase.id)).all()
    rows = []
    for case_id, facility_id, name, country, opened_on, notified_on, resolved_on in found:
        resolved_in_year = resolved_on is not None and resolved_on < year.end
        ends = resolved_on if resolved_in_year else year.last_day
        rows.append([case_id, facility_id, name, country, opened_on, notified_on,
                     resolved_on if resolved_in_year else None,
                     (notified_on - opened_on).days if notified_on else None,
                     (ends - opened_on).days, "resolved" if resolved_in_year else "open"])
    return rows


def _facilities_section(session, inspections, cases, year) -> Section:
    per_case = defaultdict(lambda: {"opened": 0, "resolved": 0, "open": 0, "days": []})
    for row in cases:
        tally = per_case[row[1]]
        tally["opened"] += year.start <= row[4]
        if row[9] == "resolved":
            tally["resolved"] += 1
            tally["days"].append(row[8])
        else:
            tally["open"] += 1
    ids = sorted(set(inspections) | set(per_case))
    facilities = {f.id: f for f in session.exec(select(Facility).where(Facility.id.in_(ids)))} if ids else {}
    rows = []
    for facility_id in sorted(ids, key=lambda i: (facilities[i].country, facilities[i].name, i)):
        facility, tally = facilities[facility_id], per_case[facility_id]
        count, violations = inspections.get(facility_id, (0, 0))
        rows.append([facility.name, facility.country, facility.status, count, violations,
                     tally["opened"], tally["resolved"], tally["open"], median(tally["days"])])
    table = Table("facilities", N_("Inspections and cases per facility"), [
        Column("facility", N_("Facility")), Column("country", N_("Country")),
        Column("status", N_("Status when published"), "status"), Column("inspections", N_("Inspections"), "int"),
        Column("violations", N_("Violations"), "int"), Column("opened", N_("Cases opened"), "int"),
        Column("resolved", N_("Cases resolved"), "int"), Column("open", N_("Open at year end"), "int"),
        Column("median", N_("Median days to resolution"), "number")], rows)
    countries = sorted({r[1] for r in rows})
    chart = Chart("inspections_by_country", N_("Inspections and violations by country"), "bar",
                  labels=countries, unit=N_("inspections"),
                  series=[Series(N_("Inspections"), [sum(r[3] for r in rows if r[1] == c) for c in countries]),
                          Series(N_("Violations"), [sum(r[4] for r in rows if r[1] == c) for c in countries])])
    return Section("facilities", N_("Facilities"), [table], [chart])


def _cases_section(cases: list[list]) -> Section:
    table = Table("cases", N_("Enforcement cases"), [
        Column("case", N_("Case"), "int"), Column("facility", N_("Facility")),
        Column("country", N_("Country")), Column("opened_on", N_("Opened"), "date"),
        Column("notified_on", N_("Notified"), "date"), Column("resolved_on", N_("Resolved"), "date"),
        Column("days_to_notice", N_("Days to notification"), "int"),
        Column("days", N_("Days open"), "int"), Column("state", N_("State at year end"), "status")],
        [[r[0], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9]] for r in cases],
        note=N_("Every case open at some time in the year. Days open: to resolution, or to "
                "the last day of the year for a case still open."))
    shown = sorted(cases, key=lambda r: (-r[8], r[0]))[:CHART_CASES]
    chart = Chart("days_to_resolution", N_("Days each case has taken"), "stacked_horizontal_bar",
                  labels=[f"#{r[0]} {r[2]}" for r in shown], unit=N_("days"),
                  series=[Series(N_("Resolved"), [r[8] if r[9] == "resolved" else None for r in shown]),
                          Series(N_("Still open"), [r[8] if r[9] == "open" else None for r in shown])],
                  note=N_("The longest cases first.") if len(cases) > CHART_CASES else "")
    return Section("cases", N_("Enforcement cases and their timelines"), [table], [chart])


def _totals(inspections, cases, year) -> list[Total]:
    days = [r[8] for r in cases if r[9] == "resolved"]
    return [
        Total("inspections", N_("Inspections"), sum(n for n, _ in inspections.values())),
        Total("violations", N_("Violations"), sum(v for _, v in inspections.values())),
        Total("cases_opened", N_("Cases opened"), sum(year.start <= r[4] for r in cases)),
        Total("cases_resolved", N_("Cases resolved"), len(days)),
        Total("cases_open", N_("Cases open at year end"), sum(r[9] == "open" for r in cases)),
        Total("median_days", N_("Median days to resolution"), median(days), "number"),
        Total("max_days", N_("Longest days to resolution"), max(days, default=None)),
    ]

