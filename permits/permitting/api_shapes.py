"""The JSON shapes of permits, decisions, amendments and evidence requests, and their schemas."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from permits.permitting import decisions
from permits.permitting.decision_models import (
    AMENDMENT_STATUSES,
    DECISION_KINDS,
    DECISION_OUTCOMES,
    REQUEST_STATUSES,
    Amendment,
    Decision,
    EvidenceRequest,
)
from permits.permitting.models import PERMIT_STATUSES, Permit
from standards.equivalence import VERDICTS
from standards.vocabulary import COUNTRIES
from standards.vocabulary import kg_to_tonnes as tonnes


def iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        # SQLite hands back naive UTC; PostgreSQL an aware time: both leave here in UTC.
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat()


def decision_json(decision: Decision, *, full: bool = True) -> dict[str, Any]:
    body = {
        "id": decision.id,
        "kind": decision.kind,
        "outcome": decision.outcome,
        "decided_at": iso(decision.decided_at),
        "decided_by_id": decision.decided_by_id,
        "standards_version": decision.standards_version,
        "record_hash": decision.record_hash,
        "reasons": decision.reasons,
        "amendment_id": decision.amendment_id,
        "note": decision.note,
    }
    if full:
        body.update(checks=decision.checks, rules=decision.rules, evidence=decision.evidence,
                    terms=decision.terms, verified=decisions.verify(decision))
    return body


def permit_json(permit: Permit, decision: Decision | None, *, full: bool = True) -> dict[str, Any]:
    return {
        "id": permit.id,
        "number": permit.number,
        "status": permit.status,
        "status_reason": permit.status_reason,
        "organization_id": permit.organization_id,
        "applicant_id": permit.applicant_id,
        "byproduct": permit.byproduct,
        "waste_codes": permit.waste_codes,
        "quantity_tonnes": tonnes(permit.quantity_kg),
        "shipments_planned": permit.shipments_planned,
        "valid_from": iso(permit.valid_from),
        "valid_to": iso(permit.valid_to),
        "receiving_facility_id": permit.receiving_facility_id,
        "operation_code": permit.operation_code,
        "final_facility_id": permit.final_facility_id,
        "final_operation_code": permit.final_operation_code,
        "origin": permit.origin,
        "route": permit.route,
        "transporters": permit.transporters,
        "used_tonnes": tonnes(permit.used_kg),
        "shipments_used": permit.shipments_used,
        "created_at": iso(permit.created_at),
        "submitted_at": iso(permit.submitted_at),
        "decision": decision_json(decision, full=full) if decision is not None else None,
    }


def amendment_json(amendment: Amendment, decision: Decision | None) -> dict[str, Any]:
    return {
        "id": amendment.id,
        "permit_id": amendment.permit_id,
        "status": amendment.status,
        "changes": amendment.changes,
        "before": amendment.before,
        "reason": amendment.reason,
        "requested_by_id": amendment.requested_by_id,
        "created_at": iso(amendment.created_at),
        "decided_at": iso(amendment.decided_at),
        "decision": decision_json(decision) if decision is not None else None,
    }


def request_json(request: EvidenceRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "permit_id": request.permit_id,
        "facility_id": request.facility_id,
        "standard": request.standard_code,
        "message": request.message,
        "status": request.status,
        "requested_by_id": request.requested_by_id,
        "created_at": iso(request.created_at),
        "closed_at": iso(request.closed_at),
        "closed_reason": request.closed_reason,
    }


# --- schemas -------------------------------------------------------------------------------------

def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}
_READING = {"type": ["object", "null"], "required": ["value", "unit", "basis"], "properties": {
    "value": {"type": ["number", "boolean"]}, "unit": _NULLABLE_STRING,
    "basis": _NULLABLE_STRING, "observed_on": {"type": "string", "format": "date"},
    "verified": {"type": "boolean"}, "evidence_id": _NULLABLE_INT,
    "source": _NULLABLE_STRING}}
_ORIGIN = {"type": "object", "required": ["name", "country"], "properties": {
    "name": {"type": "string"}, "country": {"type": "string", "enum": list(COUNTRIES)},
    "epa_id": {"type": ["string", "null"], "description": "required when the origin is in the US"},
    "address": {"type": "string"}}}
_ROUTE = {"type": "object", "required": ["exit_port", "entry_port"], "properties": {
    "exit_port": {"type": "string"}, "entry_port": {"type": "string"},
    "transit_countries": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{2}$"}}}}
_TRANSPORTER = {"type": "object", "required": ["name", "country"], "properties": {
    "name": {"type": "string"}, "country": {"type": "string"}}}
_TERMS_PROPERTIES = {
    "byproduct": {"type": "string", "examples": ["eaf_dust"]},
    "waste_codes": {"type": "array", "items": {"type": "string"}, "examples": [["K061"]]},
    "quantity_tonnes": {"type": "number", "exclusiveMinimum": 0,
                        "description": "metric tonnes, at most 3 decimals (whole kilograms)"},
    "shipments_planned": {"type": "integer", "minimum": 1},
    "valid_from": {"type": "string", "format": "date"},
    "valid_to": {"type": "string", "format": "date",
                 "description": "at most 12 months after valid_from"},
    "receiving_facility_id": {"type": "integer"},
    "operation_code": {"type": "string", "examples": ["R4"]},
    "final_facility_id": {"type": ["integer", "null"],
                          "description": "required for an interim operation (R12, R13, D13-D15)"},
    "final_operation_code": {"type": ["string", "null"]},
    "origin": _ORIGIN,
    "route": _ROUTE,
    "transporters": {"type": "array", "items": _TRANSPORTER, "minItems": 1},
}

_DECISION_SUMMARY_PROPERTIES = {
    "id": {"type": "integer"},
    "kind": {"type": "string", "enum": list(DECISION_KINDS)},
    "outcome": {"type": "string", "enum": list(DECISION_OUTCOMES)},
    "decided_at": {"type": "string", "format": "date-time"},
    "decided_by_id": {"type": ["integer", "null"], "description": "null: decided by the system"},
    "standards_version": {"type": "string"},
    "record_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "reasons": {"type": "array", "items": {"type": "string"}},
    "amendment_id": _NULLABLE_INT,
    "note": _NULLABLE_STRING,
}
_DECISION_SUMMARY_REQUIRED = ["id", "outcome", "decided_at", "standards_version", "record_hash",
                              "reasons"]
_PERMIT_PROPERTIES = {
    "id": {"type": "integer"},
    "number": {"type": ["string", "null"], "pattern": "^PAR-[0-9]{4}-[0-9]{6,}$",
               "description": "assigned on submission; null for a draft"},
    "status": {"type": "string", "enum": list(PERMIT_STATUSES)},
    "status_reason": _NULLABLE_STRING,
    "organization_id": {"type": "integer"},
    "applicant_id": {"type": "integer"},
    **{k: v for k, v in _TERMS_PROPERTIES.items() if k not in ("origin", "route")},
    "origin": {"type": "object"},
    "route": {"type": "object"},
    "transporters": {"type": "array", "items": _TRANSPORTER, "description": "empty in a draft"},
    "used_tonnes": {"type": "number", "minimum": 0},
    "shipments_used": {"type": "integer", "minimum": 0},
    "created_at": {"type": "string", "format": "date-time"},
    "submitted_at": {"type": ["string", "null"], "format": "date-time"},
}
_PERMIT_REQUIRED = ["id", "number", "status", "byproduct", "quantity_tonnes", "valid_from",
                    "valid_to", "receiving_facility_id", "operation_code", "decision"]

SCHEMAS: dict[str, Any] = {
    "Check": {
        "type": "object",
        "required": ["standard", "verdict", "us_limit", "facility_limit", "facility_measured",
                     "reason"],
        "properties": {
            "standard": {"type": "string"}, "version": {"type": "integer"},
            "verdict": {"type": "string", "enum": list(VERDICTS)},
            "us_limit": {"type": "object", "required": ["value", "unit", "basis"], "properties": {
                "value": {"type": ["number", "boolean", "null"]}, "unit": _NULLABLE_STRING,
                "basis": {"type": "string"}}},
            "facility_limit": _READING, "facility_measured": _READING,
            "reason": {"type": "string"},
            "facility_id": {"type": "integer", "description": "whose evidence was checked"},
        },
    },
    "Rule": {"type": "object", "required": ["rule", "met", "detail"], "properties": {
        "rule": {"type": "string"}, "met": {"type": "boolean"}, "detail": {"type": "string"}}},
    "DecisionSummary": {"type": "object", "required": _DECISION_SUMMARY_REQUIRED,
                        "properties": _DECISION_SUMMARY_PROPERTIES},
    "Decision": {
        "type": "object",
        "required": [*_DECISION_SUMMARY_REQUIRED, "checks", "rules", "evidence", "terms",
                     "verified"],
        "properties": {
            **_DECISION_SUMMARY_PROPERTIES,
            "checks": {"type": "array", "items": _ref("Check")},
            "rules": {"type": "array", "items": _ref("Rule")},
            "evidence": {"type": "array", "items": {"type": "object", "required": ["id", "kind"]}},
            "terms": {"type": "object", "description": "the terms decided on, as they stood"},
            "verified": {"type": "boolean",
                         "description": "the stored record still hashes to record_hash"},
        },
    },
    "PermitApplication": {
        "type": "object",
        "required": ["byproduct", "waste_codes", "quantity_tonnes", "shipments_planned",
                     "valid_from", "valid_to", "receiving_facility_id", "operation_code",
                     "origin", "route", "transporters"],
        "properties": {**_TERMS_PROPERTIES, "draft": {
            "type": "boolean", "description": "true: save as a draft (only the first seven "
            "fields are required) instead of submitting"}},
    },
    "PermitChanges": {"type": "object", "properties": _TERMS_PROPERTIES,
                      "description": "fields of a draft to change; null clears one"},
    "Permit": {"type": "object", "required": _PERMIT_REQUIRED, "properties": {
        **_PERMIT_PROPERTIES, "decision": {"oneOf": [_ref("Decision"), {"type": "null"}]}}},
    "PermitListItem": {"type": "object", "required": _PERMIT_REQUIRED, "properties": {
        **_PERMIT_PROPERTIES, "decision": {"oneOf": [_ref("DecisionSummary"), {"type": "null"}]}}},
    "Reason": {"type": "object", "required": ["reason"], "properties": {
        "reason": {"type": "string", "minLength": 1, "maxLength": 2000}}},
    "Amendment": {
        "type": "object",
        "required": ["id", "permit_id", "status", "changes", "before", "decision"],
        "properties": {
            "id": {"type": "integer"}, "permit_id": {"type": "integer"},
            "status": {"type": "string", "enum": list(AMENDMENT_STATUSES)},
            "changes": {"type": "object"}, "before": {"type": "object"},
            "reason": _NULLABLE_STRING, "requested_by_id": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"},
            "decided_at": {"type": ["string", "null"], "format": "date-time"},
            "decision": {"oneOf": [_ref("Decision"), {"type": "null"}]},
        },
    },
    "AmendmentRequest": {"type": "object", "required": ["changes"], "properties": {
        "changes": {"type": "object", "description": "any of quantity_tonnes, shipments_planned, "
                    "receiving_facility_id, operation_code, final_facility_id, "
                    "final_operation_code, route, transporters",
                    "properties": {k: v for k, v in _TERMS_PROPERTIES.items() if k in (
                        "quantity_tonnes", "shipments_planned", "receiving_facility_id",
                        "operation_code", "final_facility_id", "final_operation_code", "route",
                        "transporters")}},
        "reason": {"type": "string"}}},
    "EvidenceRequest": {
        "type": "object",
        "required": ["id", "permit_id", "facility_id", "message", "status"],
        "properties": {
            "id": {"type": "integer"}, "permit_id": {"type": "integer"},
            "facility_id": {"type": "integer"}, "standard": _NULLABLE_STRING,
            "message": {"type": "string"},
            "status": {"type": "string", "enum": list(REQUEST_STATUSES)},
            "requested_by_id": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"},
            "closed_at": {"type": ["string", "null"], "format": "date-time"},
            "closed_reason": _NULLABLE_STRING,
        },
    },
    "EvidenceRequestBody": {"type": "object", "required": ["message"], "properties": {
        "message": {"type": "string"},
        "standard": {"type": "string", "description": "the standard whose evidence is missing"}}},
}
