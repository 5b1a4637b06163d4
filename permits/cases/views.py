"""The cases' pages: the public petition form, case list, case and facility pages (no sign-in,
no personal data), and the inspectors' desk where a case is carried stage by stage."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_
from sqlmodel import select

from facility_registry.inspections import Upload
from facility_registry.models import EnforcementCase, Facility
from permits.accounts.auth import guard, public
from permits.accounts.models import Organization
from permits.cases import deadlines, services
from permits.cases.errors import CaseError
from permits.cases.forms import (
    CloseForm,
    FindingsForm,
    HoldPermitsForm,
    InvestigationForm,
    PetitionForm,
    PlanForm,
    ScreeningForm,
)
from permits.cases.models import Petition, PetitionAttachment
from permits.cases.public import inspector_counts, public_cases
from permits.core import db
from permits.core.extensions import limiter
from permits.permitting.holds import held_by_case
from permits.permitting.models import Permit
from permits.registry.blueprint import actor
from permits.registry.forms import apply_errors, options
from permits.registry.record_views import download
from permits.web.outcome import commit_or_flash
from standards.clock import today
from standards.vocabulary import OVERSEERS

bp = Blueprint("cases", __name__)
PAGE_SIZE = 50
INSPECTORS = OVERSEERS


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


# --- public ----------------------------------------------------------------------------------

def _petition_limit() -> str:
    return current_app.config["PARITY_PETITION_RATE_LIMIT"]


@bp.route("/petitions/new", methods=["GET", "POST"])
@limiter.limit(_petition_limit, methods=["POST"],
               error_message="Too many petitions from this address; try again later.")
@public
def new_petition():
    session = db.session()
    form = PetitionForm()
    facilities = session.exec(select(Facility).order_by(Facility.country, Facility.name)).all()
    form.facility_id.choices = options([("", _("Choose the facility")),
                                        *((str(f.id), f"{f.name} ({f.country})") for f in facilities)])
    if request.method == "GET" and request.args.get("facility_id"):
        form.facility_id.data = request.args["facility_id"]
    unplaced: list[str] = []
    refused = False
    if form.validate_on_submit():
        try:
            case = services.file_petition(
                session, facility_id=form.facility_id.data, category=form.category.data,
                allegation=form.allegation.data, contact_email=form.contact_email.data or None,
                attachments=[Upload(f.filename or "", f.mimetype or "", f.read())
                             for f in request.files.getlist("attachments") if f and f.filename])
        except CaseError as exc:
            session.rollback()
            refused = True
            unplaced = apply_errors(form, exc.fields) or ([] if exc.fields else [exc.message])
        else:
            session.commit()
            flash(_("Petition received. Its reference is %(reference)s: keep it to follow the case here.",
                    reference=case.reference), "success")
            return redirect(url_for("cases.public_case", reference=case.reference))
    return render_template("cases/petition_form.html", form=form, unplaced=unplaced,
                           periods=deadlines.periods()), (422 if refused or form.errors else 200)


@bp.get("/cases")
@public
def public_list():
    session = db.session()
    page = _page()
    statement = select(EnforcementCase).order_by(EnforcementCase.opened_on.desc(), EnforcementCase.id.desc())
    rows = session.exec(statement.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    cases = public_cases(session, list(rows[:PAGE_SIZE]), today())
    return render_template("cases/public_list.html", cases=cases, page=page,
                           more=len(rows) > PAGE_SIZE, periods=deadlines.periods())


@bp.get("/cases/<reference>")
@public
def public_case(reference: str):
    session = db.session()
    case = session.exec(select(EnforcementCase).where(EnforcementCase.reference == reference)).first()
    if case is None:
        abort(404)
    return render_template("cases/public_case.html", case=public_cases(session, [case], today())[0],
                           periods={p.stage: p for p in deadlines.periods()})


@bp.get("/public/facilities/<int:facility_id>")
@public
def public_facility(facility_id: int):
    session = db.session()
    facility = session.get(Facility, facility_id) or abort(404)
    cases = session.exec(select(EnforcementCase).where(EnforcementCase.facility_id == facility_id)
                         .order_by(EnforcementCase.opened_on.desc(), EnforcementCase.id.desc())).all()
    return render_template("cases/public_facility.html", facility=facility,
                           cases=public_cases(session, list(cases), today()))


# --- the inspectors' desk --------------------------------------------------------------------

@bp.get("/cases/desk")
@guard(*INSPECTORS)
def desk():
    session = db.session()
    day = today()
    open_cases = session.exec(select(EnforcementCase).where(
        EnforcementCase.origin == "petition", EnforcementCase.resolved_on.is_(None))
        .order_by(EnforcementCase.opened_on, EnforcementCase.id)).all()
    shown = sorted(zip(open_cases, public_cases(session, list(open_cases), day), strict=True),
                   key=lambda pair: (not pair[1]["overdue"], pair[1]["opened_on"]))
    return render_template("cases/desk.html", cases=shown, counts=inspector_counts(session, day))


# The form each open stage shows, the service it calls and how its fields map to the service.
STEPS = {
    "screening": (ScreeningForm, services.screen, lambda f: {
        "decision": f.decision.data, "reasons": f.reasons.data}),
    "review_request": (InvestigationForm, services.investigate, lambda f: {
        "method": f.method.data, "country_agreed": f.country_agreed.data,
        "request": f.request.data or None}),
    "investigation": (FindingsForm, services.record_findings, lambda f: {
        "violation": f.violation.data, "summary": f.summary.data,
        "inspection_id": int(f.inspection_id.data) if (f.inspection_id.data or "").strip().isdigit()
        else (f.inspection_id.data or None)}),
    "remediation_plan": (PlanForm, services.plan_remediation, lambda f: {"actions": f.values()}),
    "remediation": (CloseForm, services.close_case, lambda f: {
        "outcome": f.outcome.data, "summary": f.summary.data}),
}


@bp.route("/cases/desk/<int:case_id>", methods=["GET", "POST"])
@guard(*INSPECTORS)
def desk_case(case_id: int):
    session = db.session()
    try:
        case = services.get_case(session, case_id)
    except CaseError:
        abort(404)
    step = STEPS.get(case.stage)
    form = step[0]() if step else None
    unplaced: list[str] = []
    refused = False
    if form is not None and form.validate_on_submit():
        try:
            step[1](session, case_id=case.id, **step[2](form), **actor())
        except CaseError as exc:
            session.rollback()
            refused = True
            unplaced = _place_errors(form, exc)
        else:
            session.commit()
            flash(_("Case %(reference)s updated.", reference=case.reference), "success")
            return redirect(url_for("cases.desk_case", case_id=case.id))
    petition = session.exec(select(Petition).where(Petition.case_id == case.id)).first()
    files = session.exec(select(PetitionAttachment).where(
        PetitionAttachment.petition_id == petition.id)).all() if petition else []
    failed = refused or bool(form is not None and form.errors)
    return render_template("cases/desk_case.html", case=public_cases(session, [case], today())[0],
                           case_id=case.id, facility_id=case.facility_id, petition=petition,
                           files=files, form=form, unplaced=unplaced,
                           held=[p for p in held_by_case(session, case.id) if p.status == "on_hold"],
                           hold_form=_hold_form(session, case)), (422 if failed else 200)


def _hold_form(session, case) -> HoldPermitsForm | None:
    if case.stage not in services.HOLDING_STAGES:
        return None
    form = HoldPermitsForm()
    shippers = session.exec(
        select(Organization).join(Permit, Permit.organization_id == Organization.id)
        .where(or_(Permit.receiving_facility_id == case.facility_id,
                   Permit.final_facility_id == case.facility_id),
               Permit.status.in_(("approved", "on_hold")), Permit.hold_case_id.is_(None))
        .distinct().order_by(Organization.name)).all()
    form.organization_id.choices = options([("", _("Every shipper")),
                                            *((str(o.id), o.name) for o in shippers)])
    return form


@bp.post("/cases/desk/<int:case_id>/hold")
@guard(*INSPECTORS)
def hold_permits(case_id: int):
    form = HoldPermitsForm()
    if not form.validate_on_submit():
        abort(400)
    raw = form.organization_id.data or ""
    commit_or_flash(lambda session: services.hold_permits(
        session, case_id=case_id, organization_id=int(raw) if raw.isdigit() else None, **actor()),
        lambda held: ngettext("%(num)s permit put on hold while the case is investigated.",
                              "%(num)s permits put on hold while the case is investigated.",
                              len(held)))
    return redirect(url_for("cases.desk_case", case_id=case_id))


def _place_errors(form, exc: CaseError) -> list[str]:
    """Each error beside its field; a plan's `actions[i].due_on` beside row i's date."""
    fields = {}
    for name, messages in exc.fields.items():
        index, _sep, sub = name.removeprefix("actions[").partition("].")
        if name.startswith("actions[") and index.isdigit() and isinstance(form, PlanForm):
            rows = [r for r in form.actions if (r.form.action.data or "").strip()
                    or (r.form.due_on.data or "").strip()]
            if int(index) < len(rows) and sub in rows[int(index)].form:
                target = rows[int(index)].form[sub]
                target.errors = [*list(target.errors or []), *messages]
                continue
        fields[name] = messages
    return apply_errors(form, fields) or ([] if exc.fields else [exc.message])


@bp.get("/cases/attachments/<int:attachment_id>")
@guard(*INSPECTORS)
def attachment(attachment_id: int):
    return download(db.session().get(PetitionAttachment, attachment_id) or abort(404))
