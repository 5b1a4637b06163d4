"""The shapes of permits, decisions, amendments and evidence requests over the API.

An application's nested parts (origin, route, transporters) are documented here and checked
by the permit rules, which the pages share; a decision's checks, rules and terms are a stored,
hashed record and come back exactly as stored.
"""
from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from permits.api.check_shapes import Check
from permits.api.shapes import (
    Body,
    DateText,
    Day,
    Number,
    Public,
    Query,
    UtcTimestamp,
    described_as,
)
from permits.consents.models import PERMIT_CONSENT_STATUSES
from permits.consents.shapes import ConsentView, standing_consents
from permits.permitting import decisions
from permits.permitting.decision_models import (
    AMENDMENT_STATUSES,
    DECISION_KINDS,
    DECISION_OUTCOMES,
    REQUEST_STATUSES,
    Amendment,
    Decision,
)
from permits.permitting.models import PERMIT_STATUSES, Permit
from standards.messages import N_, Message
from standards.vocabulary import COUNTRIES, kg_to_tonnes

_HASH = {"pattern": "^[0-9a-f]{64}$"}


# ---- the parts of an application (documentation; the permit rules check them) -----------------

class Origin(BaseModel):
    name: str
    country: Literal[COUNTRIES]
    epa_id: str | None = Field(None, description="required when the origin is in the US")
    address: str | None = None


class Route(BaseModel):
    exit_port: str
    entry_port: str
    transit_countries: list[Annotated[str, Field(pattern="^[A-Z]{2}$")]] = []


class Transporter(BaseModel):
    name: str
    country: str


class Rule(BaseModel):
    rule: str
    met: bool
    detail: str


class DecisionCheck(Check):
    facility_id: int | None = Field(None, description="whose evidence was checked")


CodeList = Annotated[list[Any], WithJsonSchema(
    {"type": "array", "items": {"type": "string"}, "examples": [["K061"]]})]


class PermitChanges(Body):
    """Fields of a draft to change; null clears one."""

    unknown_field: ClassVar[str] = Message.of("permit.unknown_field", N_("is not a field of an application"))
    byproduct: str | None = Field(None, examples=["eaf_dust"])
    waste_codes: CodeList | None = None
    quantity_tonnes: Number | None = Field(None, description="metric tonnes, at most 3 decimals (whole kilograms)",
                                           json_schema_extra={"exclusiveMinimum": 0})
    shipments_planned: int | None = Field(None, json_schema_extra={"minimum": 1})
    valid_from: DateText | None = None
    valid_to: DateText | None = Field(None, description="at most 12 months after valid_from")
    receiving_facility_id: int | None = None
    operation_code: str | None = Field(None, examples=["R4"])
    final_facility_id: int | None = Field(
        None, description="required for an interim operation (R12, R13, D13-D15)")
    final_operation_code: str | None = None
    origin: described_as(Origin) | None = None
    route: described_as(Route) | None = None
    transporters: described_as(Transporter, many=True) | None = None


class PermitApplication(PermitChanges):
    """An application; the permit rules name every missing or invalid field at once."""

    model_config = ConfigDict(json_schema_extra={"required": [
        "byproduct", "waste_codes", "quantity_tonnes", "shipments_planned", "valid_from", "valid_to",
        "receiving_facility_id", "operation_code", "origin", "route", "transporters"]})
    draft: bool = Field(False, description="true: save as a draft (only the first seven fields "
                                           "are required) instead of submitting")


class AmendmentChanges(PermitChanges):
    """Any of quantity_tonnes, shipments_planned, receiving_facility_id, operation_code,
    final_facility_id, final_operation_code, route, transporters."""

    model_config = ConfigDict(extra="allow")  # the amendment rules name a field that may not change


class AmendmentRequest(Body):
    model_config = ConfigDict(json_schema_extra={"required": ["changes"]})
    changes: AmendmentChanges | None = None
    reason: str | None = None


class Reason(Body):
    """Why (the service says when one is required)."""

    model_config = ConfigDict(json_schema_extra={"required": ["reason"]})
    reason: str | None = Field(None, json_schema_extra={"minLength": 1, "maxLength": 2000})


class OptionalReason(Body):
    reason: str | None = Field(None, json_schema_extra={"maxLength": 2000})


class EvidenceRequestBody(Body):
    model_config = ConfigDict(json_schema_extra={"required": ["message"]})
    message: str | None = None
    standard: str | None = Field(None, description="the standard whose evidence is missing")


class PermitFilter(Query):
    status: Literal[PERMIT_STATUSES] | None = None


class RequestFilter(Query):
    status: Literal[REQUEST_STATUSES] | None = None


# ---- answers ------------------------------------------------------------------------------

class DecisionSummary(Public):
    id: int
    kind: Literal[DECISION_KINDS]
    outcome: Literal[DECISION_OUTCOMES]
    decided_at: UtcTimestamp
    decided_by_id: int | None = Field(description="null: decided by the system")
    standards_version: str
    record_hash: str = Field(json_schema_extra=_HASH)
    reasons: list[str]
    amendment_id: int | None
    note: str | None


