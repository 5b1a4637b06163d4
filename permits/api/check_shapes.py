"""API.md's CHECK shape (one standard against a facility), answered by eligibility and decisions."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from permits.api.shapes import Number, Public
from standards.equivalence import VERDICTS


class Reading(BaseModel):
    value: Number | bool
    unit: str | None
    basis: str | None
    observed_on: str
    verified: bool
    evidence_id: int | None
    source: str | None
    # A binding limit as phrased; an 8-h TWA over a longer shift and the U.S. value for it.
    comparator: str | None = None
    shift_hours: Number | None = None
    us_value_applied: Number | None = None
    # A binding limit's source instrument, by its code (GET /api/v1/public/instruments).
    instrument: str | None = None


class Check(Public):
    standard: str
    version: int
    verdict: Literal[VERDICTS]
    us_limit: dict[str, Any]
    facility_limit: Reading | None
    facility_measured: Reading | None
    reason: str
    unconfirmed: bool = Field(False, description=(
        "The standard's value or citation is not confirmed against the rule text; applied "
        "all the same. A decision's stored checks carry it only when true (absent: false)."))
