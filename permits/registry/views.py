"""The registry's pages: facility list, facility page, facility forms, status, the finder.

Evidence, inspections and the verification queue are in `record_views`, on the same blueprint.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import select

from facility_registry import services
from facility_registry.eligibility import find_facilities
from facility_registry.facilities import facility_record
from facility_registry.models import FACILITY_STATUSES, Facility
from facility_registry.reference import load_reference
from permits.accounts.auth import guard, public
from permits.core import db
from permits.registry import facility_page
from permits.registry.blueprint import PAGE_SIZE, actor, bp, may_see, page_number
from permits.registry.forms import FacilityForm, ReasonForm, apply_errors
from permits.web.labels import byproduct_label, data_text, operation_label, process_label
from permits.web.outcome import commit_or_flash
from standards import codes
from standards.clock import utcnow
from standards.errors import DomainError
from standards.processes import process_codes
from standards.vocabulary import COUNTRIES, OVERSEERS, REGISTRY_READERS

TRANSITIONS = {"suspend": services.suspend_facility, "reinstate": services.reinstate_facility,
               "revoke": services.revoke_facility}


@bp.get("/facilities")
@public  # the register of receiving facilities is public, as the API's public register is
def facilities():
    session = db.session()
    filters = {k: (request.args.get(k) or "").strip() for k in ("country", "status", "eligible_for", "q")}
    statement = select(Facility)
    if filters["country"] in COUNTRIES:
        statement = statement.where(Facility.country == filters["country"])
    if filters["status"] in FACILITY_STATUSES:
        statement = statement.where(Facility.status == filters["status"])
    if filters["q"]:
        statement = statement.where(func.lower(Facility.name).contains(filters["q"].lower()))
    if filters["eligible_for"]:
        found = find_facilities(session, byproduct=filters["eligible_for"], operation=None,
                                on=utcnow().date(), country=filters["country"] or None)
        statement = statement.where(Facility.id.in_([row.id for row, _ in found.eligible]))
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    page = page_number()
    rows = session.exec(statement.order_by(Facility.name, Facility.id)
                        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return render_template("registry/facilities.html", facilities=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), filters=filters,
                           countries=COUNTRIES, statuses=FACILITY_STATUSES,
                           byproducts=sorted(load_reference(session).byproducts))


@bp.get("/my-facility")
@guard("facility")
def my_facility():
    if current_user.facility_id is None:
        abort(404)
    return redirect(url_for("registry.facility", facility_id=current_user.facility_id))


@bp.get("/facilities/<int:facility_id>")
@guard(*REGISTRY_READERS, "facility")
def facility(facility_id: int):
    may_see(facility_id)
    session = db.session()
    found = services.get_facility(session, facility_id)
    page = facility_page.build(session, found, byproduct=request.args.get("byproduct"),
                               on=utcnow().date())
    return render_template("registry/facility.html", page=page, reason_form=ReasonForm())


@bp.route("/facilities/new", methods=["GET", "POST"])
@guard(*OVERSEERS)
def new_facility():
    form = _facility_form(db.session())
    if form.validate_on_submit():
        try:
            created = services.create_facility(db.session(), **actor(), **form.values())
        except DomainError as exc:
            db.session().rollback()
            _show_errors(form, exc)
        else:
            db.session().commit()
            flash(_("Facility registered."), "success")
            return redirect(url_for("registry.facility", facility_id=created.id))
    return render_template("registry/facility_form.html", form=form, facility=None), \
        (422 if form.errors else 200)


@bp.route("/facilities/<int:facility_id>/edit", methods=["GET", "POST"])
@guard(*OVERSEERS)
def edit_facility(facility_id: int):
    session = db.session()
    existing = services.get_facility(session, facility_id)
    form = _facility_form(session)
    if request.method == "GET":
        record = facility_record(existing)
        for name, value in record.items():
            if name in form and name != "submit":
                form[name].data = value
    if form.validate_on_submit():
        try:
            services.update_facility(session, facility_id=facility_id, **actor(), **form.values())
        except DomainError as exc:
            session.rollback()
            _show_errors(form, exc)
        else:
            session.commit()
            flash(_("Facility updated."), "success")
            return redirect(url_for("registry.facility", facility_id=facility_id))
    return render_template("registry/facility_form.html", form=form, facility=existing), \
        (422 if form.errors else 200)


def _facility_form(session) -> FacilityForm:
    """The facility form with its pick-lists: the catalogue's byproducts and operations."""
    form = FacilityForm()
    reference = load_reference(session)
    form.accepts.choices = [(b, byproduct_label(b)) for b in sorted(reference.byproducts)]
    form.operations.choices = [(code, operation_label(code))
                               for code in sorted(reference.operation_codes, key=_operation_order)]
    form.processes.choices = [(code, process_label(code)) for code in process_codes()]
    return form


def _show_errors(form, exc: DomainError) -> None:
    for message in apply_errors(form, exc.fields):
        flash(message, "error")
    if not exc.fields:
        flash(exc.message, "error")


@bp.post("/facilities/<int:facility_id>/status/<action>")
@guard(*OVERSEERS)
def change_status(facility_id: int, action: str):
    if action not in TRANSITIONS:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    commit_or_flash(lambda session: TRANSITIONS[action](
        session, facility_id=facility_id, reason=form.reason.data, **actor()),
        _("The facility's status was changed."))
    return redirect(url_for("registry.facility", facility_id=facility_id))


@bp.get("/finder")
@public  # which facilities meet the U.S. standards today is public information
def finder():
    """Where can I ship? A byproduct and an operation in, eligible facilities out, and why the
    others are not."""
    session = db.session()
    reference = load_reference(session)
    asked = {k: (request.args.get(k) or "").strip() for k in ("byproduct", "operation", "country")}
    result, errors = None, {}
    if asked["byproduct"] or asked["operation"]:
        if asked["byproduct"] not in reference.byproducts:
            errors["byproduct"] = _("Choose a byproduct.")
        if asked["operation"] not in reference.operation_codes:
            errors["operation"] = _("Choose an operation code.")
        if not errors:
            result = find_facilities(session, byproduct=asked["byproduct"],
                                     operation=asked["operation"], on=utcnow().date(),
                                     country=asked["country"] if asked["country"] in COUNTRIES else None)
    page = page_number()
    window = slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)  # both lists page together
    eligible = result.eligible[window] if result else []
    others = result.ineligible[window] if result else []
    longest = max(len(result.eligible), len(result.ineligible)) if result else 0
    pages = max(1, -(-longest // PAGE_SIZE))
    return render_template("registry/finder.html", asked=asked, result=result, others=others,
                           eligible=eligible,
                           page=page, pages=pages, errors=errors, countries=COUNTRIES,
                           byproducts=sorted(reference.byproducts),
                           operations=sorted(reference.operation_codes, key=_operation_order),
                           operation_names={op.code: data_text(op.description)
                                            for op in codes.operation_codes(session)}), \
        (422 if errors else 200)


def _operation_order(code: str) -> tuple[str, int]:
    return code[0], int(code[1:]) if code[1:].isdigit() else 0