class DecisionPublic(DecisionSummary):
    checks: described_as(DecisionCheck, many=True)
    rules: described_as(Rule, many=True)
    evidence: list[dict[str, Any]]
    terms: dict[str, Any] = Field(description="the terms decided on, as they stood")
    verified: bool = Field(description="the stored record still hashes to record_hash")

    @classmethod
    def of(cls, decision: Decision, *, verified: bool | None = None) -> DecisionPublic:
        if verified is None:
            verified = decisions.verify(decision)
        return cls.model_validate({**_attributes(decision, cls, "verified"), "verified": verified})


class Hold(Public):
    since: Day
    reasons: list[str]
    checks: list[Check]


class _PermitFields(Public):
    id: int
    number: str | None = Field(description="assigned on submission; null for a draft",
                               json_schema_extra={"pattern": "^PAR-[0-9]{4}-[0-9]{6,}$"})
    status: Literal[PERMIT_STATUSES]
    status_reason: str | None
    organization_id: int
    applicant_id: int
    byproduct: str
    waste_codes: list[str]
    quantity_tonnes: float
    shipments_planned: int = Field(ge=1)
    valid_from: Day
    valid_to: Day
    receiving_facility_id: int
    operation_code: str
    final_facility_id: int | None
    final_operation_code: str | None
    origin: dict[str, Any]
    route: dict[str, Any]
    transporters: described_as(Transporter, many=True) = Field(description="empty in a draft")
    used_tonnes: float = Field(ge=0)
    shipments_used: int = Field(ge=0)
    created_at: UtcTimestamp
    submitted_at: UtcTimestamp | None
    hold: Hold | None = Field(None, description=(
        "while the permit is on_hold (its facility stopped meeting a standard it was decided on): "
        "since when, why, and the checks not met; null otherwise"))
    consent_status: Literal[PERMIT_CONSENT_STATUSES] = Field(
        description="granted once the importing and every transit country consented; "
                    "shipments wait for it")
    consent_until: Day | None = Field(description="the day the first consent runs out")

    @classmethod
    def of(cls, permit: Permit, decision: Any) -> Any:
        hold = None
        if permit.status == "on_hold":
            hold = {"since": permit.hold_since, "reasons": list(permit.hold_reasons or []),
                    "checks": list(permit.hold_checks or [])}
        return cls.model_validate({
            **_attributes(permit, cls, "quantity_tonnes", "used_tonnes", "decision", "hold", "consents"),
            "quantity_tonnes": kg_to_tonnes(permit.quantity_kg),
            "used_tonnes": kg_to_tonnes(permit.used_kg), "decision": decision, "hold": hold})


class PermitPublic(_PermitFields):
    decision: DecisionPublic | None
    consents: described_as(ConsentView, many=True) = Field(
        default_factory=list, description="each country's standing consent or request")

    @classmethod
    def of(cls, permit: Permit, decision: Decision | None, consents: list | None = None,
           *, verified: bool | None = None) -> PermitPublic:
        """`consents`: the permit's standing consents as read (else read now); `verified`: what
        verifying the decision's hash would say, when the caller knows (else verified now)."""
        shaped = None if decision is None else DecisionPublic.of(decision, verified=verified)
        made = super().of(permit, shaped)
        made.consents = standing_consents(permit) if consents is None else consents
        return made


class PermitListItem(_PermitFields):
    decision: DecisionSummary | None


class AmendmentPublic(Public):
    id: int
    permit_id: int
    status: Literal[AMENDMENT_STATUSES]
    changes: dict[str, Any]
    before: dict[str, Any]
    reason: str | None
    requested_by_id: int
    created_at: UtcTimestamp
    decided_at: UtcTimestamp | None
    decision: DecisionPublic | None

    @classmethod
    def of(cls, amendment: Amendment, decision: Decision | None) -> AmendmentPublic:
        return cls.model_validate({
            **_attributes(amendment, cls, "decision"),
            "decision": DecisionPublic.of(decision) if decision is not None else None})


class EvidenceRequestPublic(Public):
    id: int
    permit_id: int
    facility_id: int
    standard: str | None
    message: str
    status: Literal[REQUEST_STATUSES]
    requested_by_id: int
    created_at: UtcTimestamp
    closed_at: UtcTimestamp | None
    closed_reason: str | None

    @classmethod
    def of(cls, request) -> EvidenceRequestPublic:
        return cls.model_validate({**_attributes(request, cls, "standard"),
                                   "standard": request.standard_code})


def _attributes(row, shape: type[BaseModel], *computed: str) -> dict[str, Any]:
    """The row's attributes named like the shape's fields, but for those computed here."""
    return {name: getattr(row, name) for name in shape.model_fields if name not in computed}
