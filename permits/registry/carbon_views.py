"""Carbon as pages: a facility (or an inspector) reports a year by a method, the form asking for
that method's activity data; an inspector verifies or rejects a report, as evidence is ruled on."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from facility_registry import carbon, services
from facility_registry.carbon_methods import METHODS, processes_of
from permits.accounts.auth import guard
from permits.core import db
from permits.registry.blueprint import actor, bp, may_see
from permits.registry.carbon_forms import CarbonForm
from permits.registry.forms import ReasonForm, RejectionForm, apply_errors
from permits.web.formats import decimal_text
from permits.web.labels import state_label
from permits.web.outcome import commit_or_flash
from standards.clock import utcnow
from standards.errors import DomainError
from standards.vocabulary import EVIDENCE_ROLES, OVERSEERS


@bp.route("/facilities/<int:facility_id>/carbon/new", methods=["GET", "POST"])
@guard(*EVIDENCE_ROLES)
def new_carbon(facility_id: int):
    may_see(facility_id)
    session = db.session()
    facility = services.get_facility(session, facility_id)
    own = processes_of(facility)
    fitting = [m for m in METHODS.values() if m.fits & set(own)]
    method = METHODS.get(request.values.get("method", ""))
    if method is None or method not in fitting:  # first the method, then its fields
        return render_template("registry/carbon_method.html", facility=facility, methods=fitting,
                               unknown=bool(request.values.get("method")))
    form = CarbonForm()
    form.set_choices(method.code, [(p, state_label(p)) for p in own if p in method.fits])
    if request.method == "GET" and not form.year.data:
        form.year.data = str(utcnow().date().year - 1)
    unplaced, refused = [], False
    if form.validate_on_submit():
        try:
            services.record_carbon(
                session, facility_id=facility.id, year=form.year.data, method=method.code,
                process=form.receiving_process.data or None, tonnes_received=_number(form.tonnes_received),
                tonnes_processed=_number(form.tonnes_processed),
                activity=form.activity(method.lists), **actor())
        except DomainError as exc:
            session.rollback()
            refused, unplaced = True, form.place_errors(exc.fields)
            if not exc.fields:
                flash(exc.message, "error")
        else:
            session.commit()
            flash(_("Carbon reported for %(year)s.", year=form.year.data), "success")
            return redirect(url_for("registry.facility", facility_id=facility.id) + "#carbon")
    return render_template("registry/carbon_form.html", facility=facility, method=method,
                           form=form, unplaced=unplaced), (422 if refused or form.errors else 200)


def _number(field):
    return decimal_text(field.data)


def _report(session, report_id: int):
    try:
        return carbon.get_report(session, report_id)
    except DomainError:
        abort(404)


@bp.post("/carbon/<int:report_id>/verify")
@guard(*OVERSEERS)
def verify_carbon(report_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    report = _report(db.session(), report_id)
    commit_or_flash(lambda session: services.verify_carbon(session, report_id=report.id, **actor()),
                    _("Carbon report %(id)s verified: it now counts in the comparisons.", id=report.id))
    return redirect(url_for("registry.facility", facility_id=report.facility_id) + "#carbon")


@bp.route("/carbon/<int:report_id>/reject", methods=["GET", "POST"])
@guard(*OVERSEERS)
def reject_carbon(report_id: int):
    session = db.session()
    report = _report(session, report_id)
    form = RejectionForm()
    form.reason.label.text = _("Why the report is rejected")
    form.submit.label.text = _("Reject the report")
    if form.validate_on_submit():
        try:
            services.reject_carbon(session, report_id=report.id, reason=form.reason.data, **actor())
        except DomainError as exc:
            session.rollback()
            if not apply_errors(form, exc.fields):
                flash(exc.message, "error")
        else:
            session.commit()
            flash(_("Carbon report %(id)s rejected: it no longer counts.", id=report.id), "success")
            return redirect(url_for("registry.facility", facility_id=report.facility_id) + "#carbon")
    return render_template("registry/carbon_reject.html", form=form, report=report,
                           method=METHODS.get(report.method)), (422 if form.errors else 200)
