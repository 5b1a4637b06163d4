"""The permit certificate: a PDF carrying the number, limits, validity, the checks table and the
record hash with the address where anyone can verify it.

Set in the vendored DejaVu Sans (permits.core.pdf_font), so every name prints as written; values
read as on the pages (labels), with the codes professionals use kept beside the words.
"""
from __future__ import annotations

import io

import segno
from flask_babel import gettext as _
from flask_babel import ngettext
from fpdf import FPDF
from fpdf.enums import Align
from sqlmodel import Session, select

from facility_registry.models import Facility
from permits.accounts.models import Organization
from permits.audit import livestate
from permits.core.pdf_font import FONT, add_font
from permits.permitting import decisions
from permits.permitting.decision_models import Decision
from permits.permitting.decision_view import standard_scopes, standard_titles
from permits.permitting.models import Permit
from permits.web.formats import day, moment, number, quantity
from permits.web.labels import (
    basis_label,
    byproduct_label,
    country_label,
    in_words,
    kind_label,
    operation_label,
    process_label,
    state_label,
)
from permits.web.messages import say
from standards.vocabulary import kg_to_tonnes as tonnes


def verification_url(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{number}"


def _reading(reading: dict | None) -> str:
    if not reading:
        return "-"
    unit = reading.get("unit") or ""
    value = reading["value"]
    shown = (_("in place") if value else _("not in place")) if isinstance(value, bool) else quantity(value, unit)
    observed = reading.get("observed_on")
    return f"{shown} ({day(observed)})" if observed else shown


def _us(limit: dict) -> str:
    value = limit.get("value")
    if value is True or value is None:
        return _("required")
    basis = limit.get("basis")
    shown = quantity(value, limit.get("unit"))
    return f"{shown}, {basis_label(basis)}" if basis and basis != "practice" else shown


def render(session: Session, permit: Permit, decision: Decision, *, base_url: str) -> bytes:
    facilities = {f.id: f for f in session.exec(select(Facility).where(
        Facility.id.in_([i for i in (permit.receiving_facility_id, permit.final_facility_id) if i])))}
    organization = session.get(Organization, permit.organization_id)
    pdf = FPDF(orientation="L", format="letter")
    add_font(pdf)
    pdf.set_title(_("Parity permit %(number)s", number=permit.number))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    _heading(pdf, permit)
    _disagreements(pdf, [p.public() for p in livestate.check_permit(session, permit)])
    _facts(pdf, permit, decision, facilities, organization)
    _checks(pdf, decision, facilities,
            standard_titles(session, [c["standard"] for c in decision.checks]),
            standard_scopes(session, decision.checks))
    _record(pdf, permit, decision, base_url)
    return bytes(pdf.output())


def _disagreements(pdf: FPDF, lines: list[str]) -> None:
    """Said first and plainly: the live permit is not what was decided and audited."""
    if not lines:
        return
    pdf.set_text_color(160, 0, 0)
    _line(pdf, _("WARNING: the permit as stored now differs from its decision record or the audit "
                 "chain. The terms below are the decision record's. Do not rely on this certificate "
                 "until the regulator has explained:"), size=10, style="B")
    for text in lines[:10]:
        _line(pdf, f"- {text}", size=9)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)


def _line(pdf: FPDF, text: str, *, size: int = 10, style: str = "", height: float = 5.5) -> None:
    pdf.set_font(FONT, style=style, size=size)
    # Left-aligned: justified text stretched short lines into wide gaps.
    pdf.multi_cell(0, height, str(text), new_x="LMARGIN", new_y="NEXT", align=Align.L)


def _heading(pdf: FPDF, permit: Permit) -> None:
    _line(pdf, _("Parity — cross-border permit for a hazardous industrial byproduct"), size=11)
    _line(pdf, _("Permit %(number)s", number=permit.number), size=20, style="B", height=10)
    _line(pdf, _("Status: %(status)s", status=state_label(permit.status).upper()), size=13,
          style="B", height=7)
    if permit.status_reason:
        _line(pdf, in_words(permit.status_reason[:600]), size=9)
    pdf.ln(2)


def _place(facility: Facility | None, operation: str | None) -> str:
    if facility is None:
        return "—"
    return _("%(name)s (%(country)s), operation %(operation)s", name=facility.name,
             country=country_label(facility.country), operation=operation_label(operation))


def _quantity(terms: dict, permit: Permit) -> str:
    # Each count chooses its own plural form: "in at most 1 shipment", "3 shipments used".
    planned, made = int(terms.get("shipments_planned") or 0), int(permit.shipments_used or 0)
    allowed = ngettext("%(allowed)s t in at most %(num)s shipment", "%(allowed)s t in at most %(num)s shipments",
                       planned, allowed=number(terms.get("quantity_tonnes")))
    used = ngettext("used: %(used)s t, %(num)s shipment", "used: %(used)s t, %(num)s shipments", made,
                    used=number(tonnes(permit.used_kg)))
    return _("%(allowed)s (%(used)s)", allowed=allowed, used=used)


