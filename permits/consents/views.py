"""The consent pages: the authority's queue (with the days left before a tacit consent), the
form a country's decision is recorded with, its revision, and the paper a decision came on.
The permit page shows each country's consent through `consents_panel`."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session, select
from wtforms.fields.choices import SelectChoice

from facility_registry.models import Facility
from permits.accounts.auth import guard
from permits.consents import gate, services
from permits.consents.forms import ConsentForm, RevisionForm
from permits.consents.models import STATUSES
from permits.core import db
from permits.permitting.errors import InvalidApplication
from permits.permitting.forms import show_errors
from permits.permitting.models import Permit
from permits.permitting.services import get_permit
from permits.web.labels import country_label
from standards import clock
from standards.errors import DomainError
from standards.vocabulary import CONSENT_READERS, CONSENT_RECORDERS

bp = Blueprint("consents", __name__, url_prefix="/consents")

FIELD_ORDER = ("country", "decision", "reference", "decided_on", "valid_to", "conditions",
               "reason", "document", "revision_reason")



def consents_panel(session: Session, *, permit: Permit, actor, today: date) -> dict[str, Any]:
    """What `consents/_permit_consents.html` shows on the permit page."""
    standing = gate.live_consents(session, permit.id)
    if actor.role == "authority":
        standing = [c for c in standing if c.country == actor.country] + [
            c for c in standing if c.country != actor.country]
    return {
        "permit": permit, "consents": standing, "today": today,
        "waiting": [c.country for c in standing if c.status == "pending"],
        "may_record": actor.role in CONSENT_RECORDERS and permit.status in gate.STANDING,
        "actor_country": getattr(actor, "country", None),
    }


@bp.get("/")
@guard(*CONSENT_READERS)
def queue():
    session, today = db.session(), clock.today()
    state = request.args.get("status", "pending")
    if state not in (*STATUSES, "all"):
        state = "pending"
    rows = session.exec(services.queue(current_user, state=state)
                        .order_by(Permit.valid_from, Permit.id).limit(500)).all()
    facilities = {f.id: f for f in session.exec(
        select(Facility).where(Facility.id.in_({p.receiving_facility_id for _, p in rows})))}
    return render_template("consents/queue.html", rows=rows, state=state, statuses=STATUSES,
                           facilities=facilities, today=today,
                           days_left=lambda c: services.days_left(c, today))


def _choices(form: ConsentForm, needed: dict[str, str]) -> None:
    countries = [current_user.country] if current_user.role == "authority" else sorted(needed)
    form.country.choices = [SelectChoice(c, f"{country_label(c)} ({c})") for c in countries]


@bp.route("/permits/<int:permit_id>/record", methods=["GET", "POST"])
@guard(*CONSENT_RECORDERS)
def record(permit_id: int):
    session = db.session()
    permit = get_permit(session, permit_id=permit_id, actor=current_user)
    form = ConsentForm()
    _choices(form, gate.required_countries(session, permit))
    return _decision_page(session, form, permit, None, lambda: services.record(
        session, actor=current_user, permit_id=permit.id, body=form.values(),
        document=form.upload(), today=clock.today()), _("The decision is recorded."))


@bp.route("/<int:consent_id>/revise", methods=["GET", "POST"])
@guard(*CONSENT_RECORDERS)
def revise(consent_id: int):
    session = db.session()
    consent = services.get_consent(session, consent_id=consent_id, actor=current_user)
    permit = get_permit(session, permit_id=consent.permit_id, actor=current_user)
    form = RevisionForm()
    form.country.choices = [SelectChoice(consent.country, f"{country_label(consent.country)} "
                                                          f"({consent.country})")]
    return _decision_page(session, form, permit, consent, lambda: services.revise(
        session, actor=current_user, consent_id=consent.id, body=form.values(),
        document=form.upload(), today=clock.today()),
        _("The revision is recorded; the earlier decision stays on record."))


def _decision_page(session, form: ConsentForm, permit: Permit, consent, save, done: str):
    """The form (GET), or the decision saved by `save` and back to the permit (POST)."""
    def page(status: int = 200, unplaced=None):
        return render_template("consents/form.html", form=form, permit=permit, consent=consent,
                               order=FIELD_ORDER, unplaced=unplaced), status

    if request.method == "GET":
        form.decided_on.data = clock.today().isoformat()
        return page()
    if not form.validate_on_submit():
        return page(400)
    try:
        save()
    except InvalidApplication as exc:
        session.rollback()
        return page(422, show_errors(form, exc.fields))
    except DomainError as exc:
        session.rollback()
        flash(exc.message, "error")
    else:
        session.commit()
        flash(done, "success")
    return redirect(url_for("permits.show", permit_id=permit.id, _anchor="consents"))


@bp.get("/<int:consent_id>/document")
@guard()
def document(consent_id: int):
    consent = services.get_consent(db.session(), consent_id=consent_id, actor=current_user)
    if consent.document is None:
        flash(_("This decision was not recorded from a paper document."), "error")
        return redirect(url_for("permits.show", permit_id=consent.permit_id))
    return Response(consent.document, mimetype=consent.document_type, headers={
        "Content-Disposition": f'attachment; filename="{consent.document_name}"'})
