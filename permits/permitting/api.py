"""Permits over the API: apply (or save a draft), read, list, submit, withdraw, and the
inspector's review: approve, deny, re-evaluate, request evidence, revoke."""
from __future__ import annotations

from flask import current_app
from sqlmodel import select

from permits.accounts.auth import api_user
from permits.api.blueprint import api
from permits.api.common import json_answer, paginate
from permits.api.endpoint import Later, endpoint
from permits.api.shapes import Page, dump
from permits.consents.shapes import standing_consents
from permits.core import db
from permits.permitting import decision_answers, decisions, permit_answers
from permits.permitting import services as service
from permits.permitting.api_shapes import (
    DecisionPublic,
    EvidenceRequestBody,
    EvidenceRequestPublic,
    OptionalReason,
    PermitApplication,
    PermitChanges,
    PermitFilter,
    PermitListItem,
    PermitPublic,
    Reason,
    RequestFilter,
)
from permits.permitting.decision_models import EvidenceRequest
from permits.permitting.models import Permit
from permits.permitting.rules import Terms
from standards import clock
from standards.vocabulary import OVERSEERS

# Every state change answers the permit; the services add 404 (not yours) and 409 (its state).
_ACTION = {"returns": PermitPublic, "errors": (400, 404, 409)}


def _notice_days() -> int:
    return int(current_app.config.get("PARITY_MIN_NOTICE_DAYS", 0))


def _full(permit: Permit) -> PermitPublic:
    return PermitPublic.of(permit, decisions.current_decision(db.session(), permit.id))


@api.post("/v1/permits")
@endpoint("shipper", status=201, body=PermitApplication, returns=PermitPublic)
def apply_for_permit(body: PermitApplication):
    """Apply for a permit (decided at once), or save a draft"""
    session, user = db.session(), api_user()
    fields = {name: value for name, value in body.given().items() if name != "draft"}
    if body.draft:
        return PermitPublic.of(service.save_draft(session, actor=user, body=fields, today=clock.today()), None)
    with db.read_session() as reader:  # checked and decided before the writer lock
        permit, decision = service.apply(session, actor=user, body=fields, today=clock.today(),
                                         min_notice_days=_notice_days(), reader=reader)
    # Shaped after the commit, from what the transaction read and wrote: the record was hashed
    # from these very values a moment ago, so it verifies by construction.
    return Later(PermitPublic.of, permit, decision, standing_consents(permit), verified=True)


@api.get("/v1/permits")
@endpoint(query=PermitFilter, returns=Page[PermitListItem], paged=True)
def list_permits(query: PermitFilter):
    """Permits the caller may see, newest first"""
    statement = select(Permit).where(service.visible_to(api_user()))
    if query.status:
        statement = statement.where(Permit.status == query.status)
    page = paginate(statement, Permit.id, lambda permit: permit)
    standing = decisions.current_decisions(db.session(), [p.id for p in page["items"]])
    page["items"] = [PermitListItem.of(p, standing.get(p.id)) for p in page["items"]]
    return page


@api.get("/v1/permits/<int:permit_id>")
@endpoint(returns=PermitPublic)
def get_permit(permit_id: int):
    """One permit with its standing decision"""
    session, user = db.session(), api_user()
    # Plain rows and the decision's JSON kept per stored record (`permit_answers`); a permit on
    # hold the long way, through the shape.
    answer = permit_answers.permit_answer(session, permit_id=permit_id, actor=user)
    if answer is None:
        permit = service.get_permit(session, permit_id=permit_id, actor=user)
        answer = dump(PermitPublic, PermitPublic.of(permit, None))
        answer["decision"] = decision_answers.standing_answer(session, permit.id)
    return json_answer(answer)


@api.patch("/v1/permits/<int:permit_id>")
@endpoint("shipper", body=PermitChanges, returns=PermitPublic, errors=(409,))
def update_draft(permit_id: int, body: PermitChanges):
    """Change fields of a draft (null clears a field)"""
    session, user = db.session(), api_user()
    permit = service.get_permit(session, permit_id=permit_id, actor=user)
    fields = {**Terms.of(permit).to_body(), **body.given()}
    return PermitPublic.of(service.save_draft(session, actor=user, body=fields, today=clock.today(),
                                              permit_id=permit_id), None)


