"""The carbon report: a year's VERIFIED carbon intensities compared across the three countries
per receiving process, each facility's beside what it received through Parity; the reports
still unverified (or legacy) listed apart, as such, and left out of every comparison.
Compared and shown, never a gate on a permit."""
from __future__ import annotations

from statistics import mean

from sqlalchemy import func
from sqlmodel import Session, select

from facility_registry.carbon_methods import PROCESSES
from facility_registry.models import CarbonReport, Facility
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
from permits.shipments.models import Shipment
from standards.vocabulary import COUNTRIES

KIND = "carbon"
CHART_FACILITIES = 40
# One chart per process; its title says which (a label is translated whole, never glued).
PROCESS_CHART_TITLES = {
    "secondary_lead_smelting": N_("Secondary lead smelting: verified t CO2e per tonne, by country"),
    "metals_recovery_kiln": N_("Metals recovery kilns: verified t CO2e per tonne, by country"),
    "slag_processing": N_("Slag processing: verified t CO2e per tonne, by country"),
    "land_disposal": N_("Land disposal: verified t CO2e per tonne, by country"),
}


def carbon(session: Session, year: periods.Period, *, progress: Progress = quiet) -> Report:
    report = new_report(kind=KIND, title=N_("Carbon intensity report"), period=year)
    verified, unverified = _reports(session, year)
    progress(f"{len(verified)} verified and {len(unverified)} unverified reports for {year.label}")
    report.sections = [_process_section(verified), _facility_section(verified),
                       _country_section(verified), _unverified_section(unverified)]
    values = [r["processed"] for r in verified]
    report.totals = [
        Total("facilities", N_("Verified reports compared"), len(verified)),
        Total("unverified", N_("Reports not verified (left out)"), len(unverified)),
        Total("mean", N_("Mean tCO2e per tonne"), round(mean(values), 3) if values else None,
              "number"),
        Total("lowest", N_("Lowest tCO2e per tonne"), min(values, default=None), "number"),
        Total("highest", N_("Highest tCO2e per tonne"), max(values, default=None), "number"),
    ]
    return report


def _received_kg(year: periods.Period):
    """What each facility accepted in the year through Parity (received less refused)."""
    return (select(Permit.receiving_facility_id.label("facility_id"),
                   func.sum(func.coalesce(Shipment.received_kg, 0) - Shipment.refused_kg).label("kg"))
            .join(Permit, Permit.id == Shipment.permit_id)
            .where(Shipment.received_on >= year.start, Shipment.received_on < year.end)
            .group_by(Permit.receiving_facility_id).subquery())


def _reports(session: Session, year: periods.Period) -> tuple[list[dict], list[dict]]:
    """The year's standing reports (rejected ones are gone), verified and not, lowest first."""
    received = _received_kg(year)
    rows = session.execute(
        select(Facility.name, Facility.country, CarbonReport, received.c.kg)
        .join(Facility, Facility.id == CarbonReport.facility_id)
        .outerjoin(received, received.c.facility_id == CarbonReport.facility_id)
        .where(CarbonReport.year == year.year, CarbonReport.rejected_at.is_(None))
        .order_by(CarbonReport.tonnes_co2e_per_tonne, Facility.name)).all()
    verified, unverified = [], []
    for name, country, r, kg in rows:
        row = {"name": name, "country": country, "process": r.process, "method": r.method,
               "total": _round(r.total_tco2e), "processed": _round(r.tonnes_co2e_per_tonne),
               "received": _round(r.tonnes_co2e_per_tonne_received), "through_parity": tonnes(kg),
               "status": "legacy" if r.legacy else r.status}
        (verified if r.verified and not r.legacy else unverified).append(row)
    return verified, unverified


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _process_section(rows: list[dict]) -> Section:
    """Per process and country: how many verified reports, their mean, lowest and highest."""
    table_rows, charts = [], []
    for process in PROCESSES:
        of_process = [r for r in rows if r["process"] == process]
        if not of_process:
            continue
        means = {}
        for country in COUNTRIES:
            found = [r for r in of_process if r["country"] == country]
            if not found:
                continue
            processed = [r["processed"] for r in found]
            per_received = [r["received"] for r in found if r["received"] is not None]
            means[country] = (round(mean(processed), 3),
                              round(mean(per_received), 3) if per_received else None)
            table_rows.append([process, country, len(found), means[country][0], min(processed),
                               max(processed), means[country][1]])
        charts.append(Chart(
            f"intensity_{process}", PROCESS_CHART_TITLES[process], "bar",
            labels=list(means), unit="tCO2e/t",
            series=[Series(N_("Mean per tonne processed"), [m[0] for m in means.values()]),
                    Series(N_("Mean per tonne received"), [m[1] for m in means.values()])]))
    table = Table("processes", N_("Verified carbon intensity by process and country"), [
        Column("process", N_("Process"), "status"), Column("country", N_("Country")),
        Column("facilities", N_("Verified reports"), "int"),
        Column("mean", N_("Mean tCO2e per tonne processed"), "number"),
        Column("lowest", N_("Lowest"), "number"), Column("highest", N_("Highest"), "number"),
        Column("mean_received", N_("Mean tCO2e per tonne received"), "number")], table_rows,
        note=N_("Only reports an inspector verified are compared; each intensity is computed "
                "from the activity data of a named method."))
    return Section("processes", N_("By process and country"), [table], charts)


