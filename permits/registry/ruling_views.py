"""An inspector's rulings on one entry, as pages: reject a self-reported entry with a reason,
or record that an exceedance was corrected (the action and the newer re-measurement). Each
re-checks the permits naming the facility (a hold may lift) in the same transaction."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlmodel import select

from facility_registry import services
from facility_registry.evidence import get_evidence
from facility_registry.models import Evidence
from permits.accounts.auth import guard
from permits.core import db
from permits.registry.blueprint import actor, bp
from permits.registry.forms import CorrectionForm, RejectionForm, apply_errors, options
from standards.errors import DomainError
from standards.vocabulary import OVERSEERS


def _entry(session, evidence_id: int):
    try:
        return get_evidence(session, evidence_id)
    except DomainError:
        abort(404)


def _done(entry, message: str):
    db.session().commit()
    flash(message, "success")
    return redirect(url_for("registry.facility", facility_id=entry.facility_id)
                    + f"#evidence-{entry.standard_code}")


@bp.route("/evidence/<int:evidence_id>/reject", methods=["GET", "POST"])
@guard(*OVERSEERS)
def reject(evidence_id: int):
    session = db.session()
    entry = _entry(session, evidence_id)
    form = RejectionForm()
    if form.validate_on_submit():
        try:
            services.reject_evidence(session, evidence_id=entry.id, reason=form.reason.data,
                                     **actor())
        except DomainError as exc:
            session.rollback()
            if not apply_errors(form, exc.fields):
                flash(exc.message, "error")
        else:
            return _done(entry, _("Entry %(id)s rejected: it no longer counts.", id=entry.id))
    return render_template("registry/ruling_form.html", form=form, entry=entry,
                           ruling="reject"), (422 if form.errors else 200)


@bp.route("/evidence/<int:evidence_id>/correct", methods=["GET", "POST"])
@guard(*OVERSEERS)
def correct(evidence_id: int):
    session = db.session()
    entry = _entry(session, evidence_id)
    form = CorrectionForm()
    later = session.exec(select(Evidence).where(
        Evidence.facility_id == entry.facility_id, Evidence.standard_code == entry.standard_code,
        Evidence.kind == "measurement", Evidence.observed_on > entry.observed_on,
        Evidence.rejected_at.is_(None), Evidence.corrected_at.is_(None))
        .order_by(Evidence.observed_on.desc(), Evidence.id.desc())).all()
    form.remeasurement_evidence_id.choices = options(
        [("", _("— choose the re-measurement"))]
        + [(str(e.id), f"#{e.id}: {e.value_entered} {e.unit_entered or ''} ({e.observed_on})")
           for e in later])
    if form.validate_on_submit():
        raw = form.remeasurement_evidence_id.data or ""
        try:
            services.correct_evidence(session, evidence_id=entry.id,
                                      corrective_action=form.corrective_action.data,
                                      remeasurement_evidence_id=int(raw) if raw.isdigit() else None,
                                      **actor())
        except DomainError as exc:
            session.rollback()
            if not apply_errors(form, exc.fields):
                flash(exc.message, "error")
        else:
            return _done(entry, _("Entry %(id)s recorded as corrected: it no longer counts.",
                                  id=entry.id))
    return render_template("registry/ruling_form.html", form=form, entry=entry, ruling="correct",
                           later=later), (422 if form.errors else 200)