@api.post("/v1/permits/<int:permit_id>/submit")
@endpoint("shipper", **_ACTION)
def submit_permit(permit_id: int):
    """Submit a draft: it is decided at once"""
    permit, decision = service.submit(db.session(), actor=api_user(), permit_id=permit_id,
                                      today=clock.today(), min_notice_days=_notice_days())
    return PermitPublic.of(permit, decision)


@api.post("/v1/permits/<int:permit_id>/withdraw")
@endpoint("shipper", body=OptionalReason, body_required=False, **_ACTION)
def withdraw_permit(permit_id: int, body: OptionalReason):
    """Withdraw an application or permit (its shipper)"""
    return _full(service.withdraw(db.session(), actor=api_user(), permit_id=permit_id,
                                  reason=body.reason))


@api.post("/v1/permits/<int:permit_id>/revoke")
@endpoint(*OVERSEERS, body=Reason, **_ACTION)
def revoke_permit(permit_id: int, body: Reason):
    """Revoke a permit (inspector, admin)"""
    return _full(service.revoke(db.session(), actor=api_user(), permit_id=permit_id,
                                reason=body.reason))


@api.post("/v1/permits/<int:permit_id>/approve")
@endpoint(*OVERSEERS, **_ACTION)
def approve_permit(permit_id: int):
    """Approve an application under review: refused (409 checks_not_met) unless every check meets"""
    permit, decision = service.approve(db.session(), actor=api_user(), permit_id=permit_id,
                                       today=clock.today())
    return PermitPublic.of(permit, decision)


@api.post("/v1/permits/<int:permit_id>/deny")
@endpoint(*OVERSEERS, body=Reason, **_ACTION)
def deny_permit(permit_id: int, body: Reason):
    """Deny an application under review"""
    permit, decision = service.deny(db.session(), actor=api_user(), permit_id=permit_id,
                                    reason=body.reason, today=clock.today())
    return PermitPublic.of(permit, decision)


@api.post("/v1/permits/<int:permit_id>/re-evaluate")
@endpoint(*OVERSEERS, **_ACTION)
def re_evaluate_permit(permit_id: int):
    """Decide an application under review again on today's evidence"""
    permit, decision = service.re_evaluate(db.session(), actor=api_user(), permit_id=permit_id,
                                           today=clock.today())
    return PermitPublic.of(permit, decision)


@api.get("/v1/permits/<int:permit_id>/decisions")
@endpoint(returns=Page[DecisionPublic])
def permit_decisions(permit_id: int):
    """Every decision on the permit, newest first, each with its record hash"""
    session = db.session()
    permit = service.get_permit(session, permit_id=permit_id, actor=api_user())
    items = [DecisionPublic.of(d) for d in reversed(decisions.history(session, permit.id))]
    return {"items": items, "total": len(items), "next": None}


@api.post("/v1/permits/<int:permit_id>/evidence-requests")
@endpoint(*OVERSEERS, status=201, body=EvidenceRequestBody, returns=EvidenceRequestPublic,
          errors=(404, 409))
def request_evidence(permit_id: int, body: EvidenceRequestBody):
    """Ask the receiving facility for evidence (inspector, admin)"""
    created = service.request_evidence(db.session(), actor=api_user(), permit_id=permit_id,
                                       message=body.message, standard=body.standard)
    return EvidenceRequestPublic.of(created)


@api.get("/v1/evidence-requests")
@endpoint("inspector", "admin", "facility", query=RequestFilter, returns=Page[EvidenceRequestPublic],
          paged=True)
def list_evidence_requests(query: RequestFilter):
    """Evidence requests (a facility user sees its facility's)"""
    user = api_user()
    statement = select(EvidenceRequest)
    if user.role == "facility":
        statement = statement.where(EvidenceRequest.facility_id == user.facility_id)
    if query.status:
        statement = statement.where(EvidenceRequest.status == query.status)
    return paginate(statement, EvidenceRequest.id, EvidenceRequestPublic.of)
