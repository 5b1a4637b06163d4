"""The monthly compliance report: one calendar month's decisions, what held permits back,
shipments, missed deadlines, facility suspensions and enforcement cases."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, case, distinct, func, or_, true
from sqlmodel import Session, select

from facility_registry.models import EnforcementCase, Facility, FacilityStatusChange
from permits.permitting.decision_models import DECISION_OUTCOMES, Decision
from permits.permitting.models import Permit
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
    tonnes,
)
from permits.reports.sql import json_elements, median
from permits.shipments.models import EXCEPTION_KINDS, Shipment, ShipmentException

KIND = "monthly_compliance"
TOP_CHECKS = 15


def monthly_compliance(session: Session, month: periods.Period, *,
                       progress: Progress = quiet) -> Report:
    report = new_report(kind=KIND, title=N_("Monthly compliance report"), period=month)
    for build in (_decisions, _held_back, _shipments, _exceptions, _facilities, _enforcement):
        section, totals = build(session, month)
        progress(f"{section.title}: done")
        report.sections.append(section)
        report.totals.extend(totals)
    return report


def _decisions(session: Session, month: periods.Period):
    found = {outcome: (count, on_applications) for outcome, count, on_applications in session.execute(
        select(Decision.outcome, func.count(),
               func.sum(case((Decision.amendment_id.is_(None), 1), else_=0)))
        .where(Decision.decided_at >= month.start_at, Decision.decided_at < month.end_at)
        .group_by(Decision.outcome))}
    rows = []
    for outcome in DECISION_OUTCOMES:
        count, on_applications = found.get(outcome, (0, 0))
        rows.append([outcome, count, on_applications or 0, count - (on_applications or 0)])
    table = Table("decisions", N_("Decisions by outcome"), [
        Column("outcome", N_("Outcome"), "status"), Column("decisions", N_("Decisions"), "int"),
        Column("applications", N_("On applications"), "int"),
        Column("amendments", N_("On amendments"), "int")], rows)
    chart = Chart("decisions_by_outcome", N_("Decisions by outcome"), "bar",
                  labels=list(DECISION_OUTCOMES), unit=N_("decisions"),
                  series=[Series(N_("Decisions"), [r[1] for r in rows])])
    labels = {"approved": N_("Approved"), "denied": N_("Denied"), "under_review": N_("Under review")}
    totals = [Total("decisions", N_("Decisions"), sum(r[1] for r in rows)),
              *(Total(r[0], labels.get(r[0], r[0]), r[1]) for r in rows)]
    return Section("decisions", N_("Decisions"), [table], [chart]), totals


def _held_back(session: Session, month: periods.Period):
    """Which checks and rules stood between the month's applications and an approval."""
    in_month = and_(Decision.decided_at >= month.start_at, Decision.decided_at < month.end_at,
                    Decision.outcome != "approved")
    checks, (standard, verdict) = json_elements(session, Decision.checks, "standard", "verdict")
    check_rows = session.execute(
        select(standard, verdict, func.count(), func.count(distinct(Decision.permit_id)))
        .select_from(Decision).join(checks, true())
        .where(in_month, verdict != "meets")
        .group_by(standard, verdict).order_by(func.count().desc(), standard, verdict)).all()
    rules, (rule, met) = json_elements(session, Decision.rules, "rule", "met")
    rule_rows = session.execute(
        select(rule, func.count(), func.count(distinct(Decision.permit_id)))
        .select_from(Decision).join(rules, true())
        .where(in_month, met.in_(("0", "false")))
        .group_by(rule).order_by(func.count().desc(), rule)).all()
    table = Table("failing_checks", N_("Standards not met, most frequent first"), [
        Column("standard", N_("Standard")), Column("verdict", N_("Verdict"), "status"),
        Column("checks", N_("Checks"), "int"), Column("permits", N_("Permits"), "int")],
        [list(r) for r in check_rows[:TOP_CHECKS]],
        note=N_("Checks of denied and under-review decisions whose verdict was not 'meets'."))
    rule_table = Table("unmet_rules", N_("Permit rules not met"), [
        Column("rule", N_("Rule")), Column("decisions", N_("Decisions"), "int"),
        Column("permits", N_("Permits"), "int")], [list(r) for r in rule_rows])
    return (Section("held_back", N_("What held permits back"), [table, rule_table],
                    [_checks_chart(check_rows)]),
            [Total("checks_not_met", N_("Checks not met"), sum(r[2] for r in check_rows))])


