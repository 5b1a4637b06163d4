"""The catalogue's pages: the standards in force on a day grouped by medium, one standard's
versions, adding a version (admin), and the waste and operation codes."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from permits.accounts.auth import guard
from permits.catalogue import services as catalogue_admin
from permits.catalogue.forms import CatalogueFilterForm, NewVersionForm, place_errors
from permits.core import db
from permits.web.labels import BASES, BYPRODUCTS
from standards import codes
from standards.catalogue import get_standard, standards_in_force, standards_version
from standards.clock import utcnow
from standards.errors import UnknownStandard, ValidationFailed

bp = Blueprint("catalogue", __name__)

# The order a reader meets the media in: the workers first, then the neighbours, then the
# plant's outputs, then the practices that must simply be in place.
MEDIA = {
    "workplace_air": _l("Workplace air"),
    "blood": _l("Worker blood"),
    "ambient_air": _l("Ambient air"),
    "stack_gas": _l("Stack gas and opacity"),
    "leachate": _l("Leachate (TCLP)"),
    "wastewater": _l("Wastewater"),
    "practice": _l("Required practices"),
}
WASTE_SYSTEMS = {
    "rcra": _l("RCRA (40 CFR 261)"),
    "basel_annex_viii": _l("Basel Convention, Annex VIII"),
    "basel_annex_ix": _l("Basel Convention, Annex IX"),
}
OPERATION_KINDS = {"recovery": _l("Recovery operations (R)"), "disposal": _l("Disposal operations (D)")}


def label(labels: dict, key: str) -> str:
    """The translated name of a catalogue term; an unforeseen one reads as itself."""
    return str(labels[key]) if key in labels else key.replace("_", " ")


def direction_words(standard) -> str:
    if standard.direction == "required":
        return _("must be in place")
    if standard.direction == "min":
        return _("more than") if standard.exclusive else _("at least")
    return _("less than") if standard.exclusive else _("at most")


def value_text(standard) -> str:
    if standard.direction == "required":
        return _("required practice")
    # Enough digits for any limit (0.0052 gr/dscf); the locale decides the decimal mark.
    return f"{format_decimal(standard.value, format='#,##0.##########')}\u00a0{standard.unit}"


def limit_text(standard) -> str:
    """The U.S. limit as one phrase: "at most 50 µg/m³", "less than 3 %"."""
    if standard.direction == "required":
        return _("required practice: must be in place")
    return _("%(direction)s %(value)s", direction=direction_words(standard), value=value_text(standard))


@bp.context_processor
def _catalogue_terms():
    return {"direction_words": direction_words, "value_text": value_text, "limit_text": limit_text,
            "medium_label": lambda key: label(MEDIA, key),
            "basis_label": lambda key: label(BASES, key),
            "byproduct_label": lambda key: label(BYPRODUCTS, key)}


def grouped(rows, attribute: str, order: dict) -> list[tuple[str, list]]:
    """Rows in groups by `attribute`, the groups in `order` (unforeseen ones last), each group
    keeping the rows' own order."""
    rank = {key: index for index, key in enumerate(order)}
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(getattr(row, attribute), []).append(row)
    return sorted(groups.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


@bp.get("/standards")
@guard()
def standards():
    session = db.session()
    today = utcnow().date()
    byproducts = catalogue_admin.known_byproducts(session)
    form = CatalogueFilterForm(formdata=request.args)
    form.byproduct.choices = [("", _("All byproducts"))] + [
        (name, label(BYPRODUCTS, name)) for name in byproducts]
    form.validate()  # each field's errors are shown beside it; a bad one falls back below
    on = form.on.data if form.on.data and not form.on.errors else today
    if not form.on.raw_data:
        form.on.data = on  # the picker shows the day the page is about
    byproduct = form.byproduct.data if not form.byproduct.errors else None
    in_force = standards_in_force(session, on, byproduct or None)
    return render_template(
        "catalogue/standards.html", form=form, on=on, today=today, groups=grouped(in_force, "medium", MEDIA),
        count=len(in_force), set_label=standards_version(in_force),
        upcoming=catalogue_admin.versions_after(session, on))


def _history_or_404(session, code: str):
    try:
        return catalogue_admin.version_history(session, code)
    except UnknownStandard:
        abort(404)


@bp.get("/standards/<code>")
@guard()
def standard(code: str):
    session = db.session()
    versions = _history_or_404(session, code)
    today = utcnow().date()
    in_force = get_standard(session, code, today)
    return render_template("catalogue/standard.html", versions=catalogue_admin.with_end_dates(versions),
                           newest=versions[0], in_force=in_force, today=today)


@bp.route("/standards/<code>/versions/new", methods=["GET", "POST"])
@guard("admin")
def new_version(code: str):
    session = db.session()
    newest = _history_or_404(session, code)[0]
    form = NewVersionForm.for_standard(newest)
    if request.method == "GET" and "unit" in form:
        form.unit.data = newest.unit
    unplaced: list[str] = []
    if form.validate_on_submit():
        try:
            version = catalogue_admin.add_standard_version(
                session, actor_id=current_user.id, code=code, **form.values())
        except ValidationFailed as exc:
            unplaced = place_errors(form, exc.fields)
        else:
            session.commit()
            flash(_("Version %(version)s of %(code)s takes effect on %(date)s.",
                    version=version.version, code=code, date=version.effective_from.isoformat()),
                  "success")
            return redirect(url_for(".standard", code=code))
    status = 422 if request.method == "POST" else 200
    return render_template("catalogue/new_version.html", form=form, newest=newest,
                           unplaced=unplaced), status


@bp.get("/codes")
@guard()
def code_lists():
    session = db.session()
    waste = codes.waste_codes(session)
    operations = codes.operation_codes(session)
    return render_template(
        "catalogue/codes.html",
        waste_groups=grouped(waste, "system", WASTE_SYSTEMS),
        operation_groups=grouped(operations, "kind", OPERATION_KINDS),
        system_label=lambda key: label(WASTE_SYSTEMS, key),
        kind_label=lambda key: label(OPERATION_KINDS, key))
