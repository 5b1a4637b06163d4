"""The registry API's shapes (facilities, evidence, inspections, cases) and what its resources
share: the caller as an actor, a facility user's own facility."""
from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field

from facility_registry.models import (
    CASE_ORIGINS,
    COMPARATORS,
    EVIDENCE_KINDS,
    FACILITY_STATUSES,
    INSPECTION_OUTCOMES,
)
from permits.accounts.auth import api_user
from permits.api.check_shapes import Check
from permits.api.common import DEFAULT_LIMIT
from permits.api.shapes import (
    Body,
    DateText,
    Day,
    InDate,
    Number,
    PageLimit,
    Public,
    Query,
    Timestamp,
)
from standards.errors import NotAllowed
from standards.instruments import get_instrument
from standards.messages import N_, Message
from standards.vocabulary import COUNTRIES

_COUNTRY = {"enum": list(COUNTRIES)}


def actor() -> dict[str, Any]:
    user = api_user()
    return {"actor_id": user.id, "actor_role": user.role}


def require_own_facility(facility_id: int) -> None:
    """A facility user acts only for its own facility; other roles are checked by the guard."""
    user = api_user()
    if user.role == "facility" and user.facility_id != facility_id:
        raise NotAllowed(Message.of("facility.own_only", N_("A facility user acts only for its own facility.")))


# ---- facilities ---------------------------------------------------------------------------------

class Identifiers(Body):
    model_config = ConfigDict(extra="ignore", strict=True)  # other keys were never refused
    epa_id: str | None = Field(None, description="2-letter state code + 10 letters/digits")
    semarnat_nra: str | None = None
    canada_id: str | None = None


class FacilityCreate(Body):
    unknown_field: ClassVar[str] = Message.of("registry.unknown_facility_field", N_("is not a facility field"))
    name: str
    country: str = Field(json_schema_extra=_COUNTRY)
    identifiers: Identifiers
    address: str | None = None
    operations: list[str]
    accepts: list[str]
    processes: list[str] | None = Field(None, description=(
        "Receiving processes (GET /api/v1/processes); absent or empty: derived from accepts "
        "and operations."))
    annual_capacity_tonnes: Number = Field(json_schema_extra={"exclusiveMinimum": 0})

    def fields(self) -> dict[str, Any]:
        """The registry's flat keywords: the identifiers beside the other fields."""
        given = self.given()
        flat = {k: v for k, v in given.items() if k != "identifiers"}
        if "identifiers" in given or self.flat_identifiers_always:
            identifiers = given.get("identifiers") or {}
            flat.update({k: identifiers.get(k) for k in Identifiers.model_fields})
        return flat

    flat_identifiers_always: ClassVar[bool] = True


class FacilityUpdate(FacilityCreate):
    flat_identifiers_always: ClassVar[bool] = False
    name: str | None = None
    country: str | None = Field(None, json_schema_extra=_COUNTRY)
    identifiers: Identifiers | None = None
    operations: list[str] | None = None
    accepts: list[str] | None = None
    annual_capacity_tonnes: Number | None = Field(None, json_schema_extra={"exclusiveMinimum": 0})


class FacilityPublic(Public):
    id: int
    name: str
    country: Literal[COUNTRIES]
    identifiers: dict[str, str]
    address: str | None
    operations: list[str]
    accepts: list[str]
    processes: list[str] = Field(description="The receiving processes it runs (GET /api/v1/processes).")
    annual_capacity_tonnes: float
    status: Literal[FACILITY_STATUSES]
    status_reason: str | None
    status_changed_at: Timestamp | None
    created_at: Timestamp


class CarbonCreate(Body):
    year: int
    method: str = Field(description="a method code from GET /api/v1/carbon/methods")
    process: str | None = Field(None, description="the receiving process reported on; "
                                "defaults to the facility's first one the method fits")
    tonnes_received: Number | None = None
    tonnes_processed: Number | None = None
    activity: dict[str, Any] | None = Field(None, description="the method's activity data")
    tonnes_co2e_per_tonne: Number | None = Field(
        None, description="refused: computed from the activity data, never typed")


class CarbonPublic(Public):
    id: int
    facility_id: int
    year: int
    tonnes_co2e_per_tonne: float = Field(description="t CO2e per tonne processed (computed)")
    method: str
    created_at: Timestamp
    legacy: bool = Field(description="reported before the methods: a typed intensity, unverified")
    status: Literal["unverified", "verified", "rejected"]
    verified: bool
    process: str | None
    activity: dict[str, Any] | None
    tonnes_received: float | None
    tonnes_processed: float | None
    total_tco2e: float | None
    tonnes_co2e_per_tonne_received: float | None
    rejection_reason: str | None


