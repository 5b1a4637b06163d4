"""The shipper's pages: the permits list, the application form (drafts too), the permit page
with its checks, withdrawal, amendments, and the certificate."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import select
from wtforms.fields.choices import SelectChoice

from facility_registry.models import EnforcementCase, Facility
from permits.accounts.auth import guard
from permits.accounts.forms import ConfirmForm
from permits.accounts.models import Organization
from permits.consents.views import consents_panel
from permits.consents.waits import pending_countries
from permits.core import db
from permits.permitting import amendments, certificate, decisions, state
from permits.permitting import services as service
from permits.permitting.decision_models import EvidenceRequest
from permits.permitting.decision_view import (
    extra_reasons,
    has_certificate,
    outcome,
    standard_scopes,
    standard_titles,
    status_note,
)
from permits.permitting.errors import InvalidApplication
from permits.permitting.forms import (
    AmendmentForm,
    ApplicationForm,
    EvidenceRequestForm,
    ReasonForm,
    fill_terms,
    show_errors,
)
from permits.permitting.models import PERMIT_STATUSES, Permit
from permits.permitting.rules import Terms
from permits.shipments.models import Shipment
from permits.shipments.views import permit_panel
from permits.web.labels import (
    OPERATIONS,
    byproduct_label,
    country_label,
    data_text,
    operation_label,
    state_label,
    territory_names,
)
from permits.web.outcome import commit_or_flash
from permits.web.paging import page_number
from standards import clock, codes
from standards.vocabulary import BYPRODUCTS, COUNTRIES, ROLES

bp = Blueprint("permits", __name__, url_prefix="/permits")

PAGE_SIZE = 50


def _notice_days() -> int:
    return int(current_app.config.get("PARITY_MIN_NOTICE_DAYS", 0))


# --- the list ------------------------------------------------------------------------------------

@bp.get("/")
@guard(*ROLES)
def index():
    session = db.session()
    status = request.args.get("status", "")
    statement = select(Permit).where(service.visible_to(current_user))
    if status in PERMIT_STATUSES:
        statement = statement.where(Permit.status == status)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    page = page_number()
    rows = session.exec(statement.order_by(Permit.id.desc())
                        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    facility_names = _facility_names(session, {p.receiving_facility_id for p in rows})
    return render_template("permitting/list.html", permits=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), status=status,
                           statuses=PERMIT_STATUSES, facility_names=facility_names,
                           decisions=decisions.current_decisions(session, [p.id for p in rows]),
                           waiting=pending_countries(session, [p.id for p in rows]))


def _facility_names(session, ids) -> dict[int, str]:
    if not ids:
        return {}
    return {row.id: f"{row.name} ({row.country})" for row in session.exec(
        select(Facility.id, Facility.name, Facility.country).where(Facility.id.in_(list(ids))))}


# --- the application form -----------------------------------------------------------------------

def _choices(session, form) -> None:
    # Only active facilities can receive a load: a suspended one is not offered at all.
    facilities = session.exec(select(Facility.id, Facility.name, Facility.country)
                              .where(Facility.status == "active")
                              .order_by(Facility.name, Facility.id)).all()
    facility_choices = [SelectChoice(str(f.id), f"{f.name} ({country_label(f.country)})")
                        for f in facilities]
    operations = [SelectChoice(op.code, operation_label(op.code) if op.code in OPERATIONS
                               else f"{op.code} — {data_text(op.description)}")
                  for op in codes.operation_codes(session)]
    # No operation is preselected: the first in the list (R1, energy recovery) is rarely meant.
    form.receiving_facility_id.choices = [SelectChoice("", _("Choose a facility")), *facility_choices]
    form.operation_code.choices = [SelectChoice("", _("Choose an operation")), *operations]
    form.final_facility_id.choices = [SelectChoice("", "—"), *facility_choices]
    form.final_operation_code.choices = [SelectChoice("", "—"), *operations]
    names = territory_names()
    first = list(COUNTRIES)
    others = sorted((c for c in names if c not in first), key=lambda c: names[c])
    form.transit_countries.choices = [SelectChoice(c, country_label(c)) for c in first + others]
    if hasattr(form, "byproduct"):
        known = set(BYPRODUCTS)
        for row in codes.waste_codes(session):
            known.update(row.byproducts or [])
        form.byproduct.choices = [SelectChoice(b, byproduct_label(b)) for b in sorted(known)]
        form.waste_codes.choices = [
            SelectChoice(w.code, f"{w.code} — {data_text(w.description)[:70]}")
            for w in sorted(codes.waste_codes(session), key=lambda w: (w.system, w.code))]


@bp.route("/new", methods=["GET", "POST"])
@guard("shipper")
def new():
    session = db.session()
    form = ApplicationForm()
    _choices(session, form)
    if request.method == "GET":
        return render_template("permitting/form.html", form=form, permit=None)
    return _save_application(session, form, permit=None)


@bp.route("/<int:permit_id>/edit", methods=["GET", "POST"])
@guard("shipper")
def edit(permit_id: int):
    session = db.session()
    permit = service.get_permit(session, permit_id=permit_id, actor=current_user)
    if permit.status != "draft":
        flash(_("Only a draft can be edited; an approved permit is changed by an amendment."), "error")
        return redirect(url_for("permits.show", permit_id=permit.id))
    form = ApplicationForm()
    _choices(session, form)
    if request.method == "GET":
        form.fill(Terms.of(permit).to_body())
        return render_template("permitting/form.html", form=form, permit=permit)
    return _save_application(session, form, permit=permit)


def _save_application(session, form: ApplicationForm, *, permit: Permit | None):
    if not form.validate_on_submit():  # only the CSRF token: the rules are the service's
        return render_template("permitting/form.html", form=form, permit=permit), 400
    try:
        saved, outcome = _store(session, form.values(), draft=bool(form.save_draft.data),
                                permit_id=permit.id if permit is not None else None)
    except InvalidApplication as exc:
        session.rollback()
        return render_template("permitting/form.html", form=form, permit=permit,
                               unplaced=show_errors(form, exc.fields)), 422
    session.commit()
    if outcome is None:
        flash(_("Draft saved. You can come back to it from your permits list."), "info")
    else:
        flash(_outcome_message(outcome), "success" if outcome == "approved" else "info")
    return redirect(url_for("permits.show", permit_id=saved.id))


def _store(session, body: dict, *, draft: bool, permit_id: int | None) -> tuple[Permit, str | None]:
    """Save the draft, or apply: the permit and its outcome (None for a draft)."""
    if draft:
        return service.save_draft(session, actor=current_user, body=body, today=clock.today(),
                                  permit_id=permit_id), None
    if permit_id is None:
        with db.read_session() as reader:  # checked and decided before the writer lock
            permit, decision = service.apply(session, actor=current_user, body=body,
                                             today=clock.today(), min_notice_days=_notice_days(),
                                             reader=reader)
    else:  # the fields as edited, then the whole draft is checked and decided
        service.save_draft(session, actor=current_user, body=body, today=clock.today(),
                           permit_id=permit_id)
        permit, decision = service.submit(session, actor=current_user, permit_id=permit_id,
                                          today=clock.today(), min_notice_days=_notice_days())
    return permit, decision.outcome


def _outcome_message(outcome: str) -> str:
    return {"approved": _("Your application is approved."),
            "denied": _("Your application is denied; the reasons are listed below."),
            "under_review": _("Your application is under review: an inspector will look at the "
                              "checks that are not met yet.")}[outcome]


# --- the permit page -----------------------------------------------------------------------------

@bp.get("/<int:permit_id>")
@guard(*ROLES)
def show(permit_id: int):
    session = db.session()
    permit = service.get_permit(session, permit_id=permit_id, actor=current_user)
    return render_template("permitting/detail.html", **page_context(session, permit))


def page_context(session, permit: Permit) -> dict:
    """Everything the permit page shows, in a fixed number of queries whatever the checks."""
    history = decisions.history(session, permit.id)
    standing = next((d for d in reversed(history)
                     if d.amendment_id is None or d.outcome == "approved"), None)
    proposed = amendments.of_permit(session, permit.id)
    facility_ids = {permit.receiving_facility_id, permit.final_facility_id,
                    *_amended_facility_ids(proposed)}
    facilities = {f.id: f for f in session.exec(
        select(Facility).where(Facility.id.in_([i for i in facility_ids if i])))}
    requests = session.exec(select(EvidenceRequest).where(EvidenceRequest.permit_id == permit.id)
                            .order_by(EvidenceRequest.id.desc())).all()
    checks = standing.checks if standing else []
    titles = standard_titles(session, [c["standard"] for c in checks])
    request_form = EvidenceRequestForm()
    request_form.standard.choices = [SelectChoice("", _("Whatever is missing"))] + [
        SelectChoice(c["standard"], f"{titles.get(c['standard'], c['standard'])} "
                                    f"({state_label(c['verdict'])})")
        for c in checks if c["verdict"] != "meets"]
    in_transit = session.exec(select(func.count()).select_from(Shipment).where(
        Shipment.permit_id == permit.id, Shipment.status == "in_transit")).one()
    return {
        "outcome": outcome(permit, standing, titles=titles, in_transit=in_transit,
                           facility_names={i: f.name for i, f in facilities.items()},
                           hold_case=_hold_case(session, permit)),
        "certified": has_certificate(permit, history),
        "permit": permit, "decision": standing, "history": history, "amendments": proposed,
        "amendment_decisions": {d.amendment_id: d for d in history if d.amendment_id},
        "facilities": facilities, "requests": requests, "titles": titles,
        "scopes": standard_scopes(session, [*checks, *(permit.hold_checks or [])]),
        "status_note": status_note(permit, standing), "extra_reasons": extra_reasons(standing),
        "organization": session.get(Organization, permit.organization_id),
        "actions": state.allowed_actions(permit.status), "confirm": ConfirmForm(),
        "reason_form": ReasonForm(), "request_form": request_form,
        "verified": decisions.verify(standing) if standing else None,
        # Shipments exist only under a permit that was granted; a permit that cannot carry
        # any and never did has no shipments section at all.
        "shipments_panel": permit_panel(session, permit=permit, actor=current_user, today=clock.today())
        if permit.number and (permit.status == "approved" or permit.shipments_used)
        and current_user.role != "authority" else None,
        # The countries' consents, once approval has sent the notice.
        "consents_panel": consents_panel(session, permit=permit, actor=current_user, today=clock.today())
        if permit.number and permit.status not in ("under_review", "denied") else None,
    }


def _amended_facility_ids(proposed) -> set[int]:
    """The facilities an amendment names, so the page can show their names, not their ids."""
    ids = set()
    for amendment in proposed:
        for terms in (amendment.changes or {}, amendment.before or {}):
            for key in ("receiving_facility_id", "final_facility_id"):
                if isinstance(terms.get(key), int):
                    ids.add(terms[key])
    return ids


@bp.post("/<int:permit_id>/withdraw")
@guard("shipper")
def withdraw(permit_id: int):
    form = ReasonForm()
    if form.validate_on_submit():
        commit_or_flash(lambda session: service.withdraw(
            session, actor=current_user, permit_id=permit_id, reason=form.reason.data),
            _("The permit is withdrawn."), category="info")
    return redirect(url_for("permits.show", permit_id=permit_id))


@bp.route("/<int:permit_id>/amend", methods=["GET", "POST"])
@guard("shipper")
def amend(permit_id: int):
    session = db.session()
    permit = service.get_permit(session, permit_id=permit_id, actor=current_user)
    form = AmendmentForm()
    _choices(session, form)
    if request.method == "GET":
        fill_terms(form, Terms.of(permit).to_body())
        return render_template("permitting/amend.html", form=form, permit=permit)
    if not form.validate_on_submit():
        return render_template("permitting/amend.html", form=form, permit=permit), 400
    current = Terms.of(permit).to_record()
    changes = {k: v for k, v in form.values().items() if _differs(current.get(k), v)}
    if not changes:
        return render_template("permitting/amend.html", form=form, permit=permit, unplaced=[
            _("The amendment changes nothing: change at least one field.")]), 422
    try:
        amendment, decision = amendments.propose(session, actor=current_user, permit_id=permit.id,
                                                 changes=changes, reason=form.reason.data,
                                                 today=clock.today())
    except InvalidApplication as exc:
        session.rollback()
        unplaced = show_errors(form, exc.fields)
        return render_template("permitting/amend.html", form=form, permit=permit,
                               unplaced=unplaced), 422
    session.commit()
    flash(_("Amendment %(id)s is %(outcome)s.", id=amendment.id,
            outcome=state_label(decision.outcome)), "info")
    return redirect(url_for("permits.show", permit_id=permit.id))


def _differs(current, typed) -> bool:
    """Whether a typed value changes the stored one (the form sends everything as text)."""
    if isinstance(typed, str) and current is not None and not isinstance(current, str):
        try:
            return float(typed) != float(current)
        except ValueError:
            return True
    return (typed or None) != (current or None)


@bp.get("/<int:permit_id>/certificate.pdf")
@guard(*ROLES)
@db.reads_one_snapshot  # the live rows and the chain as of one moment: no false disagreement
def certificate_pdf(permit_id: int):
    session = db.session()
    permit = service.get_permit(session, permit_id=permit_id, actor=current_user)
    standing = decisions.current_decision(session, permit.id)
    if standing is None or not has_certificate(permit, decisions.history(session, permit.id)):
        flash(_("Only a permit that was approved has a certificate."), "error")
        return redirect(url_for("permits.show", permit_id=permit.id))
    pdf = certificate.render(session, permit, standing,
                             base_url=current_app.config["PARITY_PUBLIC_BASE_URL"])
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{permit.number}.pdf"'})


def _hold_case(session, permit) -> str | None:
    if permit.hold_case_id is None:
        return None
    case = session.get(EnforcementCase, permit.hold_case_id)
    return case.reference if case is not None else None
