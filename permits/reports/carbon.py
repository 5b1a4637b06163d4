"""The carbon report: a year's reported carbon intensity by facility and by country, side by
side with what each facility received. Compared and shown, never a gate on a permit."""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

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

KIND = "carbon"
CHART_FACILITIES = 40


def carbon(session: Session, year: periods.Period, *, progress: Progress = quiet) -> Report:
    report = new_report(kind=KIND, title=N_("Carbon intensity report"), period=year)
    facilities = _facilities(session, year)
    progress(f"{len(facilities)} facilities reported for {year.label}")
    countries = _countries(session, year)
    report.sections = [_facility_section(facilities), _country_section(countries)]
    values = [r[2] for r in facilities]
    report.totals = [
        Total("facilities", N_("Facilities reporting"), len(facilities)),
        Total("mean", N_("Mean tCO2e per tonne"), round(sum(values) / len(values), 3) if values else None,
              "number"),
        Total("lowest", N_("Lowest tCO2e per tonne"), min(values, default=None), "number"),
        Total("highest", N_("Highest tCO2e per tonne"), max(values, default=None), "number"),
    ]
    return report


def _received_kg(year: periods.Period):
    """What each facility accepted in the year (received less refused), by the database."""
    return (select(Permit.receiving_facility_id.label("facility_id"),
                   func.sum(func.coalesce(Shipment.received_kg, 0) - Shipment.refused_kg).label("kg"))
            .join(Permit, Permit.id == Shipment.permit_id)
            .where(Shipment.received_on >= year.start, Shipment.received_on < year.end)
            .group_by(Permit.receiving_facility_id).subquery())


def _facilities(session: Session, year: periods.Period) -> list[list]:
    received = _received_kg(year)
    rows = session.execute(
        select(Facility.name, Facility.country, CarbonReport.tonnes_co2e_per_tonne,
               CarbonReport.method, received.c.kg)
        .join(Facility, Facility.id == CarbonReport.facility_id)
        .outerjoin(received, received.c.facility_id == CarbonReport.facility_id)
        .where(CarbonReport.year == year.year)
        .order_by(CarbonReport.tonnes_co2e_per_tonne, Facility.name)).all()
    values = [r[2] for r in rows]
    mean = sum(values) / len(values) if values else None
    return [[name, country, value, round((value - mean) / mean * 100, 1) if mean else None,
             tonnes(kg), method] for name, country, value, method, kg in rows]


def _countries(session: Session, year: periods.Period) -> list[list]:
    rows = session.execute(
        select(Facility.country, func.count(), func.avg(CarbonReport.tonnes_co2e_per_tonne),
               func.min(CarbonReport.tonnes_co2e_per_tonne),
               func.max(CarbonReport.tonnes_co2e_per_tonne))
        .join(Facility, Facility.id == CarbonReport.facility_id)
        .where(CarbonReport.year == year.year)
        .group_by(Facility.country).order_by(Facility.country)).all()
    return [[country, count, round(float(mean), 3), low, high] for country, count, mean, low, high in rows]


def _facility_section(rows: list[list]) -> Section:
    table = Table("facilities", N_("Carbon intensity by facility, lowest first"), [
        Column("facility", N_("Facility")), Column("country", N_("Country")),
        Column("intensity", N_("tCO2e per tonne"), "number"),
        Column("vs_mean", N_("Against the mean"), "percent"),
        Column("received", N_("Tonnes received in the year"), "tonnes"),
        Column("method", N_("Method"))],
        [[r[0], r[1], r[2], r[3], r[4], r[5]] for r in rows],
        note=N_("Reported by the facilities. Shown for comparison; it never decides a permit."))
    shown = rows[:CHART_FACILITIES]
    chart = Chart("intensity_by_facility", N_("Carbon intensity by facility"), "horizontal_bar",
                  labels=[f"{r[0]} ({r[1]})" for r in shown], unit="tCO2e/t",
                  series=[Series(N_("tCO2e per tonne"), [r[2] for r in shown])],
                  note=N_("The lowest first.") if len(rows) > CHART_FACILITIES else "")
    return Section("facilities", N_("Facilities"), [table], [chart])


def _country_section(rows: list[list]) -> Section:
    table = Table("countries", N_("Carbon intensity by country"), [
        Column("country", N_("Country")), Column("facilities", N_("Facilities"), "int"),
        Column("mean", N_("Mean"), "number"), Column("lowest", N_("Lowest"), "number"),
        Column("highest", N_("Highest"), "number")], rows)
    chart = Chart("intensity_by_country", N_("Carbon intensity by country: lowest, mean, highest"),
                  "bar", labels=[r[0] for r in rows], unit="tCO2e/t",
                  series=[Series(N_("Lowest"), [r[3] for r in rows]),
                          Series(N_("Mean"), [r[2] for r in rows]),
                          Series(N_("Highest"), [r[4] for r in rows])])
    return Section("countries", N_("Countries"), [table], [chart])