def _facts(pdf, permit, decision, facilities, organization) -> None:
    # The terms as the hashed decision record states them, not as the row holds them now.
    terms = decision.terms or decisions.live_terms(permit)
    origin = terms.get("origin") or {}
    rows = [
        (_("Shipper"), organization.name if organization else "—"),
        (_("Byproduct"), _("%(byproduct)s — waste codes %(codes)s",
                           byproduct=byproduct_label(terms.get("byproduct")),
                           codes=", ".join(terms.get("waste_codes") or []) or "—")),
        (_("Quantity allowed"), _quantity(terms, permit)),
        (_("Valid"), _("%(start)s to %(end)s", start=day(terms.get("valid_from")),
                       end=day(terms.get("valid_to")))),
        (_("Origin"), ", ".join(v for v in (origin.get("name"), country_label(origin.get("country")))
                                if v)),
        (_("Receiving facility"), _place(facilities.get(terms.get("receiving_facility_id")),
                                         terms.get("operation_code"))),
    ]
    if terms.get("final_facility_id"):
        rows.append((_("Final facility"), _place(facilities.get(terms["final_facility_id"]),
                                                 terms.get("final_operation_code"))))
    route = terms.get("route") or {}
    transit = ", ".join(country_label(c) for c in route.get("transit_countries") or []) or _("none")
    rows += [(_("Route"), _("exit %(exit)s, entry %(entry)s, transit: %(transit)s",
                            exit=route.get("exit_port", ""), entry=route.get("entry_port", ""),
                            transit=transit)),
             (_("Transporters"), "; ".join(f"{t['name']} ({country_label(t['country'])})"
                                           for t in terms.get("transporters") or [])),
             (_("Decision"), _("%(outcome)s on %(when)s (%(kind)s), standards %(version)s",
                               outcome=state_label(decision.outcome),
                               when=moment(decision.decided_at),
                               kind=kind_label(decision.kind), version=decision.standards_version))]
    pdf.set_font(FONT, size=9)
    with pdf.table(col_widths=(45, 210), first_row_as_headings=False, line_height=5,
                   text_align="LEFT") as table:
        for label, value in rows:
            row = table.row()
            row.cell(label)
            row.cell(value)
    pdf.ln(3)


def _checks(pdf: FPDF, decision: Decision, facilities: dict[int, Facility],
            titles: dict[str, str], scopes: dict[str, dict] | None = None) -> None:
    scopes = scopes or {}
    _line(pdf, _("Checks: U.S. reference value beside the facility's binding limit and measurement"),
          size=11, style="B", height=7)
    pdf.set_font(FONT, size=8)
    with pdf.table(col_widths=(62, 20, 42, 44, 44, 43), line_height=4.2,
                   text_align="LEFT") as table:
        header = table.row()
        for title in (_("Standard"), _("Verdict"), _("U.S. value"), _("Facility limit"),
                      _("Facility measured"), _("Facility")):
            header.cell(title)
        for check in decision.checks:
            row = table.row()
            code = check["standard"]
            scope = scopes.get(f"{code}@{check.get('version')}") or {}
            named = f"{titles[code]} ({code})" if titles.get(code) else code
            if check.get("unconfirmed") or scope.get("unconfirmed"):
                named += " — " + _("UNCONFIRMED: not confirmed against the rule text")
            if scope.get("processes"):
                named += " — " + _("Process:") + " " + ", ".join(
                    process_label(p) for p in scope["processes"])
            row.cell(named)
            row.cell(state_label(check["verdict"]))
            row.cell(_us(check["us_limit"]))
            row.cell(_reading(check.get("facility_limit")))
            row.cell(_reading(check.get("facility_measured")))
            facility = facilities.get(check.get("facility_id"))
            row.cell(facility.name[:40] if facility else str(check.get("facility_id", "")))
    pdf.ln(2)
    _line(pdf, _("Permit rules"), size=11, style="B", height=7)
    for rule in decision.rules:
        said = say(rule.get("message"), in_words(rule["detail"]))  # in the reader's language
        verdict = _("met") if rule["met"] else _("NOT MET")
        _line(pdf, f"[{verdict}] {said}", size=8, height=4.2)


def _record(pdf: FPDF, permit: Permit, decision: Decision, base_url: str) -> None:
    pdf.ln(3)
    _line(pdf, _("Record"), size=11, style="B", height=7)
    address = verification_url(base_url, permit.number)
    top = pdf.get_y()
    # The QR code of the verification address sits at the right margin; the text wraps beside it.
    size = 32
    pdf.image(qr_png(address), x=pdf.w - pdf.r_margin - size, y=top, w=size, h=size)
    pdf.set_right_margin(pdf.r_margin + size + 4)
    _line(pdf, _("SHA-256 of the decision record: %(hash)s", hash=decision.record_hash), size=9)
    _line(pdf, _("Verify at %(url)s (or scan the code) — the page recomputes the hash from the "
                 "stored record, compares the live permit with the audit chain and says whether "
                 "both still match. The decision's audit entry is proved in the signed public "
                 "checkpoints (/api/v1/public/permits/%(number)s/proof).", url=address,
                 number=permit.number), size=9)
    pdf.set_right_margin(pdf.r_margin - size - 4)
    pdf.set_y(max(pdf.get_y(), top + size + 2))


def qr_png(text: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=8, border=2)
    out.seek(0)
    return out