class CarbonLine(Public):
    id: int
    year: int
    tonnes_co2e_per_tonne: float
    method: str
    legacy: bool
    status: Literal["unverified", "verified", "rejected"]
    process: str | None
    total_tco2e: float | None
    tonnes_co2e_per_tonne_received: float | None


class CarbonMethodPublic(Public):
    code: str
    title: str
    citation: str
    processes: list[str]
    activity_lists: list[str]


class FacilityDetail(FacilityPublic):
    carbon: list[CarbonLine]


class Reason(Body):
    reason: str


class FacilityFilter(Query):
    country: Literal[COUNTRIES] | None = None
    status: Literal[FACILITY_STATUSES] | None = None
    eligible_for: str | None = Field(None, description="only facilities eligible for this byproduct")
    operation: str | None = None
    on: InDate | None = None


class EligibilityQuery(Query):
    byproduct: str
    on: InDate | None = None
    operation: str | None = None


class Eligibility(Public):
    facility_id: int
    byproduct: str
    on: Day
    eligible: bool
    checks: list[Check]
    reasons: list[str]
    evidence_ids: list[int]


class FinderQuery(Query):
    byproduct: str
    operation: str
    country: Literal[COUNTRIES] | None = None
    on: InDate | None = None
    limit: PageLimit = DEFAULT_LIMIT


class FacilityRow(Public):
    id: int
    name: str
    country: str
    status: str


class Eligible(Public):
    facility: FacilityRow


class Ineligible(Public):
    facility: FacilityRow
    reasons: list[str]


class EligibleList(Public):
    total: int
    items: list[Eligible]


class IneligibleList(Public):
    total: int
    items: list[Ineligible]


class Finder(Public):
    byproduct: str
    operation: str
    on: Day
    eligible: EligibleList
    ineligible: IneligibleList


# ---- evidence -----------------------------------------------------------------------------------

class EvidenceCreate(Body):
    unknown_field: ClassVar[str] = Message.of("registry.unknown_evidence_field", N_("is not an evidence field"))
    standard: str
    kind: str = Field(json_schema_extra={"enum": list(EVIDENCE_KINDS)})
    value: Number | bool | str
    unit: str | None = None
    basis: str | None = None
    observed_on: DateText
    source: str | None = Field(None, description=(
        "the law, operating permit or lab report the value comes from; may be left out when a "
        "binding limit cites an `instrument`"))
    instrument: str | None = Field(None, description=(
        "a binding limit's source instrument by its code in GET /api/v1/public/instruments "
        "(e.g. NOM-166-SEMARNAT-2014); a limit from an operating permit is described in `source`"))
    comparator: str | None = Field(None, description=(
        "a binding limit as phrased: < or <= for a max standard, > or >= for min; default <= / >="),
        json_schema_extra={"enum": list(COMPARATORS)})
    shift_hours: Number | None = Field(None, description=(
        "an 8-h TWA measurement's shift length; over 8 h the U.S. value is scaled by 8 / hours "
        "(400 / hours for lead)"), json_schema_extra={"exclusiveMinimum": 0, "maximum": 24})
    conditions: dict[str, Any] | None = Field(None, description=(
        "stack gas: temperature_c, pressure_kpa, dry or moisture_percent, o2_percent, as measured; "
        "converted to the U.S. dry standard (20 °C, 1 atm)"))
    subject: str | None = Field(None, description=(
        "a per-test result's pseudonymous worker, for averages over that worker's tests"))


class EvidenceCorrection(EvidenceCreate):
    """A new entry for the same standard and kind: those may be left out."""

    standard: str | None = None
    kind: str | None = Field(None, json_schema_extra={"enum": list(EVIDENCE_KINDS)})
    reason: str


