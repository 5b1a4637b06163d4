"""Amendments over the API: the shipper proposes changes to an approved permit; inspectors
approve or deny the ones left under review."""
from __future__ import annotations

from contextlib import contextmanager

from sqlmodel import select

from permits.accounts.auth import api_user
from permits.api.blueprint import api
from permits.api.endpoint import endpoint
from permits.api.shapes import Page
from permits.core import db
from permits.permitting import amendments as service
from permits.permitting import services as permit_service
from permits.permitting.api_shapes import AmendmentPublic, AmendmentRequest, Reason
from permits.permitting.decision_models import Amendment, Decision
from standards import clock
from standards.errors import BadInput

_DECIDED = {"returns": AmendmentPublic, "errors": (400, 404, 409)}


def _public(amendment: Amendment) -> AmendmentPublic:
    return AmendmentPublic.of(amendment, service.latest_decision(db.session(), amendment.id))


@contextmanager
def _changes_named_as_sent():
    """The rules name a field as an application does (`quantity_tonnes`); this body nests the
    fields under `changes`, so an error names `changes.quantity_tonnes`."""
    try:
        yield
    except BadInput as exc:  # not a 409: its fields name the permit's state
        exc.fields = {name if name in ("changes", "reason") or name.startswith("changes.")
                      else f"changes.{name}": messages for name, messages in exc.fields.items()}
        raise


@api.post("/v1/permits/<int:permit_id>/amendments")
@endpoint("shipper", status=201, body=AmendmentRequest, **_DECIDED)
def propose_amendment(permit_id: int, body: AmendmentRequest):
    """Propose changes to an approved permit; decided before they apply"""
    with _changes_named_as_sent():
        amendment, _ = service.propose(db.session(), actor=api_user(), permit_id=permit_id,
                                       changes=body.given().get("changes"), reason=body.reason,
                                       today=clock.today())
    return _public(amendment)


@api.get("/v1/permits/<int:permit_id>/amendments")
@endpoint(returns=Page[AmendmentPublic])
def list_amendments(permit_id: int):
    """The permit's amendments, newest first"""
    session = db.session()
    permit = permit_service.get_permit(session, permit_id=permit_id, actor=api_user())
    latest: dict[int, Decision] = {}
    for decision in session.exec(select(Decision).where(Decision.permit_id == permit.id,
                                                        Decision.amendment_id.is_not(None))
                                 .order_by(Decision.id)):
        latest[decision.amendment_id] = decision
    items = [AmendmentPublic.of(a, latest.get(a.id)) for a in service.of_permit(session, permit.id)]
    return {"items": items, "total": len(items), "next": None}


@api.post("/v1/amendments/<int:amendment_id>/approve")
@endpoint("inspector", "admin", **_DECIDED)
def approve_amendment(amendment_id: int):
    """Approve an amendment under review (every check must meet)"""
    session = db.session()
    service.approve(session, actor=api_user(), amendment_id=amendment_id, today=clock.today())
    return _public(service.get_amendment(session, amendment_id=amendment_id, actor=None)[0])


@api.post("/v1/amendments/<int:amendment_id>/deny")
@endpoint("inspector", "admin", body=Reason, **_DECIDED)
def deny_amendment(amendment_id: int, body: Reason):
    """Deny an amendment under review"""
    session = db.session()
    service.deny(session, actor=api_user(), amendment_id=amendment_id, reason=body.reason,
                 today=clock.today())
    return _public(service.get_amendment(session, amendment_id=amendment_id, actor=None)[0])
