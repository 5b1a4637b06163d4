"""What the registry's API resources share: JSON shapes, type checks and the caller as an actor."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from facility_registry.errors import FacilityNotFound
from facility_registry.facilities import facility_record
from permits.accounts.auth import api_user
from standards.errors import NotAllowed, NotFound, WrongType
from standards.vocabulary import COUNTRIES

JSON_TYPES = {str: "a string", list: "a list", dict: "an object", bool: "true or false",
              (int, float): "a number", (int, float, str): "a number",
              (int, float, bool, str): "a number or true/false"}


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def expect_types(body: dict, types: dict[str, type | tuple], *, prefix: str = "") -> None:
    """400 `wrong_type` naming every field whose JSON type is wrong (null counts as absent)."""
    wrong = {}
    for field, expected in types.items():
        value = body.get(field)
        if value is None:
            continue
        is_bool = isinstance(value, bool)
        numeric = expected in ((int, float), (int, float, str))
        if not isinstance(value, expected) or (numeric and is_bool):
            wrong[f"{prefix}{field}"] = [f"must be {JSON_TYPES.get(expected, 'another type')}"]
    if wrong:
        first = next(iter(wrong))
        raise WrongType(f"{first} {wrong[first][0]}.", wrong)


def actor() -> dict[str, Any]:
    user = api_user()
    return {"actor_id": user.id, "actor_role": user.role}


def require_own_facility(facility_id: int) -> None:
    """A facility user acts only for its own facility; other roles are checked by the guard."""
    user = api_user()
    if user.role == "facility" and user.facility_id != facility_id:
        raise NotAllowed("A facility user acts only for its own facility.")


def not_found(exc: FacilityNotFound) -> NotFound:
    return NotFound(exc.message)


def facility_json(facility) -> dict[str, Any]:
    record = facility_record(facility)
    return {
        "id": record["id"],
        "name": record["name"],
        "country": record["country"],
        "identifiers": facility.identifiers,
        "address": record["address"],
        "operations": record["operations"],
        "accepts": record["accepts"],
        "annual_capacity_tonnes": record["annual_capacity_tonnes"],
        "status": record["status"],
        "status_reason": facility.status_reason,
        "status_changed_at": iso(facility.status_changed_at),
        "created_at": iso(facility.created_at),
    }


def evidence_json(entry, superseded_by: int | None = None) -> dict[str, Any]:
    return {
        "id": entry.id,
        "facility_id": entry.facility_id,
        "standard": entry.standard_code,
        "kind": entry.kind,
        "value": entry.value if entry.unit is not None else entry.value == 1.0,
        "unit": entry.unit,
        "value_entered": entry.value_entered,
        "unit_entered": entry.unit_entered,
        "basis": entry.basis,
        "observed_on": iso(entry.observed_on),
        "source": entry.source,
        "entered_by_role": entry.entered_by_role,
        "verified": entry.verified,
        "verified_at": iso(entry.verified_at),
        "supersedes_id": entry.supersedes_id,
        "superseded_by_id": superseded_by,
        "correction_reason": entry.correction_reason,
        "inspection_id": entry.inspection_id,
        "created_at": iso(entry.created_at),
    }


def case_json(case) -> dict[str, Any]:
    return {"id": case.id, "facility_id": case.facility_id, "inspection_id": case.inspection_id,
            "opened_on": iso(case.opened_on), "notified_on": iso(case.notified_on),
            "resolved_on": iso(case.resolved_on), "resolution": case.resolution,
            "days_to_resolution": case.days_to_resolution}


# --- OpenAPI schemas shared by the registry's resources ---------------------------------------

_DATE = {"type": "string", "format": "date"}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
_READING = {"type": ["object", "null"], "properties": {
    "value": {"type": ["number", "boolean"]}, "unit": {"type": ["string", "null"]},
    "basis": {"type": ["string", "null"]}, "observed_on": _DATE, "verified": {"type": "boolean"},
    "evidence_id": {"type": ["integer", "null"]}, "source": {"type": ["string", "null"]}}}

SCHEMAS = {
    "Facility": {
        "type": "object",
        "required": ["id", "name", "country", "identifiers", "operations", "accepts", "status"],
        "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"},
            "country": {"type": "string", "enum": list(COUNTRIES)},
            "identifiers": {"type": "object", "properties": {
                "epa_id": {"type": "string"}, "semarnat_nra": {"type": "string"},
                "canada_id": {"type": "string"}}},
            "address": {"type": "string"},
            "operations": {"type": "array", "items": {"type": "string"}},
            "accepts": {"type": "array", "items": {"type": "string"}},
            "annual_capacity_tonnes": {"type": "number"},
            "status": {"type": "string", "enum": ["active", "suspended", "revoked"]},
            "status_reason": {"type": ["string", "null"]},
            "status_changed_at": {"type": ["string", "null"]},
            "created_at": {"type": "string"},
        },
    },
    "FacilityInput": {
        "type": "object",
        "required": ["name", "country", "identifiers", "operations", "accepts",
                     "annual_capacity_tonnes"],
        "properties": {
            "name": {"type": "string"}, "country": {"type": "string", "enum": list(COUNTRIES)},
            "identifiers": {"type": "object", "properties": {
                "epa_id": {"type": "string", "description": "2-letter state code + 10 letters/digits"},
                "semarnat_nra": {"type": "string"}, "canada_id": {"type": "string"}}},
            "address": {"type": "string"},
            "operations": {"type": "array", "items": {"type": "string"}},
            "accepts": {"type": "array", "items": {"type": "string"}},
            "annual_capacity_tonnes": {"type": "number", "exclusiveMinimum": 0},
        },
    },
    "Check": {
        "type": "object",
        "required": ["standard", "verdict", "us_limit", "facility_limit", "facility_measured",
                     "reason"],
        "properties": {
            "standard": {"type": "string"}, "version": {"type": "integer"},
            "verdict": {"type": "string", "enum": ["meets", "fails", "no_evidence", "stale",
                                                   "incomparable", "unverified"]},
            "us_limit": {"type": "object"}, "facility_limit": _READING,
            "facility_measured": _READING, "reason": {"type": "string"},
        },
    },
    "Eligibility": {
        "type": "object",
        "required": ["eligible", "checks", "reasons"],
        "properties": {
            "facility_id": {"type": "integer"}, "byproduct": {"type": "string"}, "on": _DATE,
            "eligible": {"type": "boolean"},
            "checks": {"type": "array", "items": {"$ref": "#/components/schemas/Check"}},
            "reasons": {"type": "array", "items": {"type": "string"}},
            "evidence_ids": {"type": "array", "items": {"type": "integer"}},
        },
    },
    "EvidenceInput": {
        "type": "object",
        "required": ["standard", "kind", "value", "observed_on", "source"],
        "properties": {
            "standard": {"type": "string"}, "kind": {"type": "string", "enum": ["limit", "measurement"]},
            "value": {"type": ["number", "boolean"]}, "unit": {"type": ["string", "null"]},
            "basis": {"type": ["string", "null"]}, "observed_on": _DATE, "source": {"type": "string"},
        },
    },
    "Evidence": {
        "type": "object",
        "required": ["id", "facility_id", "standard", "kind", "value", "observed_on", "verified"],
        "properties": {
            "id": {"type": "integer"}, "facility_id": {"type": "integer"},
            "standard": {"type": "string"}, "kind": {"type": "string"},
            "value": {"type": ["number", "boolean"]}, "unit": {"type": ["string", "null"]},
            "value_entered": {"type": "string"}, "unit_entered": {"type": ["string", "null"]},
            "basis": {"type": ["string", "null"]}, "observed_on": _DATE, "source": {"type": "string"},
            "entered_by_role": {"type": "string"}, "verified": {"type": "boolean"},
            "verified_at": {"type": ["string", "null"]},
            "supersedes_id": {"type": ["integer", "null"]},
            "superseded_by_id": {"type": ["integer", "null"]},
            "correction_reason": {"type": ["string", "null"]},
            "inspection_id": {"type": ["integer", "null"]}, "created_at": {"type": "string"},
        },
    },
    "EnforcementCase": {
        "type": "object",
        "required": ["id", "facility_id", "opened_on", "notified_on", "resolved_on"],
        "properties": {
            "id": {"type": "integer"}, "facility_id": {"type": "integer"},
            "inspection_id": {"type": "integer"}, "opened_on": _DATE,
            "notified_on": _NULLABLE_DATE, "resolved_on": _NULLABLE_DATE,
            "resolution": {"type": ["string", "null"]},
            "days_to_resolution": {"type": ["integer", "null"]},
        },
    },
    "Reason": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
}
