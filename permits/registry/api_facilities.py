"""Facilities over the API: register, edit, list, read, status, eligibility, finder."""
from __future__ import annotations

from contextlib import contextmanager

from sqlmodel import select

from facility_registry import carbon, services
from facility_registry.eligibility import check_facility, find_facilities
from facility_registry.models import Facility
from permits.api.blueprint import api
from permits.api.common import paginate
from permits.api.endpoint import endpoint
from permits.api.shapes import Page
from permits.core import db
from permits.registry.api_shapes import (
    Eligibility,
    EligibilityQuery,
    FacilityCreate,
    FacilityDetail,
    FacilityFilter,
    FacilityPublic,
    FacilityUpdate,
    Finder,
    FinderQuery,
    Identifiers,
    Reason,
    actor,
)
from standards.clock import utcnow
from standards.errors import BadInput

_STATE_CHANGE = {"body": Reason, "returns": FacilityPublic, "errors": (404, 409)}


@contextmanager
def _identifiers_named_as_sent():
    """The registry names an identifier as the form's flat field (`epa_id`); this body nests
    it under `identifiers`, so an error names it `identifiers.epa_id`, as a wrong type does."""
    try:
        yield
    except BadInput as exc:  # not a 409: its fields name the facility's state
        exc.fields = {f"identifiers.{name}" if name in Identifiers.model_fields else name: messages
                      for name, messages in exc.fields.items()}
        raise


@api.post("/v1/facilities")
@endpoint("admin", "inspector", status=201, body=FacilityCreate, returns=FacilityPublic, errors=(409,))
def create_facility(body: FacilityCreate):
    """Register a receiving facility (admin, inspector)"""
    with _identifiers_named_as_sent():
        return services.create_facility(db.session(), **actor(), **body.fields())


@api.patch("/v1/facilities/<int:facility_id>")
@endpoint("admin", "inspector", body=FacilityUpdate, returns=FacilityPublic, errors=(409,))
def update_facility(facility_id: int, body: FacilityUpdate):
    """Edit a facility's descriptive fields (admin, inspector)"""
    with _identifiers_named_as_sent():
        return services.update_facility(db.session(), facility_id=facility_id, **actor(),
                                        **body.fields())


@api.get("/v1/facilities")
@endpoint(query=FacilityFilter, returns=Page[FacilityPublic], paged=True)
def list_facilities(query: FacilityFilter):
    """Facilities, newest first"""
    statement = select(Facility)
    if query.country:
        statement = statement.where(Facility.country == query.country)
    if query.status:
        statement = statement.where(Facility.status == query.status)
    if query.eligible_for:
        found = find_facilities(db.session(), byproduct=query.eligible_for,
                                operation=query.operation, on=query.on or utcnow().date(),
                                country=query.country)
        statement = statement.where(Facility.id.in_([row.id for row, _ in found.eligible]))
    return paginate(statement, Facility.id, lambda facility: facility)


@api.get("/v1/facilities/<int:facility_id>")
@endpoint(returns=FacilityDetail)
def get_facility(facility_id: int):
    """One facility, with its carbon reports"""
    session = db.session()
    facility = services.get_facility(session, facility_id)
    return {**FacilityPublic.model_validate(facility).model_dump(),
            "carbon": carbon.reports_of(session, facility.id)}


@api.get("/v1/facilities/<int:facility_id>/eligibility")
@endpoint(query=EligibilityQuery, returns=Eligibility, errors=(400,))
def facility_eligibility(facility_id: int, query: EligibilityQuery):
    """May this facility receive this byproduct on this day, and why"""
    session = db.session()
    facility = services.get_facility(session, facility_id)
    on = query.on or utcnow().date()
    result = check_facility(session, facility, query.byproduct, on, operation=query.operation)
    return {"facility_id": facility.id, "byproduct": query.byproduct, "on": on, **result.to_dict()}


@api.get("/v1/finder")
@endpoint(query=FinderQuery, returns=Finder)
def finder(query: FinderQuery):
    """Where can I ship? Eligible facilities and why the others are not"""
    on = query.on or utcnow().date()
    found = find_facilities(db.session(), byproduct=query.byproduct, operation=query.operation,
                            on=on, country=query.country)
    return {
        "byproduct": query.byproduct, "operation": query.operation, "on": on,
        "eligible": {"total": len(found.eligible), "items": [
            {"facility": row} for row, _ in found.eligible[:query.limit]]},
        "ineligible": {"total": len(found.ineligible), "items": [
            {"facility": row, "reasons": [str(r) for r in reasons]} for row, reasons in found.ineligible[:query.limit]]},
    }


@api.post("/v1/facilities/<int:facility_id>/suspend")
@endpoint("admin", "inspector", **_STATE_CHANGE)
def suspend_facility(facility_id: int, body: Reason):
    """Suspend a facility"""
    return services.suspend_facility(db.session(), facility_id=facility_id, reason=body.reason, **actor())


@api.post("/v1/facilities/<int:facility_id>/reinstate")
@endpoint("admin", "inspector", **_STATE_CHANGE)
def reinstate_facility(facility_id: int, body: Reason):
    """Reinstate a suspended facility (needs a later compliant inspection)"""
    return services.reinstate_facility(db.session(), facility_id=facility_id, reason=body.reason, **actor())


@api.post("/v1/facilities/<int:facility_id>/revoke")
@endpoint("admin", "inspector", **_STATE_CHANGE)
def revoke_facility(facility_id: int, body: Reason):
    """Revoke a facility (final)"""
    return services.revoke_facility(db.session(), facility_id=facility_id, reason=body.reason, **actor())