class EvidencePublic(Public):
    id: int
    facility_id: int
    standard: str
    kind: str
    value: Number | bool
    unit: str | None
    value_entered: str
    unit_entered: str | None
    basis: str | None
    observed_on: Day
    source: str
    entered_by_role: str
    verified: bool
    verified_at: Timestamp | None
    supersedes_id: int | None
    superseded_by_id: int | None
    correction_reason: str | None
    inspection_id: int | None
    created_at: Timestamp
    comparator: str | None
    shift_hours: Number | None
    conditions: dict[str, Any] | None
    subject: str | None
    counts: bool = Field(description="false once rejected or recorded as corrected")
    rejected_at: Timestamp | None
    rejection_reason: str | None
    corrected_at: Timestamp | None
    corrective_action: str | None
    remeasurement_evidence_id: int | None
    instrument: str | None = Field(None, description="the source instrument the limit cites")
    instrument_title: str | None = Field(None, description="its title in its official language")

    @classmethod
    def of(cls, entry, superseded_by: int | None = None, **extra) -> EvidencePublic:
        return cls.model_validate({
            **{name: getattr(entry, name) for name in (
                "id", "facility_id", "kind", "unit", "value_entered", "unit_entered", "basis",
                "observed_on", "source", "entered_by_role", "verified", "verified_at",
                "supersedes_id", "correction_reason", "inspection_id", "created_at",
                "comparator", "shift_hours", "conditions", "subject", "rejected_at",
                "rejection_reason", "corrected_at", "corrective_action")},
            "standard": entry.standard_code,
            # a required practice is stored as 1.0/0.0 without a unit; it reads as true/false
            "value": entry.value if entry.unit is not None else entry.value == 1.0,
            "counts": entry.rejected_at is None and entry.corrected_at is None,
            "remeasurement_evidence_id": entry.remeasurement_id,
            "instrument": entry.instrument,
            "instrument_title": _instrument_title(entry.instrument),
            "superseded_by_id": superseded_by, **extra})


def _instrument_title(code: str | None) -> str | None:
    found = get_instrument(code) if code else None
    return found.title if found else None


class EvidenceRejection(Body):
    reason: str


class EvidenceCorrected(Body):
    corrective_action: str
    remeasurement_evidence_id: int = Field(description="the newer measurement of the same standard")


class QueuedEvidence(EvidencePublic):
    facility_name: str


# ---- inspections and cases ------------------------------------------------------------------------

class Finding(Body):
    model_config = ConfigDict(extra="ignore", strict=True)  # the registry names a bad finding
    standard: str | None = None
    value: Number | bool | str | None = None
    unit: str | None = None
    basis: str | None = None
    shift_hours: Number | None = None
    subject: str | None = None
    conditions: dict[str, Any] | None = None


class Attachment(Body):
    model_config = ConfigDict(extra="ignore", strict=True)
    filename: str | None = None
    content_type: str | None = Field(None, json_schema_extra={
        "enum": ["application/pdf", "image/png", "image/jpeg"]})
    content_base64: str | None = None


class InspectionCreate(Body):
    inspected_on: DateText
    outcome: str = Field(json_schema_extra={"enum": list(INSPECTION_OUTCOMES)})
    summary: str | None = None
    findings: list[Finding] | None = None
    attachments: list[Attachment] | None = None


class FindingPublic(Public):
    standard: str
    value: str | None
    unit: str | None
    basis: str | None
    evidence_id: int | None


class AttachmentPublic(Public):
    id: int
    filename: str
    content_type: str
    size: int


class InspectionPublic(Public):
    id: int
    facility_id: int
    inspected_on: Day
    outcome: Literal[INSPECTION_OUTCOMES]
    summary: str | None
    findings: list[FindingPublic]
    attachments: list[AttachmentPublic]


class CasePublic(Public):
    id: int
    reference: str | None = None
    origin: Literal[CASE_ORIGINS] = "inspection"
    facility_id: int
    inspection_id: int | None
    category: str | None = None
    stage: str = "remediation"
    outcome: str | None = None
    opened_on: Day
    notified_on: Day | None
    resolved_on: Day | None
    resolution: str | None
    days_to_resolution: int | None


class InspectionList(Public):
    items: list[InspectionPublic]
    total: int
    next: str | None
    cases: list[CasePublic]


class CaseNotice(Body):
    notified_on: DateText


# ---- the public register ----------------------------------------------------------------------

class PublicInspection(Public):
    inspected_on: Day
    outcome: str


class PublicCase(Public):
    reference: str | None = None
    origin: Literal[CASE_ORIGINS] = "inspection"
    category: str | None = None
    stage: str = "remediation"
    outcome: str | None = None
    opened_on: Day
    notified_on: Day | None
    resolved_on: Day | None
    days_to_resolution: int | None


class PublicFacility(Public):
    id: int
    name: str
    country: str
    status: str
    status_changed_at: Timestamp | None
    inspections: list[PublicInspection]
    enforcement_cases: list[PublicCase]
