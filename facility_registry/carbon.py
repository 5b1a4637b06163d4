"""Carbon a facility reports: a named method's activity data in, the total and the intensities
computed; verified or rejected by an inspector; compared across facilities, never a gate."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from facility_registry import validation
from facility_registry.announce import audited
from facility_registry.carbon_methods import METHODS, PROCESSES, processes_of
from facility_registry.errors import CarbonReportNotFound
from facility_registry.facilities import get_facility
from facility_registry.models import CarbonReport, Facility
from standards import problems
from standards.clock import utcnow
from standards.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from standards.messages import N_, Message
from standards.vocabulary import EVIDENCE_ROLES, OVERSEERS

FIRST_YEAR = 1990  # the Kyoto base year; nothing earlier is a meaningful report


def _require(actor_role: str, roles, code: str, english: str) -> None:
    if actor_role not in roles:
        raise NotAllowed(Message.of(code, english, role=actor_role),
                         {"role": [Message.of("registry.not_allowed", N_("not allowed"))]})


def record_carbon(session: Session, *, facility_id: int, year, method, activity=None,
                  tonnes_received=None, tonnes_processed=None, process=None,
                  tonnes_co2e_per_tonne=None, actor_id: int | None, actor_role: str,
                  today: date | None = None) -> CarbonReport:
    """A year's emissions by `method` from its `activity` data, for one of the facility's
    receiving processes: verified at once when an inspector or admin reports it."""
    _require(actor_role, EVIDENCE_ROLES, "registry.may_not_report_carbon",
             N_("a %(role)s may not report carbon"))
    facility = get_facility(session, facility_id)
    this_year = (today or utcnow().date()).year
    errors: dict[str, list] = {}
    if tonnes_co2e_per_tonne is not None:
        errors["tonnes_co2e_per_tonne"] = [Message.of("carbon.computed_not_typed", N_(
            "is computed from the method's activity data; it is not typed"))]
    clean = {}
    for field, rule in {
        "year": lambda: _year(year, this_year),
        "method": lambda: _method(method),
        "tonnes_received": lambda: _tonnes(tonnes_received, "tonnes_received"),
        "tonnes_processed": lambda: _tonnes(tonnes_processed, "tonnes_processed"),
    }.items():
        try:
            clean[field] = rule()
        except ValidationFailed as exc:
            validation.gather(errors, exc)
    chosen = None
    if "method" in clean:
        try:
            chosen = _process(facility, clean["method"], process)
        except ValidationFailed as exc:
            validation.gather(errors, exc)
    computed = None
    if "method" in clean:
        if not isinstance(activity, dict):
            errors.setdefault("activity", []).append(problems.problem(problems.OBJECT))
        else:
            try:
                computed = METHODS[clean["method"]].compute(activity)
            except ValidationFailed as exc:
                validation.gather(errors, exc)
    validation.raise_all(errors)
    clean_activity, total = computed
    verified = actor_role in OVERSEERS
    now = utcnow()
    report = CarbonReport(
        facility_id=facility.id, year=clean["year"], method=clean["method"], process=chosen,
        activity=clean_activity, tonnes_received=clean["tonnes_received"],
        tonnes_processed=clean["tonnes_processed"], total_tco2e=total,
        tonnes_co2e_per_tonne=total / clean["tonnes_processed"],
        tonnes_co2e_per_tonne_received=total / clean["tonnes_received"],
        reported_by_id=actor_id, reported_by_role=actor_role, created_at=now,
        verified=verified, verified_by_id=actor_id if verified else None,
        verified_at=now if verified else None)
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError:
        raise Conflict.on("year", Message.of("registry.carbon_duplicate", N_("%(year)s is already reported for this facility"), year=clean['year']),
                          code="duplicate_report") from None
    audited(session, actor_id=actor_id, action="carbon.report", entity="carbon_report",
            entity_id=report.id, after=carbon_record(report))
    return report


def _year(value, this_year: int) -> int:
    year = validation.number(value, "year")
    if year != int(year) or not FIRST_YEAR <= year <= this_year:
        raise validation.fail("year", Message.of("registry.carbon_year", N_("must be a whole year from %(first)s to %(last)s"), first=FIRST_YEAR, last=this_year))
    return int(year)


def _method(value) -> str:
    clean = validation.text(value, "method", max_length=40)
    if clean not in METHODS:
        raise validation.fail("method", problems.problem(problems.ONE_OF,
                                                         choices=", ".join(METHODS)))
    return clean


def _tonnes(value, field: str) -> float:
    clean = validation.number(value, field, minimum=0.0, allow_equal=False)
    if clean > 1e9:  # a billion tonnes a year through one plant is a typing slip
        raise validation.fail(field, problems.problem(problems.BETWEEN, low=0, high="1e9"))
    return clean


def _process(facility: Facility, method: str, process) -> str:
    """The receiving process the report covers: one of the facility's, fitting the method."""
    own = processes_of(facility)
    fits = METHODS[method].fits
    if process not in (None, ""):
        if process not in PROCESSES or process not in own:
            raise validation.fail("process", Message.of(
                "carbon.not_a_process", N_("%(process)s is not one of this facility's receiving "
                                           "processes (%(processes)s)"),
                process=str(process), processes=", ".join(own) or "-"))
        if process not in fits:
            raise _unfit(method, [process])
        return process
    fitting = [p for p in own if p in fits]
    if not fitting:
        raise _unfit(method, own)
    return fitting[0]


