"""The registry's tables: receiving facilities, their evidence, inspections and enforcement.

Evidence is append-only: a correction is a new row whose `supersedes_id` names the row it
replaces (unique, so an entry is superseded at most once), and "superseded" is read from that
link rather than written into the old row. The only UPDATEs an evidence row ever sees are its
verification, its rejection (a self-reported entry an inspector refuses) and the record that
an exceedance was corrected; each happens once, by a conditional UPDATE, and is audited. User ids are plain integers: accounts live in `permits`, above this package.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, LargeBinary, Text, text
from sqlmodel import Field, SQLModel

from facility_registry.equivalence_stamp import install_with, new_stamp
from standards.clock import utcnow
from standards.fresh import empty_list

__all__ = [  # the tables, for `permits.models`'s star import
    "Attachment",
    "CarbonReport",
    "EnforcementCase",
    "Evidence",
    "Facility",
    "FacilityStanding",
    "FacilityStatusChange",
    "Finding",
    "Inspection",
]

FACILITY_STATUSES = ("active", "suspended", "revoked")
EVIDENCE_KINDS = ("limit", "measurement")
# How a binding limit is phrased: "<" / "<=" for a `max` standard, ">" / ">=" for `min`.
COMPARATORS = ("<", "<=", ">", ">=")
INSPECTION_OUTCOMES = ("compliant", "violation")


def _timestamp(*, nullable: bool = False, default_now: bool = True):
    kwargs = {"default_factory": utcnow} if default_now else {"default": None}
    return Field(sa_column=Column(DateTime(timezone=True), nullable=nullable), **kwargs)


def _json_list():
    return Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))


class Facility(SQLModel, table=True):
    """A receiving facility that byproducts may be shipped to."""

    __tablename__ = "facility"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    country: str = Field(max_length=2, index=True)
    # National identifiers; each is unique where present (NULLs never collide).
    epa_id: str | None = Field(default=None, max_length=12, unique=True)
    semarnat_nra: str | None = Field(default=None, max_length=40, unique=True)
    canada_id: str | None = Field(default=None, max_length=40, unique=True)
    address: str = Field(default="", max_length=500)
    operations: list[str] = _json_list()  # Basel Annex IV codes it performs: R4, D10, ...
    accepts: list[str] = _json_list()  # byproducts it accepts: eaf_dust, ...
    # What the plant does with what it receives (`standards.processes`): which U.S. standards
    # govern it. Derived from `accepts` and `operations` when not declared.
    processes: list[str] = _json_list()
    annual_capacity_tonnes: float = 0.0
    status: str = Field(default="active", max_length=12, index=True)
    status_reason: str | None = Field(default=None, max_length=1000)
    status_changed_at: datetime | None = _timestamp(nullable=True, default_now=False)
    created_at: datetime = _timestamp()
    updated_at: datetime | None = _timestamp(nullable=True, default_now=False)
    # Changed by database triggers whenever its evidence or the catalogue changes (see
    # `facility_registry.equivalence_stamp`): the key a remembered verdict is kept under.
    equivalence_stamp: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True, default=new_stamp))

    @property
    def identifiers(self) -> dict[str, str]:
        pairs = (("epa_id", self.epa_id), ("semarnat_nra", self.semarnat_nra),
                 ("canada_id", self.canada_id))
        return {key: value for key, value in pairs if value}


class FacilityStatusChange(SQLModel, table=True):
    """One row per status transition: the facility's status history, never rewritten."""

    __tablename__ = "facility_status_change"

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id", index=True)
    from_status: str = Field(max_length=12)
    to_status: str = Field(max_length=12)
    reason: str = Field(max_length=1000)
    at: datetime = _timestamp()
    actor_id: int | None = None
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id")


