"""Inspections and enforcement cases over the API (inspectors), and the public register."""
from __future__ import annotations

import base64
import binascii

from sqlmodel import select

from facility_registry import services
from facility_registry.inspections import attachments_of, cases_of, findings_of, inspections_of
from facility_registry.models import EnforcementCase, Facility, Inspection
from permits.api.blueprint import api
from permits.api.common import paginate
from permits.api.endpoint import endpoint
from permits.api.shapes import Page
from permits.core import db
from permits.registry.api_shapes import (
    Attachment,
    CaseNotice,
    CasePublic,
    InspectionCreate,
    InspectionList,
    InspectionPublic,
    PublicFacility,
    actor,
)
from standards.errors import WrongType
from standards.messages import N_, Message


def uploads(raw: list[Attachment] | None) -> list[services.Upload]:
    uploads = []
    for i, item in enumerate(raw or []):
        try:
            content = base64.b64decode(item.content_base64 or "", validate=True)
        except (binascii.Error, ValueError):
            field = f"attachments[{i}].content_base64"
            raise WrongType(Message.of("upload.not_base64", N_("%(field)s is not base64."), field=field),
                            {field: [Message.of("consent.base64", N_("is not base64"))]}) from None
        uploads.append(services.Upload(item.filename or "", item.content_type or "", content))
    return uploads


@api.post("/v1/facilities/<int:facility_id>/inspections")
@endpoint("inspector", status=201, body=InspectionCreate, returns=InspectionPublic, errors=(404, 409))
def record_inspection(facility_id: int, body: InspectionCreate):
    """Record an inspection; a violation suspends the facility at once"""
    given = body.given()
    inspection = services.record_inspection(
        db.session(), facility_id=facility_id, inspected_on=body.inspected_on, outcome=body.outcome,
        findings=given.get("findings"), summary=body.summary or "",
        attachments=uploads(body.attachments), **actor())
    return _inspection(db.session(), inspection)


@api.get("/v1/facilities/<int:facility_id>/inspections")
@endpoint(returns=InspectionList)
def list_inspections(facility_id: int):
    """A facility's inspections and enforcement cases"""
    session = db.session()
    services.get_facility(session, facility_id)
    items = [_inspection(session, i) for i in inspections_of(session, facility_id)]
    return {"items": items, "total": len(items), "next": None, "cases": cases_of(session, facility_id)}


def _inspection(session, inspection: Inspection) -> InspectionPublic:
    findings = findings_of(session, [inspection.id])[inspection.id]
    attachments = attachments_of(session, [inspection.id])[inspection.id]
    return InspectionPublic.model_validate({
        "id": inspection.id, "facility_id": inspection.facility_id,
        "inspected_on": inspection.inspected_on, "outcome": inspection.outcome,
        "summary": inspection.summary,
        "findings": [{"standard": f.standard_code, "value": f.value_entered, "unit": f.unit_entered,
                      "basis": f.basis, "evidence_id": f.evidence_id} for f in findings],
        "attachments": [{"id": a[0], "filename": a[1], "content_type": a[2], "size": a[3]}
                        for a in attachments],
    })


@api.post("/v1/enforcement-cases/<int:case_id>/notify")
@endpoint("admin", "inspector", body=CaseNotice, returns=CasePublic, errors=(404, 409))
def notify_case(case_id: int, body: CaseNotice):
    """Record the day the facility was notified of its case"""
    return services.notify_case(db.session(), case_id=case_id, notified_on=body.notified_on, **actor())


# --- the public register: statuses, inspection outcomes and case dates, no personal data ---

@api.get("/v1/public/facilities")
@endpoint(is_public=True, returns=Page[PublicFacility], paged=True)
def public_facilities():
    """The public register: statuses, inspection outcomes, enforcement case dates"""
    session = db.session()
    page = paginate(select(Facility), Facility.id, lambda f: f)
    facilities = page["items"]
    ids = [f.id for f in facilities]
    outcomes: dict[int, list] = {i: [] for i in ids}
    cases: dict[int, list] = {i: [] for i in ids}
    if ids:
        for row in session.exec(select(Inspection.facility_id, Inspection.inspected_on, Inspection.outcome)
                                .where(Inspection.facility_id.in_(ids))
                                .order_by(Inspection.inspected_on.desc())):
            outcomes[row[0]].append({"inspected_on": row[1], "outcome": row[2]})
        for case in session.exec(select(EnforcementCase).where(EnforcementCase.facility_id.in_(ids))
                                 .order_by(EnforcementCase.opened_on.desc())):
            cases[case.facility_id].append(case)
    page["items"] = [{"id": f.id, "name": f.name, "country": f.country, "status": f.status,
                      "status_changed_at": f.status_changed_at, "inspections": outcomes[f.id],
                      "enforcement_cases": cases[f.id]} for f in facilities]
    return page
