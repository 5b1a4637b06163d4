"""Evidence over the API: record, list with its history, supersede, verify, reject, record a
corrected exceedance, queue."""
from __future__ import annotations

import base64
import re

from flask import request

from facility_registry import services
from facility_registry.evidence import get_evidence, history
from permits.api.blueprint import api
from permits.api.common import bad_cursor, page_limit
from permits.api.endpoint import endpoint
from permits.api.shapes import Page, Query
from permits.core import db
from permits.core.ids import MAX_ID
from permits.registry.api_shapes import (
    EvidenceCorrected,
    EvidenceCorrection,
    EvidenceCreate,
    EvidencePublic,
    EvidenceRejection,
    QueuedEvidence,
    actor,
    require_own_facility,
)
from standards.errors import ValidationFailed
from standards.messages import N_, Message


class EvidenceFilter(Query):
    standard: str | None = None


@api.post("/v1/facilities/<int:facility_id>/evidence")
@endpoint("admin", "inspector", "facility", status=201, body=EvidenceCreate, returns=EvidencePublic)
def record_evidence(facility_id: int, body: EvidenceCreate):
    """Record a binding limit or a measurement (a facility user's stays unverified until an inspector verifies it)"""
    require_own_facility(facility_id)
    entry = services.record_evidence(db.session(), facility_id=facility_id, **actor(), **body.given())
    return EvidencePublic.of(entry)


@api.get("/v1/facilities/<int:facility_id>/evidence")
@endpoint(query=EvidenceFilter, returns=Page[EvidencePublic])
def list_evidence(facility_id: int, query: EvidenceFilter):
    """Every entry of a facility, superseded ones included"""
    session = db.session()
    services.get_facility(session, facility_id)
    items = [EvidencePublic.of(e, by) for e, by in history(session, facility_id)
             if not query.standard or e.standard_code == query.standard]
    return {"items": items, "total": len(items), "next": None}


@api.post("/v1/evidence/<int:evidence_id>/supersede")
@endpoint("admin", "inspector", "facility", status=201, body=EvidenceCorrection, returns=EvidencePublic,
          errors=(409,))
def supersede_evidence(evidence_id: int, body: EvidenceCorrection):
    """Correct an entry: a new entry that supersedes it, with a reason"""
    session = db.session()
    require_own_facility(get_evidence(session, evidence_id).facility_id)
    fields = body.given()
    reason = fields.pop("reason", None)
    entry = services.supersede_evidence(session, evidence_id=evidence_id, reason=reason,
                                        **actor(), **fields)
    return EvidencePublic.of(entry)


@api.post("/v1/evidence/<int:evidence_id>/verify")
@endpoint("admin", "inspector", returns=EvidencePublic, errors=(409,))
def verify_evidence(evidence_id: int):
    """Verify an entry (inspector, admin)"""
    return EvidencePublic.of(services.verify_evidence(db.session(), evidence_id=evidence_id, **actor()))


@api.post("/v1/evidence/<int:evidence_id>/reject")
@endpoint("admin", "inspector", body=EvidenceRejection, returns=EvidencePublic, errors=(409,))
def reject_evidence(evidence_id: int, body: EvidenceRejection):
    """Reject a self-reported entry with a reason: it no longer counts (a verified entry is a 422)"""
    return EvidencePublic.of(services.reject_evidence(db.session(), evidence_id=evidence_id,
                                                      reason=body.reason, **actor()))


@api.post("/v1/evidence/<int:evidence_id>/correct")
@endpoint("admin", "inspector", body=EvidenceCorrected, returns=EvidencePublic, errors=(409,))
def correct_evidence(evidence_id: int, body: EvidenceCorrected):
    """Record that an exceedance was corrected, with the corrective action and a newer re-measurement of the same standard: it no longer counts"""
    remeasured = body.remeasurement_evidence_id
    if not 0 < remeasured <= MAX_ID:
        raise ValidationFailed.on("remeasurement_evidence_id",
                                  Message.of("evidence.names_no_entry", N_("names no entry")))
    return EvidencePublic.of(services.correct_evidence(
        db.session(), evidence_id=evidence_id, corrective_action=body.corrective_action,
        remeasurement_evidence_id=remeasured, **actor()))


@api.get("/v1/evidence/unverified")
@endpoint("admin", "inspector", returns=Page[QueuedEvidence], paged=True)
def unverified_evidence():
    """Unverified entries still standing, oldest first"""
    limit, offset = page_limit(), _offset()
    rows, total = services.unverified_queue(db.session(), limit=limit, offset=offset)
    items = [QueuedEvidence.of(entry, facility_name=facility.name) for entry, facility in rows]
    more = offset + len(rows) < total
    return {"items": items, "total": total, "next": _cursor(offset + len(rows)) if more else None}


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset() -> int:
    raw = request.args.get("cursor")
    if not raw:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(raw.encode()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        raise bad_cursor() from None
    # An offset this API gave out is a row count: digits, and never past the id range.
    if kind != "offset" or not re.fullmatch(r"[0-9]{1,10}", value) or int(value) > MAX_ID:
        raise bad_cursor()
    return int(value)