def _checks_chart(rows) -> Chart:
    by_standard: dict[str, dict[str, int]] = defaultdict(dict)
    for standard, verdict, count, _permits in rows:
        by_standard[standard][verdict] = count
    top = sorted(by_standard, key=lambda s: (-sum(by_standard[s].values()), s))[:10]
    verdicts = sorted({v for s in top for v in by_standard[s]})
    return Chart("checks_not_met", N_("Checks not met, by standard and verdict"),
                 "stacked_horizontal_bar", labels=top, unit=N_("checks"),
                 series=[Series(v, [by_standard[s].get(v, 0) for s in top]) for v in verdicts])


def _shipments(session: Session, month: periods.Period):
    rows = session.execute(
        select(Permit.byproduct, Facility.country, func.count(Shipment.id),
               func.sum(Shipment.quantity_kg))
        .join(Permit, Permit.id == Shipment.permit_id)
        .join(Facility, Facility.id == Permit.receiving_facility_id)
        .where(Shipment.departed_on >= month.start, Shipment.departed_on < month.end)
        .group_by(Permit.byproduct, Facility.country)
        .order_by(Permit.byproduct, Facility.country)).all()
    table = Table("shipments", N_("Shipments by byproduct and receiving country"), [
        Column("byproduct", N_("Byproduct")), Column("country", N_("Receiving country")),
        Column("shipments", N_("Shipments"), "int"), Column("tonnes", N_("Tonnes"), "tonnes")],
        [[b, c, n, tonnes(kg)] for b, c, n, kg in rows],
        note=N_("Shipments that departed in the month, as shipped."))
    countries = sorted({c for _, c, _, _ in rows})
    byproducts = sorted({b for b, _, _, _ in rows})
    moved = {(b, c): tonnes(kg) for b, c, _, kg in rows}
    chart = Chart("tonnes_by_country", N_("Tonnes shipped by receiving country and byproduct"),
                  "stacked_bar", labels=countries, unit="t",
                  series=[Series(b, [moved.get((b, c), 0) for c in countries]) for b in byproducts])
    totals = [Total("shipments", N_("Shipments"), sum(r[2] for r in rows)),
              Total("tonnes", N_("Tonnes shipped"), tonnes(sum(r[3] or 0 for r in rows)), "tonnes")]
    return Section("shipments", N_("Shipments"), [table], [chart]), totals


def _exceptions(session: Session, month: periods.Period):
    def count_when(condition):
        return func.sum(case((condition, 1), else_=0))

    resolved = ShipmentException.resolved_at
    found = {kind: counts for kind, *counts in session.execute(
        select(ShipmentException.kind,
               count_when(and_(ShipmentException.detected_on >= month.start,
                               ShipmentException.detected_on < month.end)),
               count_when(and_(resolved >= month.start_at, resolved < month.end_at)),
               count_when(and_(ShipmentException.detected_on < month.end,
                               or_(resolved.is_(None), resolved >= month.end_at))))
        .group_by(ShipmentException.kind))}
    rows = [[kind, *(int(n or 0) for n in found.get(kind, (0, 0, 0)))] for kind in EXCEPTION_KINDS]
    table = Table("exceptions", N_("Deadline exceptions by kind"), [
        Column("kind", N_("Kind"), "status"), Column("opened", N_("Opened"), "int"),
        Column("resolved", N_("Resolved"), "int"), Column("open", N_("Open at month end"), "int")],
        rows)
    chart = Chart("exceptions_by_kind", N_("Deadline exceptions by kind"), "bar",
                  labels=list(EXCEPTION_KINDS), unit=N_("exceptions"),
                  series=[Series(N_("Opened"), [r[1] for r in rows]),
                          Series(N_("Resolved"), [r[2] for r in rows]),
                          Series(N_("Open at month end"), [r[3] for r in rows])])
    totals = [Total("exceptions_opened", N_("Exceptions opened"), sum(r[1] for r in rows)),
              Total("exceptions_open", N_("Exceptions open at month end"), sum(r[3] for r in rows))]
    return Section("exceptions", N_("Missed deadlines"), [table], [chart]), totals