def _unfit(method: str, processes: list[str]) -> ValidationFailed:
    return validation.fail("method", Message.of(
        "carbon.method_unfit", N_("%(method)s does not fit the process %(processes)s; it fits "
                                  "%(fits)s"),
        method=method, processes=", ".join(processes) or "-",
        fits=", ".join(p for p in PROCESSES if p in METHODS[method].fits)))


# --- an inspector's rulings ---------------------------------------------------------------

def get_report(session: Session, report_id) -> CarbonReport:
    report = session.get(CarbonReport, report_id) if isinstance(report_id, int) else None
    if report is None:
        raise CarbonReportNotFound.on("report_id", Message.of(
            "carbon.no_report", N_("no carbon report with id %(id)s"), id=repr(report_id)))
    return report


def verify_carbon(session: Session, *, report_id: int, actor_id: int | None,
                  actor_role: str) -> CarbonReport:
    """An inspector checked the activity data: the report's figures now count in comparisons."""
    _require(actor_role, OVERSEERS, "carbon.may_not_verify", N_("a %(role)s may not verify carbon reports"))
    report = get_report(session, report_id)
    if report.legacy:
        raise InvalidTransition.on("report_id", Message.of("carbon.legacy_unverifiable", N_(
            "report %(id)s predates the reporting methods: it has no activity data to verify; "
            "the facility reports the year again by a method"), id=report.id))
    if report.rejected_at is not None:
        raise InvalidTransition.on("report_id", Message.of(
            "carbon.was_rejected", N_("report %(id)s was rejected: %(reason)s"), id=report.id,
            reason=report.rejection_reason or ""))
    _conditional(session, report, {"verified": True, "verified_by_id": actor_id,
                                   "verified_at": utcnow()},
                 Message.of("carbon.already_verified", N_("report %(id)s is already verified"),
                            id=report.id))
    audited(session, actor_id=actor_id, action="carbon.verify", entity="carbon_report",
            entity_id=report.id, before={"verified": False}, after={"verified": True})
    return report


