"""The permit: one shipper's consent to move one byproduct to one receiving facility."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Field, SQLModel

from permits.core.fields import json_field, timestamp_field

PERMIT_STATUSES = (
    "draft",
    "under_review",
    "approved",
    # Approved, but its facility stopped meeting a standard it was decided on: no shipments
    # until it meets again (then approved, by itself).
    "on_hold",
    "denied",
    "suspended",
    "revoked",
    "expired",
    "withdrawn",
)


class Permit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=32, unique=True)  # PAR-2027-000007
    organization_id: int = Field(foreign_key="organization.id", index=True)
    applicant_id: int = Field(foreign_key="user_account.id")
    status: str = Field(default="draft", max_length=20, index=True)
    byproduct: str = Field(max_length=60)
    waste_codes: list[str] = json_field()
    # Whole kilograms, so that the cap is exact integer arithmetic inside one UPDATE.
    quantity_kg: int
    shipments_planned: int
    valid_from: date
    valid_to: date
    receiving_facility_id: int = Field(foreign_key="facility.id", index=True)
    operation_code: str = Field(max_length=4)
    # An interim operation (R12, R13, D13-D15) must name where the waste ends up.
    final_facility_id: int | None = Field(default=None, foreign_key="facility.id")
    final_operation_code: str | None = Field(default=None, max_length=4)
    origin: dict[str, Any] = json_field(default_factory=dict)
    route: dict[str, Any] = json_field(default_factory=dict)
    transporters: list[dict[str, Any]] = json_field()
    # Running totals of what has moved; raised only by a conditional UPDATE (see services).
    used_kg: int = 0
    shipments_used: int = 0
    # Whether the importing and transit countries have consented (`pending`, `granted`,
    # `objected`), and the day the first of their consents runs out (None: none does). Written
    # only by permits.consents.gate; the shipment cap's UPDATE reads both.
    consent_status: str = Field(default="pending", max_length=12, index=True)
    consent_until: date | None = None
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    # Set by the permit services: when the application left draft, and why it last changed status.
    submitted_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    status_reason: str | None = Field(default=None, max_length=2000)
    # While on hold: since when, why (sentences) and the checks not met, with their numbers.
    hold_since: date | None = None
    hold_reasons: list[str] = json_field()
    hold_checks: list[dict[str, Any]] = json_field()
    # The rapid-response case whose investigation holds the permit (as well as, or instead of,
    # checks not met); only the case's closure releases it (permits.permitting.holds).
    hold_case_id: int | None = Field(default=None, foreign_key="enforcement_case.id")
    # The standards (codes) of the standing decision: what the permit's facilities must keep
    # meeting (continuous equivalence). Written with each decision that stands.
    decided_standards: list[str] = json_field()