def _facilities(session: Session, month: periods.Period):
    changes = session.execute(
        select(FacilityStatusChange.at, Facility.name, Facility.country,
               FacilityStatusChange.from_status, FacilityStatusChange.to_status,
               FacilityStatusChange.reason)
        .join(Facility, Facility.id == FacilityStatusChange.facility_id)
        .where(FacilityStatusChange.at >= month.start_at, FacilityStatusChange.at < month.end_at,
               or_(FacilityStatusChange.to_status == "suspended",
                   and_(FacilityStatusChange.to_status == "active",
                        FacilityStatusChange.from_status == "suspended")))
        .order_by(FacilityStatusChange.at, FacilityStatusChange.id)).all()
    rows = [[at.date(), name, country, "suspended" if to == "suspended" else "reinstated", reason]
            for at, name, country, _from, to, reason in changes]
    table = Table("status_changes", N_("Facilities suspended and reinstated"), [
        Column("on", N_("Date"), "date"), Column("facility", N_("Facility")),
        Column("country", N_("Country")), Column("change", N_("Change"), "status"),
        Column("reason", N_("Reason"))], rows)
    totals = [Total("suspended", N_("Facilities suspended"), sum(r[3] == "suspended" for r in rows)),
              Total("reinstated", N_("Facilities reinstated"), sum(r[3] == "reinstated" for r in rows))]
    return Section("facilities", N_("Facility suspensions"), [table]), totals


def _enforcement(session: Session, month: periods.Period):
    opened = session.execute(
        select(func.count()).select_from(EnforcementCase)
        .where(EnforcementCase.opened_on >= month.start, EnforcementCase.opened_on < month.end)
    ).scalar_one()
    # Only the month's resolved cases are listed: a handful, each needed for its own bar.
    resolved = session.execute(
        select(EnforcementCase.id, Facility.name, Facility.country, EnforcementCase.opened_on,
               EnforcementCase.notified_on, EnforcementCase.resolved_on)
        .join(Facility, Facility.id == EnforcementCase.facility_id)
        .where(EnforcementCase.resolved_on >= month.start, EnforcementCase.resolved_on < month.end)
        .order_by(EnforcementCase.resolved_on, EnforcementCase.id)).all()
    rows = [[case_id, name, country, opened_on, notified_on, resolved_on, (resolved_on - opened_on).days]
            for case_id, name, country, opened_on, notified_on, resolved_on in resolved]
    days = [r[6] for r in rows]
    table = Table("cases_resolved", N_("Enforcement cases resolved"), [
        Column("case", N_("Case"), "int"), Column("facility", N_("Facility")),
        Column("country", N_("Country")), Column("opened_on", N_("Opened"), "date"),
        Column("notified_on", N_("Notified"), "date"), Column("resolved_on", N_("Resolved"), "date"),
        Column("days", N_("Days to resolution"), "int")], rows)
    chart = Chart("days_to_resolution", N_("Days to resolution per case"), "horizontal_bar",
                  labels=[f"#{r[0]} {r[1]}" for r in rows], unit=N_("days"),
                  series=[Series(N_("Days to resolution"), days)])
    totals = [Total("cases_opened", N_("Enforcement cases opened"), opened),
              Total("cases_resolved", N_("Enforcement cases resolved"), len(rows)),
              Total("median_days", N_("Median days to resolution"), median(days), "number"),
              Total("max_days", N_("Longest days to resolution"), max(days, default=None))]
    return Section("enforcement", N_("Enforcement cases"), [table], [chart]), totals