def reject_carbon(session: Session, *, report_id: int, reason, actor_id: int | None,
                  actor_role: str) -> CarbonReport:
    """A self-reported (or legacy) report an inspector refuses, with a reason: it stops counting
    and its year is free for a new report."""
    _require(actor_role, OVERSEERS, "carbon.may_not_reject", N_("a %(role)s may not reject carbon reports"))
    report = get_report(session, report_id)
    reason = validation.text(reason, "reason", max_length=1000)
    if report.verified:
        raise ValidationFailed.on("report_id", Message.of("carbon.reject_verified", N_(
            "report %(id)s is verified; only an unverified report can be rejected"), id=report.id))
    _conditional(session, report, {"rejected_at": utcnow(), "rejected_by_id": actor_id,
                                   "rejection_reason": reason},
                 Message.of("carbon.already_rejected", N_("report %(id)s was already rejected"),
                            id=report.id))
    audited(session, actor_id=actor_id, action="carbon.reject", entity="carbon_report",
            entity_id=report.id, before={"rejected": False}, after={"rejected": True},
            reason=reason)
    return report


def _conditional(session: Session, report: CarbonReport, values: dict, lost: Message) -> None:
    """One UPDATE on an unruled report: of two concurrent rulings, one wins."""
    result = session.execute(
        update(CarbonReport).where(CarbonReport.id == report.id,
                                   CarbonReport.verified.is_(False),
                                   CarbonReport.rejected_at.is_(None))
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise InvalidTransition.on("report_id", lost)
    session.refresh(report)


# --- reading ------------------------------------------------------------------------------

def reports_of(session: Session, facility_id: int) -> list[CarbonReport]:
    """Every report of a facility, rejected ones included, newest year first."""
    return list(session.exec(
        select(CarbonReport).where(CarbonReport.facility_id == facility_id)
        .order_by(CarbonReport.year.desc(), CarbonReport.id.desc())
    ).all())


def unverified_queue(session: Session, *, limit: int = 50) -> list[tuple[CarbonReport, Facility]]:
    """Reports waiting for an inspector (by a method: a legacy one can only be rejected)."""
    rows = session.exec(
        select(CarbonReport, Facility).join(Facility, Facility.id == CarbonReport.facility_id)
        .where(CarbonReport.verified.is_(False), CarbonReport.rejected_at.is_(None),
               CarbonReport.legacy.is_(False))
        .order_by(CarbonReport.created_at, CarbonReport.id).limit(limit)).all()
    return [(report, facility) for report, facility in rows]


def carbon_record(report: CarbonReport) -> dict:
    return {"facility_id": report.facility_id, "year": report.year, "method": report.method,
            "process": report.process, "activity": report.activity,
            "tonnes_received": report.tonnes_received,
            "tonnes_processed": report.tonnes_processed, "total_tco2e": report.total_tco2e,
            "tonnes_co2e_per_tonne": report.tonnes_co2e_per_tonne,
            "tonnes_co2e_per_tonne_received": report.tonnes_co2e_per_tonne_received,
            "verified": report.verified}


@dataclass(frozen=True)
class CarbonRank:
    facility_id: int
    name: str
    country: str
    year: int
    tonnes_co2e_per_tonne: float
    method: str


def comparison(session: Session, *, year: int | None = None) -> list[CarbonRank]:
    """Each facility's VERIFIED report for `year` (or its newest), lowest intensity first."""
    verified = (CarbonReport.verified.is_(True), CarbonReport.rejected_at.is_(None))
    statement = select(CarbonReport, Facility.name, Facility.country).join(
        Facility, Facility.id == CarbonReport.facility_id).where(*verified)
    if year is not None:
        statement = statement.where(CarbonReport.year == year)
    else:
        newest = (select(CarbonReport.facility_id, func.max(CarbonReport.year).label("year"))
                  .where(*verified).group_by(CarbonReport.facility_id).subquery())
        statement = statement.join(newest, (newest.c.facility_id == CarbonReport.facility_id)
                                   & (newest.c.year == CarbonReport.year))
    rows = session.exec(statement.order_by(CarbonReport.tonnes_co2e_per_tonne, Facility.name)).all()
    return [CarbonRank(r.facility_id, name, country, r.year, r.tonnes_co2e_per_tonne, r.method)
            for r, name, country in rows]
