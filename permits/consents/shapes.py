"""The JSON shape of a consent, as each viewer may see it, and its OpenAPI schemas."""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from permits.accounts.auth import actor
from permits.accounts.models import User
from permits.api.shapes import Day, Public, UtcTimestamp
from permits.consents.gate import live_consents
from permits.consents.models import CHANNELS, DECISIONS, ROLES, STATUSES, Consent
from permits.core import db
from standards import clock


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def consent_json(consent: Consent, *, viewer: User | None, today: date) -> dict[str, Any]:
    """The consent; another country's authority sees only who was asked and where it stands."""
    body: dict[str, Any] = {"id": consent.id, "permit_id": consent.permit_id,
                            "country": consent.country, "role": consent.role,
                            "status": consent.status, "standing": consent.live}
    if viewer is not None and viewer.role == "authority" and viewer.country != consent.country:
        return body
    days = None
    if consent.status == "pending" and consent.tacit_on is not None:
        days = max((consent.tacit_on - today).days, 0)
    body.update({
        "requested_on": _iso(consent.requested_on), "tacit_on": _iso(consent.tacit_on),
        "days_left": days, "decision": consent.decision, "reference": consent.reference,
        "decided_on": _iso(consent.decided_on), "valid_to": _iso(consent.valid_to),
        "conditions": consent.conditions, "reason": consent.reason, "channel": consent.channel,
        "recorded_by_id": consent.recorded_by_id, "recorded_at": _iso(consent.recorded_at),
        "document": ({"filename": consent.document_name, "content_type": consent.document_type,
                      "sha256": consent.document_sha256} if consent.document_sha256 else None),
        "revises_id": consent.revises_id, "revision_reason": consent.revision_reason,
        "superseded_at": _iso(consent.superseded_at),
        "superseded_reason": consent.superseded_reason,
    })
    return body


def standing_consents(permit) -> list[dict[str, Any]]:
    """Each country's standing consent to `permit`, as the signed-in caller may see it."""
    viewer, today = actor(), clock.today()
    return [consent_json(c, viewer=viewer, today=today) for c in live_consents(db.session(), permit.id)]


class ConsentDocument(Public):
    filename: str
    content_type: str
    sha256: str


class ConsentView(Public):
    """A country's consent as `consent_json` writes it (another country's authority sees only
    the first six fields)."""

    id: int
    permit_id: int
    country: str
    role: Literal[ROLES]
    status: Literal[STATUSES]
    standing: bool = Field(description="false once revised or renewed")
    requested_on: Day | None = None
    tacit_on: Day | None = Field(default=None, description="Canada: consent is tacit from this day")
    days_left: int | None = None
    decision: Literal[DECISIONS] | None = None
    reference: str | None = None
    decided_on: Day | None = None
    valid_to: Day | None = None
    conditions: str | None = None
    reason: str | None = None
    channel: Literal[CHANNELS] | None = None
    recorded_by_id: int | None = None
    recorded_at: UtcTimestamp | None = None
    document: ConsentDocument | None = None
    revises_id: int | None = None
    revision_reason: str | None = None
    superseded_at: UtcTimestamp | None = None
    superseded_reason: str | None = None


_DATE = {"type": ["string", "null"], "format": "date"}
_TEXT = {"type": ["string", "null"]}
_DOCUMENT_UPLOAD = {"type": "object", "required": ["filename", "content_type", "content_base64"],
                    "properties": {"filename": {"type": "string"},
                                   "content_type": {"type": "string",
                                                    "enum": ["application/pdf", "image/png",
                                                             "image/jpeg"]},
                                   "content_base64": {"type": "string"}}}
_DECISION_PROPERTIES = {
    "country": {"type": "string", "pattern": "^[A-Z]{2}$",
                "description": "the importing or a transit country the permit needs"},
    "decision": {"type": "string", "enum": list(DECISIONS)},
    "reference": {"type": "string", "maxLength": 100},
    "decided_on": {"type": "string", "format": "date"},
    "valid_to": {"type": "string", "format": "date",
                 "description": "the consent's expiry: within the permit and 12 months"},
    "conditions": {"type": "string", "maxLength": 2000},
    "reason": {"type": "string", "maxLength": 2000, "description": "required for an objection"},
    "document": {**_DOCUMENT_UPLOAD, "description": "the paper consent (required from an inspector)"},
}

SCHEMAS: dict[str, Any] = {
    "ConsentDecision": {"type": "object",
                        "required": ["country", "decision", "reference", "decided_on"],
                        "properties": _DECISION_PROPERTIES},
    "ConsentRevision": {"type": "object", "required": ["decision", "reference", "decided_on",
                                                        "revision_reason"],
                        "properties": {**_DECISION_PROPERTIES,
                                       "revision_reason": {"type": "string", "maxLength": 2000}}},
    "ConsentQueueItem": {
        "type": "object", "required": ["consent", "permit"],
        "properties": {"consent": {"$ref": "#/components/schemas/ConsentView"},
                       "permit": {"type": "object", "required": ["id", "number", "status"],
                                  "properties": {"id": {"type": "integer"},
                                                 "number": {"type": ["string", "null"]},
                                                 "status": {"type": "string"},
                                                 "valid_from": {"type": "string"},
                                                 "valid_to": {"type": "string"},
                                                 "receiving_facility_id": {"type": "integer"},
                                                 "byproduct": {"type": "string"},
                                                 "quantity_tonnes": {"type": "number"}}}},
    },
}
