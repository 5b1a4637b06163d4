"""The annual exports report: a calendar year's cross-border shipments per exporter and
receiving facility, with what has been recovered and what still awaits confirmation.

It carries what the exporter's annual report under 40 CFR 262 Subpart H asks for (historically
due March 1 for the previous calendar year): each receiving facility and its country, the
waste (byproduct, waste codes), the operations, the consents (permit numbers), the carriers
and the quantities. A shipment counts in the year it departed. An "export" crosses a border:
shipments whose origin and receiving facility are in the same country are counted apart.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func
from sqlmodel import Session, select

from facility_registry.models import Facility
from permits.accounts.models import Organization
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

KIND = "annual_exports"
AWAITING_RECEIPT, AWAITING_RECOVERY = ("in_transit",), ("received",)
TURNED_BACK = ("refused", "returned")


@dataclass
class Flow:
    """One exporter's shipments to one receiving facility of one byproduct."""

    organization: str
    origin_country: str
    facility: str
    facility_id_text: str
    country: str
    byproduct: str
    waste_codes: set[str] = field(default_factory=set)
    operations: set[str] = field(default_factory=set)
    permits: set[str] = field(default_factory=set)
    carriers: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, counts: dict[str, int]) -> None:
        for key, value in counts.items():
            self.counts[key] += int(value or 0)


def annual_exports(session: Session, year: periods.Period, *,
                   progress: Progress = quiet) -> Report:
    report = new_report(kind=KIND, title=N_("Annual exports report"), period=year)
    flows, domestic = _flows(session, year)
    progress(f"{len(flows)} exporter-facility flows summed")
    report.sections += [_by_flow(flows), _by_country(flows)]
    progress("tables and charts drawn")
    report.totals = _totals(flows, domestic)
    return report


def _per_permit(year: periods.Period):
    """Shipment counts and kilograms per permit, summed by the database."""
    def when(statuses, value=1):
        return func.sum(case((Shipment.status.in_(statuses), value), else_=0))

    accepted = func.coalesce(Shipment.received_kg, 0) - Shipment.refused_kg
    return (
        select(Shipment.permit_id.label("permit_id"),
               func.count().label("shipments"),
               func.sum(Shipment.quantity_kg).label("shipped_kg"),
               func.sum(func.coalesce(Shipment.received_kg, 0)).label("received_kg"),
               when(("recovered",)).label("recovered"),
               when(("recovered",), accepted).label("recovered_kg"),
               when(AWAITING_RECEIPT).label("awaiting_receipt"),
               when(AWAITING_RECOVERY).label("awaiting_recovery"),
               when(AWAITING_RECOVERY, accepted).label("awaiting_recovery_kg"),
               when(TURNED_BACK).label("turned_back"))
        .where(Shipment.departed_on >= year.start, Shipment.departed_on < year.end)
        .group_by(Shipment.permit_id).subquery()
    )


COUNT_KEYS = ("shipments", "shipped_kg", "received_kg", "recovered", "recovered_kg",
              "awaiting_receipt", "awaiting_recovery", "awaiting_recovery_kg", "turned_back")


def _flows(session: Session, year: periods.Period) -> tuple[list[Flow], dict[str, int]]:
    sums = _per_permit(year)
    rows = session.execute(
        select(sums, Permit.number, Permit.byproduct, Permit.waste_codes, Permit.operation_code,
               Permit.origin, Organization.name, Facility.name, Facility.country, Facility.epa_id,
               Facility.semarnat_nra, Facility.canada_id)
        .join(Permit, Permit.id == sums.c.permit_id)
        .join(Organization, Organization.id == Permit.organization_id)
        .join(Facility, Facility.id == Permit.receiving_facility_id)).all()
    carriers = _carriers(session, year)
    flows: dict[tuple, Flow] = {}
    domestic = {"shipments": 0, "shipped_kg": 0}
    # One row per permit that shipped in the year: thousands at most, never per shipment.
    for row in rows:
        counts = {key: getattr(row, key) for key in COUNT_KEYS}
        (number, byproduct, waste_codes, operation, origin, organization, facility, country,
         *identifiers) = row[len(sums.c):]
        origin_country = (origin or {}).get("country") or "?"
        if origin_country == country:
            domestic["shipments"] += counts["shipments"]
            domestic["shipped_kg"] += counts["shipped_kg"] or 0
            continue
        key = (organization, origin_country, facility, country, byproduct)
        flow = flows.get(key) or flows.setdefault(key, Flow(
            organization, origin_country, facility, next((i for i in identifiers if i), ""),
            country, byproduct))
        flow.add(counts)
        flow.waste_codes.update(waste_codes or [])
        flow.operations.add(operation)
        flow.permits.add(number or "")
        flow.carriers.update(carriers.get(row.permit_id, ()))
    return sorted(flows.values(), key=lambda f: (f.organization, f.country, f.facility, f.byproduct)), domestic


def _carriers(session: Session, year: periods.Period) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for permit_id, carrier in session.execute(
            select(Shipment.permit_id, Shipment.carrier).distinct()
            .where(Shipment.departed_on >= year.start, Shipment.departed_on < year.end)):
        found[permit_id].add(carrier)
    return found


