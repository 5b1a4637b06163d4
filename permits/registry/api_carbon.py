"""Carbon over the API: the methods, a facility's reports, reporting one by a method with its
activity data, and an inspector's verification or rejection (as evidence is ruled on)."""
from __future__ import annotations

from facility_registry import carbon, services
from facility_registry.carbon_methods import METHODS, PROCESSES
from permits.api.blueprint import api
from permits.api.endpoint import endpoint
from permits.api.shapes import Page
from permits.core import db
from permits.registry.api_shapes import (
    CarbonCreate,
    CarbonMethodPublic,
    CarbonPublic,
    EvidenceRejection,
    actor,
    require_own_facility,
)


def _public(report) -> dict:
    return {**CarbonPublic.model_validate(report).model_dump(), "status": report.status}


@api.get("/v1/carbon/methods")
@endpoint(returns=Page[CarbonMethodPublic])
def carbon_methods():
    """The methods a facility may report its emissions by, the processes each fits and its activity data"""
    items = [{"code": m.code, "title": m.title, "citation": m.citation,
              "processes": [p for p in PROCESSES if p in m.fits],
              "activity_lists": list(m.lists)} for m in METHODS.values()]
    return {"items": items, "total": len(items), "next": None}


@api.get("/v1/facilities/<int:facility_id>/carbon")
@endpoint(returns=Page[CarbonPublic])
def list_carbon(facility_id: int):
    """Every carbon report of a facility, newest year first, each verified, unverified or rejected"""
    session = db.session()
    services.get_facility(session, facility_id)
    items = [_public(r) for r in carbon.reports_of(session, facility_id)]
    return {"items": items, "total": len(items), "next": None}


@api.post("/v1/facilities/<int:facility_id>/carbon")
@endpoint("admin", "inspector", "facility", status=201, body=CarbonCreate, returns=CarbonPublic,
          errors=(404, 409))
def report_carbon(facility_id: int, body: CarbonCreate):
    """Report a year's emissions by a named method with its activity data (totals and intensities are computed; a facility's own report stays unverified until an inspector verifies it)"""
    require_own_facility(facility_id)
    return _public(services.record_carbon(db.session(), facility_id=facility_id, **actor(),
                                          **body.given()))


@api.post("/v1/carbon/<int:report_id>/verify")
@endpoint("admin", "inspector", returns=CarbonPublic, errors=(404, 409))
def verify_carbon(report_id: int):
    """Verify a carbon report (inspector, admin): its figures then count in the comparisons"""
    return _public(services.verify_carbon(db.session(), report_id=report_id, **actor()))


@api.post("/v1/carbon/<int:report_id>/reject")
@endpoint("admin", "inspector", body=EvidenceRejection, returns=CarbonPublic, errors=(404, 409))
def reject_carbon(report_id: int, body: EvidenceRejection):
    """Reject an unverified carbon report with a reason: it no longer counts, and its year may be reported again"""
    return _public(services.reject_carbon(db.session(), report_id=report_id, reason=body.reason,
                                          **actor()))
