"""The reports' pages: stored compliance reports for inspectors and admins, their charts as
SVG and their PDF; the enforcement report also at a public address, without sign-in.

Everything shown is drawn from the stored version's JSON, never recomputed, so a page reads
exactly as the report was published.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from permits.accounts.auth import guard, public
from permits.core import db
from permits.reports import KINDS, ReportError
from permits.reports.charts import alt_text, height_of, render_svg
from permits.reports.models import ComplianceReport
from permits.reports.pdf import render_pdf
from permits.reports.store import (
    find_report,
    intact,
    latest_versions,
    report_of,
    run_report,
    versions_of,
)
from permits.reports.text import cell_text
from permits.web.paging import whole_arg
from standards.clock import utcnow
from standards.vocabulary import OVERSEERS

bp = Blueprint("reports", __name__)

PUBLIC_KIND = "enforcement_public"


class RunReportForm(FlaskForm):
    kind = SelectField(_l("Report"), choices=[SelectChoice(k.key, _l(k.title)) for k in KINDS.values()])
    period = StringField(_l("Period"), validators=[Length(max=7)],
                         description=_l("YYYY-MM for the monthly report, YYYY for the others; "
                                        "empty for the last complete period."))
    submit = SubmitField(_l("Run now"))


@bp.app_template_filter("report_cell")
def report_cell(value, fmt: str = "text") -> str:
    return cell_text(value, fmt)


@bp.get("/reports")
@guard(*OVERSEERS)
def index():
    return render_template("reports/index.html", stored=latest_versions(db.session()),
                           kinds=KINDS, form=RunReportForm())


@bp.post("/reports/run")
@guard(*OVERSEERS)
def run():
    form = RunReportForm()
    if not form.validate_on_submit():
        problems = "; ".join(f"{name}: {', '.join(map(str, errors))}"
                             for name, errors in form.errors.items())
        flash(_("The report could not be run: %(problems)s", problems=problems), "error")
        return redirect(url_for("reports.index"))
    session = db.session()
    try:
        stored = run_report(session, kind=form.kind.data, period=form.period.data or None,
                            today=utcnow().date(), trigger="web", actor_id=current_user.id)
    except ReportError as exc:
        problems = "; ".join(f"{name}: {', '.join(errors)}" for name, errors in exc.fields.items())
        flash(_("The report could not be run: %(problems)s", problems=problems), "error")
        return redirect(url_for("reports.index"))
    session.commit()
    flash(_("Stored as version %(version)s.", version=stored.version), "success")
    return redirect(url_for("reports.show", kind=stored.kind, period=stored.period))


@bp.get("/reports/<kind>/<period>")
@guard(*OVERSEERS)
def show(kind: str, period: str):
    row = _stored_or_404(kind, period, whole_arg("version"))
    return _page(row, chart_endpoint="reports.chart", pdf_endpoint="reports.pdf",
                 version_endpoint="reports.show", address={"kind": kind, "period": period})


@bp.get("/reports/<kind>/<period>/v<int:version>/charts/<key>.svg")
@guard(*OVERSEERS)
def chart(kind: str, period: str, version: int, key: str):
    return _chart(_stored_or_404(kind, period, version), key, cache="private")


@bp.get("/reports/<kind>/<period>/v<int:version>.pdf")
@guard(*OVERSEERS)
def pdf(kind: str, period: str, version: int):
    return _pdf(_stored_or_404(kind, period, version))


@bp.get("/public/reports/enforcement")
@public
def public_index():
    return render_template("reports/public_index.html",
                           stored=latest_versions(db.session(), kind=PUBLIC_KIND))


@bp.get("/public/reports/enforcement/<year>")
@public
def public_show(year: str):
    row = _stored_or_404(PUBLIC_KIND, year, whole_arg("version"))
    return _page(row, chart_endpoint="reports.public_chart", pdf_endpoint="reports.public_pdf",
                 version_endpoint="reports.public_show", address={"year": year})


@bp.get("/public/reports/enforcement/<year>/v<int:version>/charts/<key>.svg")
@public
def public_chart(year: str, version: int, key: str):
    return _chart(_stored_or_404(PUBLIC_KIND, year, version), key, cache="public")


@bp.get("/public/reports/enforcement/<year>/v<int:version>.pdf")
@public
def public_pdf(year: str, version: int):
    return _pdf(_stored_or_404(PUBLIC_KIND, year, version))


def _stored_or_404(kind: str, period: str, version: int | None) -> ComplianceReport:
    if kind not in KINDS:
        abort(404, description=_("There is no report of that kind."))
    row = find_report(db.session(), kind=kind, period=period, version=version)
    if row is None:
        abort(404, description=_("No report is stored for %(period)s.", period=period))
    return row


def _page(row: ComplianceReport, *, chart_endpoint: str, pdf_endpoint: str,
          version_endpoint: str, address: dict):
    report = report_of(row)
    versions = versions_of(db.session(), kind=row.kind, period=row.period)

    def chart_url(key: str) -> str:
        return url_for(chart_endpoint, **address, version=row.version, key=key)

    return render_template(
        "reports/report.html", row=row, report=report, versions=versions, intact=intact(row),
        chart_url=chart_url, pdf_url=url_for(pdf_endpoint, **address, version=row.version),
        version_url=lambda v: url_for(version_endpoint, **address, version=v),
        alt=lambda c: alt_text(c, translate=_), chart_height=height_of,
        public_page=row.kind == PUBLIC_KIND and version_endpoint.startswith("reports.public"))


def _chart(row: ComplianceReport, key: str, *, cache: str) -> Response:
    found = report_of(row).chart(key)
    if found is None:
        abort(404, description=_("This report has no such chart."))
    response = Response(render_svg(found, translate=_), mimetype="image/svg+xml")
    # A stored version never changes, so its charts may be kept as long as anyone likes.
    response.headers["Cache-Control"] = f"{cache}, max-age=86400, immutable"
    return response


def _pdf(row: ComplianceReport) -> Response:
    body = render_pdf(report_of(row), version=row.version, content_hash=row.content_hash,
                      translate=_)
    name = f"parity-{row.kind}-{row.period}-v{row.version}.pdf"
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