class Evidence(SQLModel, table=True):
    """A binding limit or a measurement for one standard at one facility, as entered."""

    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_lookup", "facility_id", "standard_code", "kind", "observed_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id")
    standard_code: str = Field(max_length=80)
    kind: str = Field(max_length=12)  # limit | measurement
    value_entered: str = Field(max_length=60)  # exactly as typed, for the record
    unit_entered: str | None = Field(default=None, max_length=40)
    # Converted ONCE, at record time, to the standard's canonical unit; a `required`
    # practice stores 1.0 (in place) or 0.0 (not in place) and no unit.
    value: float
    unit: str | None = Field(default=None, max_length=40)
    basis: str | None = Field(default=None, max_length=40)
    observed_on: date
    source: str = Field(max_length=500)
    entered_by_id: int | None = None
    entered_by_role: str = Field(max_length=20)
    verified: bool = False
    verified_by_id: int | None = None
    verified_at: datetime | None = _timestamp(nullable=True, default_now=False)
    supersedes_id: int | None = Field(default=None, foreign_key="evidence.id", unique=True)
    correction_reason: str | None = Field(default=None, max_length=1000)
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id")
    created_at: datetime = _timestamp()
    # A limit as phrased ("<" 3 % vs "<=" 3 %); None on a measurement.
    comparator: str | None = Field(default=None, max_length=2)
    # An 8-h TWA measurement's shift length (hours worked that day); None: an 8-hour day.
    shift_hours: float | None = None
    # Stack gas: the conditions a concentration was measured at, as stated (temperature_c,
    # pressure_kpa, dry or moisture_percent, o2_percent); `value` is converted from them.
    conditions: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # Per-test results: the pseudonymous worker (or sample point) they belong to, so that
    # averages over a worker's last tests can be computed. Never shown publicly.
    subject: str | None = Field(default=None, max_length=80)
    # A self-reported entry an inspector rejected: it no longer counts.
    rejected_at: datetime | None = _timestamp(nullable=True, default_now=False)
    rejected_by_id: int | None = None
    rejection_reason: str | None = Field(default=None, max_length=1000)
    # An exceedance an inspector recorded as corrected, with the action and the newer
    # re-measurement that shows it: it no longer counts.
    corrected_at: datetime | None = _timestamp(nullable=True, default_now=False)
    corrected_by_id: int | None = None
    corrective_action: str | None = Field(default=None, max_length=2000)
    remeasurement_id: int | None = Field(default=None, foreign_key="evidence.id")
    # A binding limit's source instrument, by its code in the register
    # (standards/data/instruments.json); None: the limit's source is described in `source` alone.
    instrument: str | None = Field(default=None, max_length=40)


class Inspection(SQLModel, table=True):
    """An inspector's visit: its outcome decides whether the facility stays active."""

    __tablename__ = "inspection"

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id", index=True)
    inspected_on: date
    outcome: str = Field(max_length=12)  # compliant | violation
    summary: str = Field(default="", max_length=5000)
    inspector_id: int | None = None
    created_at: datetime = _timestamp()


class Finding(SQLModel, table=True):
    """One measured value from an inspection; it is also recorded as verified evidence."""

    __tablename__ = "finding"

    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    standard_code: str = Field(max_length=80)
    value_entered: str = Field(max_length=60)
    unit_entered: str | None = Field(default=None, max_length=40)
    basis: str | None = Field(default=None, max_length=40)
    evidence_id: int | None = Field(default=None, foreign_key="evidence.id")


class Attachment(SQLModel, table=True):
    """A file attached to an inspection (PDF, PNG or JPEG), kept in the database so that
    the record and its documents are backed up and restored together."""

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=60)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = _timestamp()


CASE_ORIGINS = ("inspection", "petition")
CASE_CATEGORIES = ("environmental", "occupational")
CASE_OUTCOMES = ("unfounded", "remedied", "violation_confirmed")


