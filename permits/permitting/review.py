"""The inspectors' pages: the queue of applications and amendments under review and the
actions on them (approve, deny, re-evaluate, request evidence, revoke); and the evidence
requests a receiving facility sees."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from facility_registry.models import Facility
from permits.accounts.auth import guard
from permits.accounts.forms import ConfirmForm
from permits.core import db
from permits.permitting import amendments, decisions
from permits.permitting import services as service
from permits.permitting.decision_models import Amendment, EvidenceRequest
from permits.permitting.decision_view import standard_titles
from permits.permitting.forms import EvidenceRequestForm, ReasonForm
from permits.permitting.models import Permit
from permits.web.outcome import commit_or_flash
from standards import clock
from standards.vocabulary import OVERSEERS

bp = Blueprint("review", __name__, url_prefix="/review")



@bp.get("/")
@guard(*OVERSEERS)
def queue():
    """Oldest first: the application waiting longest is the next to look at."""
    session = db.session()
    rows = session.exec(
        select(Permit, Facility).join(Facility, Facility.id == Permit.receiving_facility_id)
        .where(Permit.status == "under_review").order_by(Permit.submitted_at, Permit.id)).all()
    pending = session.exec(
        select(Amendment, Permit).join(Permit, Permit.id == Amendment.permit_id)
        .where(Amendment.status == "under_review").order_by(Amendment.id)).all()
    open_requests = {r.permit_id for r in session.exec(
        select(EvidenceRequest).where(EvidenceRequest.status == "open"))}
    standing = decisions.current_decisions(session, [p.id for p, _f in rows])
    held = session.exec(
        select(Permit, Facility).join(Facility, Facility.id == Permit.receiving_facility_id)
        .where(Permit.status == "on_hold").order_by(Permit.hold_since, Permit.id)).all()
    return render_template("permitting/review/queue.html", rows=rows, pending=pending,
                           open_requests=open_requests, held=held,
                           checks={pid: d.checks for pid, d in standing.items()})


def _act(permit_id: int, run, done: str, form=None):
    """Run one service call for the inspector, commit, and go back to the permit page."""
    form = form or ConfirmForm()
    if form.validate_on_submit():
        commit_or_flash(lambda session: run(session, form), done)
    return redirect(url_for("permits.show", permit_id=permit_id))


@bp.post("/permits/<int:permit_id>/approve")
@guard(*OVERSEERS)
def approve(permit_id: int):
    return _act(permit_id, lambda s, f: service.approve(
        s, actor=current_user, permit_id=permit_id, today=clock.today()), _("Approved."))


@bp.post("/permits/<int:permit_id>/deny")
@guard(*OVERSEERS)
def deny(permit_id: int):
    return _act(permit_id, lambda s, f: service.deny(
        s, actor=current_user, permit_id=permit_id, reason=f.reason.data, today=clock.today()),
        _("Denied."), ReasonForm())


@bp.post("/permits/<int:permit_id>/re-evaluate")
@guard(*OVERSEERS)
def re_evaluate(permit_id: int):
    return _act(permit_id, lambda s, f: service.re_evaluate(
        s, actor=current_user, permit_id=permit_id, today=clock.today()),
        _("Decided again on today's evidence."))


@bp.post("/permits/<int:permit_id>/request-evidence")
@guard(*OVERSEERS)
def request_evidence(permit_id: int):
    form = EvidenceRequestForm()  # the standard is checked by the service
    return _act(permit_id, lambda s, f: service.request_evidence(
        s, actor=current_user, permit_id=permit_id, message=f.message.data,
        standard=f.standard.data or None), _("The facility has been asked for evidence."), form)


@bp.post("/permits/<int:permit_id>/revoke")
@guard(*OVERSEERS)
def revoke(permit_id: int):
    return _act(permit_id, lambda s, f: service.revoke(
        s, actor=current_user, permit_id=permit_id, reason=f.reason.data),
        _("Revoked."), ReasonForm())


@bp.post("/amendments/<int:amendment_id>/approve")
@guard(*OVERSEERS)
def approve_amendment(amendment_id: int):
    permit_id = _permit_of(amendment_id)
    return _act(permit_id, lambda s, f: amendments.approve(
        s, actor=current_user, amendment_id=amendment_id, today=clock.today()),
        _("The amendment is approved and in effect."))


@bp.post("/amendments/<int:amendment_id>/deny")
@guard(*OVERSEERS)
def deny_amendment(amendment_id: int):
    permit_id = _permit_of(amendment_id)
    return _act(permit_id, lambda s, f: amendments.deny(
        s, actor=current_user, amendment_id=amendment_id, reason=f.reason.data, today=clock.today()),
        _("The amendment is denied."), ReasonForm())


def _permit_of(amendment_id: int) -> int:
    amendment, permit = amendments.get_amendment(db.session(), amendment_id=amendment_id,
                                                 actor=current_user)
    return permit.id


@bp.get("/evidence-requests")
@guard("facility", *OVERSEERS)
def evidence_requests():
    """A facility user sees the requests addressed to its facility; inspectors see all."""
    session = db.session()
    statement = select(EvidenceRequest, Permit).join(Permit, Permit.id == EvidenceRequest.permit_id)
    if current_user.role == "facility":
        statement = statement.where(EvidenceRequest.facility_id == current_user.facility_id)
    rows = session.exec(statement.order_by(EvidenceRequest.status != "open",
                                           EvidenceRequest.id.desc()).limit(200)).all()
    titles = standard_titles(session, [r.standard_code for r, _p in rows if r.standard_code])
    return render_template("permitting/review/requests.html", rows=rows, titles=titles)