def _by_flow(flows: list[Flow]) -> Section:
    quantities = Table("flows", N_("By exporter and receiving facility"), [
        Column("exporter", N_("Exporter")), Column("origin", N_("Origin")),
        Column("facility", N_("Receiving facility")), Column("country", N_("Country")),
        Column("byproduct", N_("Byproduct")), Column("shipments", N_("Shipments"), "int"),
        Column("shipped", N_("Tonnes shipped"), "tonnes"),
        Column("received", N_("Tonnes received"), "tonnes"),
        Column("recovered", N_("Recovered shipments"), "int"),
        Column("recovered_t", N_("Tonnes recovered"), "tonnes"),
        Column("awaiting_receipt", N_("Awaiting receipt"), "int"),
        Column("awaiting_recovery", N_("Awaiting recovery confirmation"), "int"),
        Column("turned_back", N_("Refused or returned"), "int"),
    ], [[f.organization, f.origin_country, f.facility, f.country, f.byproduct,
         f.counts["shipments"], tonnes(f.counts["shipped_kg"]), tonnes(f.counts["received_kg"]),
         f.counts["recovered"], tonnes(f.counts["recovered_kg"]), f.counts["awaiting_receipt"],
         f.counts["awaiting_recovery"], f.counts["turned_back"]] for f in flows],
        note=N_("Shipments that departed in the year and crossed a border."))
    particulars = Table("particulars", N_("Waste, operations, consents and carriers"), [
        Column("exporter", N_("Exporter")), Column("facility", N_("Receiving facility")),
        Column("identifier", N_("Facility ID")), Column("byproduct", N_("Byproduct")),
        Column("waste_codes", N_("Waste codes")), Column("operations", N_("Operations")),
        Column("permits", N_("Permits")), Column("carriers", N_("Carriers")),
    ], [[f.organization, f.facility, f.facility_id_text, f.byproduct, " ".join(sorted(f.waste_codes)),
         " ".join(sorted(f.operations)), " ".join(sorted(f.permits)), ", ".join(sorted(f.carriers))]
        for f in flows])
    return Section("flows", N_("Exports by exporter and receiving facility"), [quantities, particulars])


def _by_country(flows: list[Flow]) -> Section:
    per_country: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_byproduct: dict[tuple[str, str], int] = defaultdict(int)
    for flow in flows:
        for key, value in flow.counts.items():
            per_country[flow.country][key] += value
        per_byproduct[(flow.byproduct, flow.country)] += flow.counts["shipped_kg"]
    countries = sorted(per_country)
    rows = [[c, per_country[c]["shipments"], tonnes(per_country[c]["shipped_kg"]),
             tonnes(per_country[c]["recovered_kg"]), tonnes(per_country[c]["awaiting_recovery_kg"]),
             per_country[c]["awaiting_receipt"]] for c in countries]
    table = Table("countries", N_("By receiving country"), [
        Column("country", N_("Receiving country")), Column("shipments", N_("Shipments"), "int"),
        Column("shipped", N_("Tonnes shipped"), "tonnes"),
        Column("recovered", N_("Tonnes recovered"), "tonnes"),
        Column("awaiting_recovery", N_("Tonnes awaiting recovery confirmation"), "tonnes"),
        Column("awaiting_receipt", N_("Shipments awaiting receipt"), "int")], rows)
    byproducts = sorted({b for b, _ in per_byproduct})
    tonnage = Chart("tonnes_by_country", N_("Tonnes exported by receiving country and byproduct"),
                    "stacked_bar", labels=countries, unit="t",
                    series=[Series(b, [tonnes(per_byproduct.get((b, c), 0)) for c in countries])
                            for b in byproducts])
    confirmation = Chart("recovery_by_country", N_("Recovered and awaiting confirmation, by country"),
                         "stacked_bar", labels=countries, unit="t",
                         series=[Series(N_("Recovered"), [r[3] for r in rows]),
                                 Series(N_("Awaiting recovery confirmation"), [r[4] for r in rows])])
    return Section("countries", N_("Exports by receiving country"), [table], [tonnage, confirmation])


def _totals(flows: list[Flow], domestic: dict[str, int]) -> list[Total]:
    def total(key: str) -> int:
        return sum(f.counts[key] for f in flows)

    return [
        Total("exporters", N_("Exporters"), len({f.organization for f in flows})),
        Total("facilities", N_("Receiving facilities"), len({(f.facility, f.country) for f in flows})),
        Total("shipments", N_("Shipments exported"), total("shipments")),
        Total("tonnes", N_("Tonnes exported"), tonnes(total("shipped_kg")), "tonnes"),
        Total("tonnes_recovered", N_("Tonnes recovered"), tonnes(total("recovered_kg")), "tonnes"),
        Total("pending", N_("Shipments awaiting confirmation"),
              total("awaiting_receipt") + total("awaiting_recovery")),
        Total("domestic_shipments", N_("Domestic shipments (not exports)"), domestic["shipments"]),
    ]
