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
from permits.cases.models import CaseStage
from permits.cases.public import stage_timeliness
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
    stages = _stages(session, year)
    progress(f"{len(stages)} case stages read for their deadlines")
    report.sections = [_facilities_section(session, inspections, cases, year),
                       _cases_section(cases), _timeliness_section(stages, year)]
    report.totals = _totals(inspections, cases, year) + _timeliness_totals(stages, year)
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



# --- the rapid-response deadlines: each stage met, missed, or overdue at year end -----------

STAGE_LABELS = {"screening": N_("Screening"), "review_request": N_("Review requested"),
                "investigation": N_("Investigation"), "remediation_plan": N_("Remediation plan"),
                "remediation": N_("Remediation")}


def _stages(session: Session, year: periods.Period) -> list[tuple]:
    """Every stage running at some time in the year, with its case and facility."""
    return list(session.execute(
        select(CaseStage, EnforcementCase.reference, EnforcementCase.origin,
               EnforcementCase.category, EnforcementCase.outcome, Facility.name, Facility.country)
        .join(EnforcementCase, EnforcementCase.id == CaseStage.case_id)
        .join(Facility, Facility.id == EnforcementCase.facility_id)
        .where(CaseStage.started_on < year.end,
               or_(CaseStage.completed_on.is_(None), CaseStage.completed_on >= year.start))
        .order_by(EnforcementCase.opened_on, EnforcementCase.id, CaseStage.started_on,
                  CaseStage.id)).all())


def _as_of_year_end(stage: CaseStage, year: periods.Period) -> dict:
    """The stage as it stood on the year's last day (a later end is not known yet then)."""
    ended = stage.completed_on if stage.completed_on and stage.completed_on < year.end else None
    return stage_timeliness(CaseStage(stage=stage.stage, case_id=stage.case_id,
                                      started_on=stage.started_on, due_on=stage.due_on,
                                      completed_on=ended), year.last_day)


def _timeliness_section(stages: list[tuple], year: periods.Period) -> Section:
    per_case: dict[str, list] = {}
    per_stage = {key: [0, 0, 0, 0] for key in STAGE_LABELS}  # ended, on time, late, overdue
    for stage, reference, origin, category, outcome, name, country in stages:
        timing = _as_of_year_end(stage, year)
        row = per_case.setdefault(reference, [reference, name, country, origin, category or "",
                                              stage.stage, outcome or "", 0, 0, "no"])
        row[5] = stage.stage
        tally = per_stage[stage.stage]
        if timing["met"] is True:
            row[7] += 1
        elif timing["met"] is False:
            row[8] += 1
        if timing["overdue"]:
            row[9] = "yes"
            tally[3] += 1
        if stage.completed_on and stage.completed_on < year.end:
            tally[0] += 1
            tally[1 if timing["met"] is not False else 2] += 1
    cases = Table("case_deadlines", N_("Each case's stage deadlines"), [
        Column("reference", N_("Case")), Column("facility", N_("Facility")),
        Column("country", N_("Country")), Column("origin", N_("Opened by")),
        Column("category", N_("Category")), Column("stage", N_("Stage at year end"), "status"),
        Column("outcome", N_("Outcome"), "status"), Column("met", N_("Deadlines met"), "int"),
        Column("missed", N_("Deadlines missed"), "int"),
        Column("overdue", N_("Overdue at year end"))], list(per_case.values()),
        note=N_("Deadlines as set when each stage started: screening 30 days from receipt, the "
                "facility's country 10 days to agree to review and 45 days to conduct it "
                "(USMCA Art. 31-A.4 and the U.S. procedures implementing it), a remediation plan "
                "within 10 days of findings, remediation by the plan's own dates."))
    by_stage = Table("stage_deadlines", N_("Deadlines by stage"), [
        Column("stage", N_("Stage")), Column("ended", N_("Ended in the year"), "int"),
        Column("on_time", N_("On time"), "int"), Column("late", N_("Late"), "int"),
        Column("overdue", N_("Overdue at year end"), "int")],
        [[STAGE_LABELS[key], *tally] for key, tally in per_stage.items()])
    chart = Chart("deadlines_by_stage", N_("Stage deadlines met and missed"), "bar",
                  labels=[STAGE_LABELS[key] for key in per_stage], unit=N_("stages"),
                  series=[Series(N_("On time"), [t[1] for t in per_stage.values()]),
                          Series(N_("Late"), [t[2] for t in per_stage.values()]),
                          Series(N_("Overdue at year end"), [t[3] for t in per_stage.values()])])
    return Section("timeliness", N_("Rapid-response cases and their deadlines"), [cases, by_stage],
                   [chart])


def _timeliness_totals(stages: list[tuple], year: periods.Period) -> list[Total]:
    timings = [_as_of_year_end(s[0], year) for s in stages]
    petitions = {s[1] for s in stages if s[2] == "petition" and s[0].stage == "screening"
                 and year.start <= s[0].started_on}
    return [
        Total("petitions", N_("Petitions received"), len(petitions)),
        Total("deadlines_met", N_("Stage deadlines met"), sum(t["met"] is True for t in timings)),
        Total("deadlines_missed", N_("Stage deadlines missed"),
              sum(t["met"] is False for t in timings)),
    ]