class EnforcementCase(SQLModel, table=True):
    """The one case model: opened by an inspection's violation, or by a public petition
    (`origin`). Its dates make the time to resolution publicly reportable.

    An inspection's case starts in `remediation` (the violation is already confirmed) and is
    closed `remedied` by a later compliant inspection. A petition's case moves through the
    stages of `permits.cases.state`, each with its deadline; that package owns those moves.
    """

    __tablename__ = "enforcement_case"

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id", index=True)
    # The inspection that opened the case (origin inspection) or confirmed it (petition).
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id")
    origin: str = Field(default="inspection", max_length=12)
    # What the public follows the case by, e.g. RRC-2026-000012.
    reference: str | None = Field(default=None, max_length=24, unique=True)
    category: str | None = Field(default=None, max_length=20)  # environmental | occupational
    stage: str = Field(default="remediation", max_length=20, index=True)
    outcome: str | None = Field(default=None, max_length=24)  # CASE_OUTCOMES once closed
    opened_on: date
    notified_on: date | None = None
    resolved_on: date | None = None
    resolution: str | None = Field(default=None, max_length=1000)
    resolved_by_inspection_id: int | None = Field(default=None, foreign_key="inspection.id")

    @property
    def days_to_resolution(self) -> int | None:
        return (self.resolved_on - self.opened_on).days if self.resolved_on else None


class CarbonReport(SQLModel, table=True):
    """A facility's greenhouse-gas emissions for one reporting year, by a named method
    (facility_registry.carbon_methods) from its activity data: the total and the intensities
    are computed, never typed. Shown and compared, never a gate. A facility's own report is
    unverified until an inspector verifies it (or rejects it, when a new one may take its year).
    Reports from before the methods are `legacy`: a typed intensity and free-text method,
    unverified, and never verifiable (there is nothing to check them against)."""

    __tablename__ = "carbon_report"
    # One standing report per facility and year; a rejected one leaves its year free.
    __table_args__ = (Index("uq_carbon_report_standing", "facility_id", "year", unique=True,
                            sqlite_where=text("rejected_at IS NULL"),
                            postgresql_where=text("rejected_at IS NULL")),)

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id", index=True)
    year: int
    # t CO2e per tonne processed (computed; typed only in a legacy report).
    tonnes_co2e_per_tonne: float
    method: str = Field(max_length=500)  # a method code; a legacy report's own words
    legacy: bool = False
    process: str | None = Field(default=None, max_length=40)  # the receiving process reported on
    activity: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    tonnes_received: float | None = None
    tonnes_processed: float | None = None
    total_tco2e: float | None = None
    tonnes_co2e_per_tonne_received: float | None = None
    reported_by_id: int | None = None
    reported_by_role: str | None = Field(default=None, max_length=20)
    created_at: datetime = _timestamp()
    verified: bool = False
    verified_by_id: int | None = None
    verified_at: datetime | None = _timestamp(nullable=True, default_now=False)
    rejected_at: datetime | None = _timestamp(nullable=True, default_now=False)
    rejected_by_id: int | None = None
    rejection_reason: str | None = Field(default=None, max_length=1000)

    @property
    def status(self) -> str:
        if self.rejected_at is not None:
            return "rejected"
        return "verified" if self.verified else "unverified"


class FacilityStanding(SQLModel, table=True):
    """Derived, never authoritative: the last computed evidence verdict of a facility for one
    byproduct, so that the finder and the list need not re-read 300,000 evidence rows per
    request. It holds for days in [computed_on, valid_until) while the standards in force keep
    the label `standards_version`; otherwise, or when missing, eligibility is computed afresh.
    Decisions never read it: they call `eligibility.check_facility`."""

    __tablename__ = "facility_standing"
    __table_args__ = (Index("ix_facility_standing_byproduct", "byproduct", "checks_meet"),)

    facility_id: int = Field(foreign_key="facility.id", primary_key=True)
    byproduct: str = Field(max_length=40, primary_key=True)
    checks_meet: bool  # every standard in force for the byproduct `meets`
    # "code=verdict code=verdict ..." for the standards that do not meet: plain text, because the
    # finder reads thousands of these per request and splitting is far cheaper than JSON.
    blockers: str = Field(default="", sa_column=Column(Text, nullable=False))
    computed_on: date
    valid_until: date  # the first day a measurement may have gone stale
    standards_version: str = Field(max_length=40)


install_with(SQLModel.metadata)
