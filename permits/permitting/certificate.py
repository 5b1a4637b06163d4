"""The permit certificate: a PDF carrying the number, limits, validity, the checks table and the
record hash with the address where anyone can verify it.

Drawn with fpdf2's built-in Helvetica, which covers Latin-1 only: the few characters outside it
(dashes, "≤") are spelled in Latin-1, so the certificate never depends on a font being installed.
"""
from __future__ import annotations

from fpdf import FPDF
from sqlmodel import Session, select

from facility_registry.models import Facility
from permits.accounts.models import Organization
from permits.permitting.decision_models import Decision
from permits.permitting.models import Permit
from standards.vocabulary import kg_to_tonnes as tonnes

_LATIN1 = str.maketrans({"—": "-", "–": "-", "≤": "<=", "≥": ">=", "‘": "'", "’": "'",
                         "“": '"', "”": '"', "…": "...", "→": "->", "•": "-"})


def latin1(text) -> str:
    plain = str(text if text is not None else "").translate(_LATIN1)
    return plain.encode("latin-1", "replace").decode("latin-1")


def verification_url(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{number}"


def _reading(reading: dict | None) -> str:
    if not reading:
        return "-"
    unit = reading.get("unit") or ""
    value = reading["value"]
    shown = ("in place" if value else "not in place") if isinstance(value, bool) else f"{value:g} {unit}"
    return f"{shown} ({reading.get('observed_on', '')})"


def _us(limit: dict) -> str:
    value = limit.get("value")
    if value is True or value is None:
        return "required"
    return f"{value:g} {limit.get('unit') or ''} {limit.get('basis') or ''}".strip()


def render(session: Session, permit: Permit, decision: Decision, *, base_url: str) -> bytes:
    facilities = {f.id: f for f in session.exec(select(Facility).where(
        Facility.id.in_([i for i in (permit.receiving_facility_id, permit.final_facility_id) if i])))}
    organization = session.get(Organization, permit.organization_id)
    pdf = FPDF(orientation="L", format="letter")
    pdf.set_title(latin1(f"Parity permit {permit.number}"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    _heading(pdf, permit)
    _facts(pdf, permit, decision, facilities, organization)
    _checks(pdf, decision, facilities)
    _record(pdf, permit, decision, base_url)
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str, *, size: int = 10, style: str = "", height: float = 5.5) -> None:
    pdf.set_font("Helvetica", style=style, size=size)
    pdf.multi_cell(0, height, latin1(text), new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, permit: Permit) -> None:
    _line(pdf, "Parity - cross-border permit for a hazardous industrial byproduct", size=11)
    _line(pdf, f"Permit {permit.number}", size=20, style="B", height=10)
    _line(pdf, f"Status: {permit.status.replace('_', ' ').upper()}", size=13, style="B", height=7)
    if permit.status_reason:
        _line(pdf, permit.status_reason[:600], size=9)
    pdf.ln(2)


def _facts(pdf, permit, decision, facilities, organization) -> None:
    receiving = facilities.get(permit.receiving_facility_id)
    rows = [
        ("Shipper", organization.name if organization else "-"),
        ("Byproduct", f"{permit.byproduct} - waste codes {', '.join(permit.waste_codes)}"),
        ("Quantity allowed", f"{tonnes(permit.quantity_kg):g} t in at most "
                             f"{permit.shipments_planned} shipments "
                             f"(used: {tonnes(permit.used_kg):g} t, {permit.shipments_used} shipments)"),
        ("Valid", f"{permit.valid_from.isoformat()} to {permit.valid_to.isoformat()}"),
        ("Origin", f"{permit.origin.get('name', '')}, {permit.origin.get('country', '')}"),
        ("Receiving facility", f"{receiving.name} ({receiving.country}), operation "
                               f"{permit.operation_code}" if receiving else "-"),
    ]
    if permit.final_facility_id:
        final = facilities.get(permit.final_facility_id)
        rows.append(("Final facility", f"{final.name} ({final.country}), operation "
                                       f"{permit.final_operation_code}" if final else "-"))
    route = permit.route or {}
    transit = ", ".join(route.get("transit_countries") or []) or "none"
    rows += [("Route", f"exit {route.get('exit_port', '')}, entry {route.get('entry_port', '')}, "
                       f"transit: {transit}"),
             ("Transporters", "; ".join(f"{t['name']} ({t['country']})" for t in permit.transporters)),
             ("Decision", f"{decision.outcome.replace('_', ' ')} on "
                          f"{decision.decided_at.strftime('%Y-%m-%d %H:%M')} UTC "
                          f"({decision.kind.replace('_', ' ')}), standards {decision.standards_version}")]
    pdf.set_font("Helvetica", size=9)
    with pdf.table(col_widths=(45, 210), first_row_as_headings=False, line_height=5) as table:
        for label, value in rows:
            row = table.row()
            row.cell(latin1(label))
            row.cell(latin1(value))
    pdf.ln(3)


def _checks(pdf: FPDF, decision: Decision, facilities: dict[int, Facility]) -> None:
    _line(pdf, "Checks: U.S. reference value beside the facility's binding limit and measurement",
          size=11, style="B", height=7)
    pdf.set_font("Helvetica", size=8)
    with pdf.table(col_widths=(58, 22, 40, 45, 45, 45), line_height=4.2) as table:
        header = table.row()
        for title in ("Standard", "Verdict", "U.S. value", "Facility limit",
                      "Facility measured", "Facility"):
            header.cell(title)
        for check in decision.checks:
            row = table.row()
            row.cell(latin1(check["standard"]))
            row.cell(latin1(check["verdict"].replace("_", " ")))
            row.cell(latin1(_us(check["us_limit"])))
            row.cell(latin1(_reading(check.get("facility_limit"))))
            row.cell(latin1(_reading(check.get("facility_measured"))))
            facility = facilities.get(check.get("facility_id"))
            row.cell(latin1(facility.name[:40] if facility else check.get("facility_id", "")))
    pdf.ln(2)
    _line(pdf, "Permit rules", size=11, style="B", height=7)
    for rule in decision.rules:
        _line(pdf, f"[{'met' if rule['met'] else 'NOT MET'}] {rule['detail']}", size=8, height=4.2)


def _record(pdf: FPDF, permit: Permit, decision: Decision, base_url: str) -> None:
    pdf.ln(3)
    _line(pdf, "Record", size=11, style="B", height=7)
    _line(pdf, f"SHA-256 of the decision record: {decision.record_hash}", size=9)
    _line(pdf, f"Verify at {verification_url(base_url, permit.number)} - the page recomputes "
               "the hash from the stored record and says whether it still matches.", size=9)
