"""The registry's record-keeping pages: evidence (new and corrections), the verification queue,
inspections, enforcement case notices and attachment downloads."""
from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from facility_registry import services
from facility_registry.evidence import get_evidence
from facility_registry.models import Attachment, EnforcementCase
from facility_registry.reference import load_reference
from permits.accounts.auth import guard
from permits.core import db
from permits.registry.blueprint import PAGE_SIZE, actor, bp, may_see, page_number
from permits.registry.forms import (
    EvidenceForm,
    InspectionForm,
    NotifyForm,
    ReasonForm,
    apply_errors,
    options,
)
from permits.web.labels import data_text
from permits.web.outcome import commit_or_flash
from standards.catalogue import standards_in_force
from standards.clock import utcnow
from standards.errors import DomainError
from standards.instruments import instruments
from standards.vocabulary import OVERSEERS


def _choices(session):
    reference = load_reference(session)
    standards = [(s.code, f"{s.code} — {data_text(s.title)}")
                 for s in standards_in_force(session, utcnow().date(), None)]
    bases = [(b, b.replace("_", " ")) for b in sorted(reference.bases)]
    return standards, bases


def _flash_unplaced(messages: list[str]) -> None:
    for message in messages:
        flash(message, "error")


@bp.route("/facilities/<int:facility_id>/evidence/new", methods=["GET", "POST"])
@guard(*OVERSEERS, "facility")
def new_evidence(facility_id: int):
    may_see(facility_id)
    session = db.session()
    facility = services.get_facility(session, facility_id)
    corrects = _corrected_entry(session, facility_id)
    form = EvidenceForm()
    standards, bases = _choices(session)
    form.standard.choices = options(standards)
    form.basis.choices = options([("", _("— (a required practice)")), *bases])
    form.instrument.choices = options([("", _("— (none: described in the source document)")), *(
        (i.code, _("%(code)s · %(gloss)s", code=i.code, gloss=_(i.title_en))) for i in instruments())])
    if request.method == "GET" and corrects is not None:
        form.standard.data, form.kind.data = corrects.standard_code, corrects.kind
        form.basis.data, form.source.data = corrects.basis, corrects.source
        form.instrument.data = corrects.instrument or ""
    elif request.method == "GET" and request.args.get("standard"):
        form.standard.data = request.args["standard"]  # an evidence request names it
    if form.validate_on_submit():
        try:
            if corrects is None:
                services.record_evidence(session, facility_id=facility_id, **actor(), **form.values())
            else:
                services.supersede_evidence(session, evidence_id=corrects.id, reason=form.reason.data,
                                            **actor(), **form.values())
        except DomainError as exc:
            session.rollback()
            _flash_unplaced(apply_errors(form, exc.fields) or ([] if exc.fields else [exc.message]))
        else:
            session.commit()
            flash(_("Evidence recorded."), "success")
            return redirect(url_for("registry.facility", facility_id=facility_id))
    return render_template("registry/evidence_form.html", form=form, facility=facility,
                           corrects=corrects), (422 if form.errors else 200)


def _corrected_entry(session, facility_id: int):
    raw = request.args.get("supersedes")
    if not raw:
        return None
    try:
        entry = get_evidence(session, int(raw))
    except (ValueError, DomainError):
        abort(404)
    if entry.facility_id != facility_id:
        abort(404)
    return entry


@bp.get("/evidence/unverified")
@guard(*OVERSEERS)
def unverified():
    page = page_number()
    rows, total = services.unverified_queue(db.session(), limit=PAGE_SIZE,
                                            offset=(page - 1) * PAGE_SIZE)
    return render_template("registry/unverified.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), form=ReasonForm())


@bp.post("/evidence/<int:evidence_id>/verify")
@guard(*OVERSEERS)
def verify(evidence_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    commit_or_flash(lambda session: services.verify_evidence(
        session, evidence_id=evidence_id, **actor()),
        lambda entry: _("Entry %(id)s verified.", id=entry.id))
    return redirect(request.form.get("next") or url_for("registry.unverified"))


@bp.route("/facilities/<int:facility_id>/inspections/new", methods=["GET", "POST"])
@guard("inspector")
def new_inspection(facility_id: int):
    session = db.session()
    facility = services.get_facility(session, facility_id)
    form = InspectionForm()
    form.set_choices(*_choices(session))
    if form.validate_on_submit():
        findings = form.finding_values()
        rows = [i for i, entry in enumerate(form.findings)
                if entry.form.standard.data or (entry.form.value.data or "").strip()]
        try:
            services.record_inspection(
                session, facility_id=facility_id, inspected_on=form.inspected_on.data,
                outcome=form.outcome.data, summary=form.summary.data or "",
                findings=[{k: v for k, v in f.items() if v not in ("", None)} for f in findings],
                attachments=_uploads(), **actor())
        except DomainError as exc:
            session.rollback()
            _flash_unplaced(apply_errors(form, exc.fields, findings_map=rows)
                            or ([] if exc.fields else [exc.message]))
        else:
            session.commit()
            flash(_("Inspection recorded."), "success")
            return redirect(url_for("registry.facility", facility_id=facility_id))
    return render_template("registry/inspection_form.html", form=form, facility=facility), \
        (422 if form.errors or any(e.errors for e in form.findings) else 200)


def _uploads() -> list[services.Upload]:
    return [services.Upload(f.filename or "", f.mimetype or "", f.read())
            for f in request.files.getlist("attachments") if f and f.filename]


@bp.post("/cases/<int:case_id>/notify")
@guard(*OVERSEERS)
def notify(case_id: int):
    session = db.session()
    case = session.get(EnforcementCase, case_id) or abort(404)
    form = NotifyForm()
    if not form.validate_on_submit():
        abort(400)
    commit_or_flash(lambda session: services.notify_case(
        session, case_id=case_id, notified_on=form.notified_on.data, **actor()),
        _("Notification recorded."))
    return redirect(url_for("registry.facility", facility_id=case.facility_id))


@bp.get("/attachments/<int:attachment_id>")
@guard(*OVERSEERS)
def attachment(attachment_id: int):
    return download(db.session().get(Attachment, attachment_id) or abort(404))


def download(found):
    """A stored file (an inspection's or a petition's) as a download: never rendered inside our
    own origin, never sniffed into another type."""
    response = send_file(io.BytesIO(found.content), mimetype=found.content_type,
                         as_attachment=True, download_name=found.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
