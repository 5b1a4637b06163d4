"""Carbon intensity a facility reports: shown and compared across facilities, never a gate."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from facility_registry import validation
from facility_registry.announce import audited
from facility_registry.facilities import get_facility
from facility_registry.models import CarbonReport, Facility
from standards.clock import utcnow
from standards.errors import Conflict, NotAllowed
from standards.messages import N_, Message
from standards.vocabulary import EVIDENCE_ROLES

FIRST_YEAR = 1990  # the Kyoto base year; nothing earlier is a meaningful report


def record_carbon(session: Session, *, facility_id: int, year, tonnes_co2e_per_tonne, method: str,
                  actor_id: int | None, actor_role: str, today: date | None = None) -> CarbonReport:
    if actor_role not in EVIDENCE_ROLES:
        raise NotAllowed(Message.of("registry.may_not_report_carbon", N_("a %(role)s may not report carbon"), role=actor_role),
                         {"role": [Message.of("registry.not_allowed", N_("not allowed"))]})
    facility = get_facility(session, facility_id)
    this_year = (today or utcnow().date()).year
    clean = validation.collect({
        "year": lambda: _year(year, this_year),
        "tonnes_co2e_per_tonne": lambda: validation.number(tonnes_co2e_per_tonne,
                                                           "tonnes_co2e_per_tonne"),
        "method": lambda: validation.text(method, "method", max_length=500),
    })
    report = CarbonReport(facility_id=facility.id, reported_by_id=actor_id, **clean)
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError:
        raise Conflict.on("year", Message.of("registry.carbon_duplicate", N_("%(year)s is already reported for this facility"), year=clean['year']),
                          code="duplicate_report") from None
    audited(session, actor_id=actor_id, action="carbon.report", entity="carbon_report",
            entity_id=report.id, after={"facility_id": facility.id, **clean})
    return report


def _year(value, this_year: int) -> int:
    year = validation.number(value, "year")
    if year != int(year) or not FIRST_YEAR <= year <= this_year:
        raise validation.fail("year", Message.of("registry.carbon_year", N_("must be a whole year from %(first)s to %(last)s"), first=FIRST_YEAR, last=this_year))
    return int(year)


def reports_of(session: Session, facility_id: int) -> list[CarbonReport]:
    return list(session.exec(
        select(CarbonReport).where(CarbonReport.facility_id == facility_id)
        .order_by(CarbonReport.year.desc())
    ).all())


@dataclass(frozen=True)
class CarbonRank:
    facility_id: int
    name: str
    country: str
    year: int
    tonnes_co2e_per_tonne: float
    method: str


def comparison(session: Session, *, year: int | None = None) -> list[CarbonRank]:
    """Each facility's report for `year` (or its newest), lowest intensity first."""
    statement = select(CarbonReport, Facility.name, Facility.country).join(
        Facility, Facility.id == CarbonReport.facility_id)
    if year is not None:
        statement = statement.where(CarbonReport.year == year)
    else:
        newest = (select(CarbonReport.facility_id, func.max(CarbonReport.year).label("year"))
                  .group_by(CarbonReport.facility_id).subquery())
        statement = statement.join(newest, (newest.c.facility_id == CarbonReport.facility_id)
                                   & (newest.c.year == CarbonReport.year))
    rows = session.exec(statement.order_by(CarbonReport.tonnes_co2e_per_tonne, Facility.name)).all()
    return [CarbonRank(r.facility_id, name, country, r.year, r.tonnes_co2e_per_tonne, r.method)
            for r, name, country in rows]