def _facility_section(rows: list[dict]) -> Section:
    by_process = {p: mean([r["processed"] for r in rows if r["process"] == p])
                  for p in {r["process"] for r in rows}}
    table = Table("facilities", N_("Verified carbon intensity by facility, lowest first"), [
        Column("facility", N_("Facility")), Column("country", N_("Country")),
        Column("intensity", N_("tCO2e per tonne"), "number"),
        Column("vs_mean", N_("Against the mean of its process"), "percent"),
        Column("received", N_("Tonnes received in the year"), "tonnes"),
        Column("method", N_("Method")), Column("process", N_("Process"), "status"),
        Column("total", N_("Total tCO2e"), "number"),
        Column("per_received", N_("tCO2e per tonne received"), "number")],
        [[r["name"], r["country"], r["processed"], _against(r, by_process), r["through_parity"],
          r["method"], r["process"], r["total"], r["received"]] for r in rows],
        note=N_("Verified reports only. Shown for comparison; it never decides a permit."))
    shown = rows[:CHART_FACILITIES]
    chart = Chart("intensity_by_facility", N_("Verified carbon intensity by facility"),
                  "horizontal_bar", labels=[f"{r['name']} ({r['country']})" for r in shown],
                  unit="tCO2e/t", series=[Series(N_("tCO2e per tonne"), [r["processed"] for r in shown])],
                  note=N_("The lowest first.") if len(rows) > CHART_FACILITIES else "")
    return Section("facilities", N_("Facilities"), [table], [chart])


def _against(row: dict, by_process: dict) -> float | None:
    average = by_process.get(row["process"])
    return round((row["processed"] - average) / average * 100, 1) if average else None


def _country_section(rows: list[dict]) -> Section:
    table_rows = []
    for country in COUNTRIES:
        values = [r["processed"] for r in rows if r["country"] == country]
        if values:
            table_rows.append([country, len(values), round(mean(values), 3), min(values), max(values)])
    table = Table("countries", N_("Verified carbon intensity by country, every process"), [
        Column("country", N_("Country")), Column("facilities", N_("Facilities"), "int"),
        Column("mean", N_("Mean"), "number"), Column("lowest", N_("Lowest"), "number"),
        Column("highest", N_("Highest"), "number")], table_rows,
        note=N_("Processes differ: compare within a process (above) before across them."))
    chart = Chart("intensity_by_country", N_("Carbon intensity by country: lowest, mean, highest"),
                  "bar", labels=[r[0] for r in table_rows], unit="tCO2e/t",
                  series=[Series(N_("Lowest"), [r[3] for r in table_rows]),
                          Series(N_("Mean"), [r[2] for r in table_rows]),
                          Series(N_("Highest"), [r[4] for r in table_rows])])
    return Section("countries", N_("Countries"), [table], [chart])


def _unverified_section(rows: list[dict]) -> Section:
    table = Table("unverified", N_("Reports not verified: shown as reported, compared with nothing"), [
        Column("facility", N_("Facility")), Column("country", N_("Country")),
        Column("status", N_("Status"), "status"), Column("method", N_("Method")),
        Column("intensity", N_("tCO2e per tonne, as reported"), "number")],
        [[r["name"], r["country"], r["status"], r["method"], r["processed"]] for r in rows],
        note=N_("Unverified: waiting for an inspector. Legacy: a typed figure from before the "
                "reporting methods, which cannot be verified."))
    return Section("unverified", N_("Not verified"), [table])
