"""Everything the facility page shows, gathered in one place so the template never queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from facility_registry import carbon, evidence, inspections
from facility_registry.carbon_methods import METHODS
from facility_registry.eligibility import Eligibility, check_facility
from facility_registry.facilities import status_history
from facility_registry.models import Facility
from permits.registry.evidence_chart import Chart, evidence_chart
from permits.web.labels import data_text
from standards.catalogue import standards_in_force


@dataclass
class StandardHistory:
    code: str
    title: str
    unit: str | None
    chart: Chart | None
    entries: list  # (Evidence, superseded_by_id)


@dataclass
class FacilityPage:
    facility: Facility
    byproduct: str | None
    on: date
    eligibility: Eligibility | None
    titles: dict[str, str]
    histories: list[StandardHistory]
    inspections: list
    findings: dict
    attachments: dict
    cases: list
    carbon: list
    # "code@version" -> the processes it governs and whether it is unconfirmed (the checks table)
    scopes: dict
    carbon_rank: tuple[int, int, int] | None  # (place, of how many, year): newest verified year
    carbon_methods: dict
    status_changes: list


def build(session: Session, facility: Facility, *, byproduct: str | None, on: date) -> FacilityPage:
    byproduct = byproduct if byproduct in (facility.accepts or []) else (facility.accepts or [None])[0]
    result = check_facility(session, facility, byproduct, on) if byproduct else None
    standards = {s.code: s for s in standards_in_force(session, on, None)}
    done = [i.id for i in inspections.inspections_of(session, facility.id)]
    reports = carbon.reports_of(session, facility.id)
    return FacilityPage(
        facility=facility, byproduct=byproduct, on=on, eligibility=result,
        titles={code: data_text(s.title) for code, s in standards.items()},
        scopes={f"{s.code}@{s.version}": {"processes": list(s.processes or []),
                                          "unconfirmed": bool(s.unconfirmed)}
                for s in standards.values()},
        histories=_histories(evidence.history(session, facility.id), standards),
        inspections=inspections.inspections_of(session, facility.id),
        findings=inspections.findings_of(session, done),
        attachments=inspections.attachments_of(session, done),
        cases=inspections.cases_of(session, facility.id),
        carbon=reports,
        carbon_rank=_rank(session, facility, reports),
        carbon_methods=METHODS,
        status_changes=status_history(session, facility.id),
    )


def _histories(rows, standards) -> list[StandardHistory]:
    grouped: dict[str, list] = {}
    for entry, superseded_by in rows:
        grouped.setdefault(entry.standard_code, []).append((entry, superseded_by))
    histories = []
    for code, entries in sorted(grouped.items()):
        standard = standards.get(code)
        measured = [(e.observed_on, e.value) for e, by in entries
                    if by is None and e.kind == "measurement"]
        limits = [e for e, by in entries if by is None and e.kind == "limit"]
        numeric = standard is not None and standard.direction != "required"
        chart = evidence_chart(measured, us_value=standard.value, limit=limits[0].value if limits else None,
                               unit=standard.unit) if numeric else None
        histories.append(StandardHistory(code=code, title=data_text(standard.title) if standard else code,
                                         unit=standard.unit if standard else None, chart=chart,
                                         entries=entries))
    return histories


def _rank(session, facility, reports) -> tuple[int, int, int] | None:
    verified = [r for r in reports if r.verified and r.rejected_at is None and not r.legacy]
    if not verified:
        return None
    year = verified[0].year
    ranking = carbon.comparison(session, year=year)
    place = next((i for i, r in enumerate(ranking, start=1) if r.facility_id == facility.id), None)
    return (place, len(ranking), year) if place else None
