"""The shipment pages: a permit's log and its form, the facility's incoming loads and their
confirmations, one shipment, the missed deadlines, and the CSV export."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session, select

from permits.accounts.auth import guard
from permits.accounts.models import Organization
from permits.api.errors import http_status
from permits.consents.waits import pending_countries
from permits.core import db
from permits.permitting.models import Permit
from permits.shipments import deadlines, export, interim
from permits.shipments import services as service
from permits.shipments.forms import ResolveForm, ShipmentForm, attach, confirmation_form
from permits.shipments.models import Shipment, ShipmentException
from permits.shipments.queries import (
    approved_permits_of,
    can_confirm,
    can_confirm_final,
    can_confirm_return,
    exceptions_visible_to,
    facility_of,
    open_exception_kinds,
    shipments_of_permit,
    shipments_visible_to,
    visible_permit,
    visible_shipment,
)
from permits.shipments.state import allowed_events
from permits.web.formats import tonnes
from permits.web.labels import operation_label
from standards import clock
from standards.errors import DomainError, NotAllowed, NotFound
from standards.vocabulary import kg_to_tonnes

bp = Blueprint("shipments", __name__)

RECENT = 100  # rows on a page; the CSV export has them all


@bp.app_template_filter("kg_as_tonnes")
def kg_as_tonnes(kg: int | None) -> str:
    return tonnes(kg)


def _rows(session: Session, shipments: list[Shipment], today: date) -> list[tuple[Shipment, list[str]]]:
    """Each shipment with its overdue flags: deadlines missed today, and exceptions still open."""
    still_open = open_exception_kinds(session, [s.id for s in shipments])
    return [(s, sorted(set(deadlines.missed(s, today)) | set(still_open.get(s.id, [])))) for s in shipments]


def _newest(session: Session, statement, limit: int = RECENT) -> list[Shipment]:
    return list(session.exec(statement.order_by(Shipment.id.desc()).limit(limit)))


# The permit's shipments -------------------------------------------------------------------

def permit_panel(session: Session, *, permit: Permit, actor, today: date,
                 form: ShipmentForm | None = None) -> dict[str, Any]:
    """What `shipments/_permit_shipments.html` shows: the bar, the table, and the form to log one.

    A permit page elsewhere can pass this as `shipments_panel` and include the template.
    """
    rows = _rows(session, _newest(session, shipments_of_permit(permit.id)), today)
    can_log = actor.role == "shipper" and permit.status == "approved"
    if can_log and form is None:
        form = _shipment_form(permit, formdata=None)
    return {
        "permit": permit,
        "used_kg": permit.used_kg,
        "quantity_kg": permit.quantity_kg,
        "percent_used": round(100 * permit.used_kg / permit.quantity_kg) if permit.quantity_kg else 0,
        "shipments_used": permit.shipments_used,
        "shipments_planned": permit.shipments_planned,
        "rows": rows,
        "form": form if can_log else None,
        "export_url": url_for("shipments.export_csv", permit_id=permit.id),
    }


def _shipment_form(permit: Permit, **kwargs) -> ShipmentForm:
    form = ShipmentForm(**kwargs)
    names = [t.get("name", "") for t in permit.transporters or [] if t.get("name")]
    form.carrier.choices = [(name, name) for name in names]
    return form


@bp.route("/permits/<int:permit_id>/shipments", methods=["GET", "POST"])
@guard("shipper", "inspector", "admin", "facility")
def permit_shipments(permit_id: int):
    session = db.session()
    permit = visible_permit(session, actor=current_user, permit_id=permit_id)
    form, status = None, 200
    if request.method == "POST":
        form = _shipment_form(permit)
        if form.validate_on_submit():
            try:
                shipment = service.log_shipment(
                    session, actor=current_user, permit_id=permit.id,
                    quantity_kg=service.kg_from_tonnes(form.quantity_tonnes.data),
                    departed_on=form.departed_on.data, expected_arrival_on=form.expected_arrival_on.data,
                    movement_document=form.movement_document.data, carrier=form.carrier.data, today=clock.today())
            except DomainError as err:
                session.rollback()
                status = _show(form, err)
            else:
                session.commit()
                flash(_("Shipment %(document)s is logged and in transit.", document=shipment.movement_document),
                      "success")
                return redirect(url_for("shipments.permit_shipments", permit_id=permit.id))
        else:
            status = 422
        session.refresh(permit)
    panel = permit_panel(session, permit=permit, actor=current_user, today=clock.today(), form=form)
    return render_template("shipments/permit.html", permit=permit, shipments_panel=panel), status


def _show(form, err: DomainError) -> int:
    """Field errors on their fields, anything else as a message; 403 and 404 become error pages."""
    if isinstance(err, NotAllowed | NotFound):
        raise err
    if not attach(form, err):
        flash(err.message, "error")
    return http_status(err)


# Shippers: where to log from -------------------------------------------------------------

@bp.get("/shipments/")
@guard("shipper")
def index():
    session = db.session()
    permits = approved_permits_of(session, current_user.organization_id)
    rows = _rows(session, _newest(session, shipments_visible_to(current_user)), clock.today())
    return render_template("shipments/index.html", permits=permits, rows=rows,
                           permit_numbers=_permit_numbers(session, {s.permit_id for s, _f in rows}),
                           waiting=pending_countries(session, [p.id for p in permits]))


def _permit_numbers(session: Session, ids: set[int]) -> dict[int, str]:
    """permit id -> its number, so a table names permits the way their papers do."""
    if not ids:
        return {}
    return dict(session.exec(select(Permit.id, Permit.number).where(Permit.id.in_(list(ids)))).all())


# Facilities: the loads coming in ----------------------------------------------------------

@bp.get("/shipments/incoming")
@guard("facility")
def incoming():
    session = db.session()
    statement = shipments_visible_to(current_user)
    waiting = statement.where(Shipment.status.in_(("in_transit", "received", "refused",
                                                   "interim_completed", "final_received")))
    rows = _rows(session, list(session.exec(waiting.order_by(Shipment.expected_arrival_on, Shipment.id))), clock.today())
    done = _rows(session, _newest(session, statement.where(Shipment.status.in_(("recovered", "returned"))), 20),
                 clock.today())
    return render_template("shipments/incoming.html", rows=rows, done=done,
                           permit_numbers=_permit_numbers(session, {s.permit_id for s, _f in rows + done}),
                           facility=facility_of(session, current_user.facility_id),
                           actions={s.id: _actions_for(current_user, s, p) for s, p in _with_permits(session, rows)})


def _with_permits(session: Session, rows) -> list[tuple[Shipment, Permit]]:
    return [(s, session.get(Permit, s.permit_id)) for s, _flags in rows]


WHO_MAY = {"return": can_confirm_return, "final_receive": can_confirm_final,
           "final_recover": can_confirm_final}


def _actions_for(actor, shipment: Shipment, permit: Permit) -> list[str]:
    """The confirmations this actor may record next on this shipment."""
    events = allowed_events(shipment)
    mine = []
    for event in events:
        may = WHO_MAY.get(event, can_confirm)
        if may(actor, permit):
            mine.append(event)
    return mine


# One shipment, and its confirmations -------------------------------------------------------

@bp.get("/shipments/<int:shipment_id>")
@guard()
def detail(shipment_id: int):
    return _detail_page(shipment_id)


def _detail_page(shipment_id: int, *, failed: tuple[str, Any] | None = None, status: int = 200):
    session = db.session()
    shipment, permit = visible_shipment(session, actor=current_user, shipment_id=shipment_id)
    today = clock.today()
    forms = {}
    for event in _actions_for(current_user, shipment, permit):
        if failed and failed[0] == event:
            forms[event] = failed[1]
        else:
            forms[event] = confirmation_form(event, formdata=None, **_defaults(event, shipment, permit, today))
    if "recover" in forms:
        forms["recover"].operation_code.choices = _operations(permit)
    if "final_recover" in forms:
        forms["final_recover"].operation_code.choices = _operations(permit, final=True)
    exceptions = session.exec(
        exceptions_visible_to(current_user, state="all").where(ShipmentException.shipment_id == shipment.id)
    ).all()
    return render_template(
        "shipments/detail.html", shipment=shipment, permit=permit, forms=forms,
        organization=session.get(Organization, permit.organization_id),
        flags=_rows(session, [shipment], today)[0][1], exceptions=[e for e, _s, _p in exceptions],
        due={"receipt": deadlines.receipt_due(shipment), "recovery": deadlines.recovery_due(shipment),
             "return": deadlines.return_due(shipment), "final": deadlines.final_recovery_due(shipment)},
    ), status


def _operations(permit: Permit, *, final: bool = False) -> list[tuple[str, str]]:
    code = permit.final_operation_code if final else permit.operation_code
    return [(code, operation_label(code))]


def _defaults(event: str, shipment: Shipment, permit: Permit, today: date) -> dict[str, Any]:
    if event == "receive":
        return {"received_on": today, "quantity_tonnes": kg_to_tonnes(shipment.quantity_kg)}
    if event == "refuse":
        return {"refused_on": today}
    if event == "recover":
        return {"completed_on": today, "operation_code": permit.operation_code}
    if event == "final_receive":
        return {"received_on": today, "quantity_tonnes": kg_to_tonnes(shipment.received_kg or shipment.quantity_kg)}
    if event == "final_recover":
        return {"completed_on": today, "operation_code": permit.final_operation_code}
    return {"returned_on": today}


def _recorded(event: str, shipment: Shipment) -> str:
    """What the confirmation recorded, in a sentence, so the user sees it was the right thing."""
    tonnes = kg_as_tonnes
    if event == "receive":
        said = _("Receipt of %(document)s recorded: %(received)s t received on %(day)s.",
                 document=shipment.movement_document, received=tonnes(shipment.received_kg),
                 day=shipment.received_on)
        if shipment.refused_kg:
            said += " " + _("%(refused)s t of it refused: it must go back to the shipper.",
                            refused=tonnes(shipment.refused_kg))
        if shipment.discrepancy:
            said += " " + _("The quantity differs from what was shipped beyond the tolerance; an inspector sees it.")
        return said
    if event == "refuse":
        return _("%(document)s refused on %(day)s: the whole load (%(tonnes)s t) must go back to the shipper.",
                 document=shipment.movement_document, day=shipment.refused_on,
                 tonnes=tonnes(shipment.refused_kg))
    if event == "recover" and shipment.status == "interim_completed":
        return _("Interim operation %(operation)s of %(document)s recorded as completed on %(day)s. "
                 "The shipment stays open until the final facility confirms its recovery or disposal.",
                 document=shipment.movement_document,
                 operation=operation_label(shipment.recovery_operation_code), day=shipment.completed_on)
    if event == "final_receive":
        return _("Receipt of %(document)s at the final facility recorded: %(received)s t on %(day)s.",
                 document=shipment.movement_document, received=tonnes(shipment.final_received_kg),
                 day=shipment.final_received_on)
    if event == "final_recover":
        return _("Final operation %(operation)s of %(document)s completed on %(day)s. The shipment is closed.",
                 document=shipment.movement_document,
                 operation=operation_label(shipment.final_operation_code), day=shipment.final_completed_on)
    if event == "recover":
        return _("Recovery of %(document)s recorded: operation %(operation)s completed on %(day)s. The shipment is closed.",
                 document=shipment.movement_document,
                 operation=operation_label(shipment.recovery_operation_code), day=shipment.completed_on)
    return _("Return of %(document)s recorded: back with the shipper on %(day)s.",
             document=shipment.movement_document, day=shipment.returned_on)


def _confirm(shipment_id: int, event: str, record):
    """Validate the event's form, record it through the service, commit once; errors back on the page."""
    form = confirmation_form(event)
    if event in ("recover", "final_recover"):
        _shipment, permit = visible_shipment(db.session(), actor=current_user, shipment_id=shipment_id)
        form.operation_code.choices = _operations(permit, final=event == "final_recover")
    session = db.session()
    if form.validate_on_submit():
        try:
            shipment = record(session, form)
        except DomainError as err:
            session.rollback()
            return _detail_page(shipment_id, failed=(event, form), status=_show(form, err))
        message = _recorded(event, shipment)
        session.commit()
        flash(message, "success")
        return redirect(url_for("shipments.detail", shipment_id=shipment_id))
    return _detail_page(shipment_id, failed=(event, form), status=422)


@bp.post("/shipments/<int:shipment_id>/receipt")
@guard("facility", "inspector")
def confirm_receipt(shipment_id: int):
    def record(session, form):
        refused = form.refused_tonnes.data
        return service.receive_shipment(
            session, actor=current_user, shipment_id=shipment_id, received_on=form.received_on.data,
            received_kg=service.kg_from_tonnes(form.quantity_tonnes.data),
            refused_kg=service.kg_from_tonnes(refused, field="refused_tonnes") if refused else 0,
            refusal_reason=form.refusal_reason.data,
            tolerance_percent=current_app.config["PARITY_RECEIPT_TOLERANCE_PERCENT"], today=clock.today())

    return _confirm(shipment_id, "receive", record)


@bp.post("/shipments/<int:shipment_id>/refusal")
@guard("facility", "inspector")
def confirm_refusal(shipment_id: int):
    def record(session, form):
        return service.refuse_shipment(session, actor=current_user, shipment_id=shipment_id,
                                refused_on=form.refused_on.data, reason=form.reason.data, today=clock.today())

    return _confirm(shipment_id, "refuse", record)


@bp.post("/shipments/<int:shipment_id>/recovery")
@guard("facility", "inspector")
def confirm_recovery(shipment_id: int):
    def record(session, form):
        return service.recover_shipment(session, actor=current_user, shipment_id=shipment_id,
                                 completed_on=form.completed_on.data, operation_code=form.operation_code.data,
                                 today=clock.today())

    return _confirm(shipment_id, "recover", record)


@bp.post("/shipments/<int:shipment_id>/return")
@guard("shipper", "inspector")
def confirm_return(shipment_id: int):
    def record(session, form):
        return service.return_shipment(session, actor=current_user, shipment_id=shipment_id,
                                       returned_on=form.returned_on.data, today=clock.today(),
                                       reason=form.reason.data,
                                       new_destination=form.new_destination.data)

    return _confirm(shipment_id, "return", record)


@bp.post("/shipments/<int:shipment_id>/final-receipt")
@guard("facility", "inspector")
def confirm_final_receipt(shipment_id: int):
    def record(session, form):
        return interim.final_receive(session, actor=current_user, shipment_id=shipment_id,
                                     received_on=form.received_on.data,
                                     received_kg=service.kg_from_tonnes(form.quantity_tonnes.data),
                                     today=clock.today())

    return _confirm(shipment_id, "final_receive", record)


@bp.post("/shipments/<int:shipment_id>/final-recovery")
@guard("facility", "inspector")
def confirm_final_recovery(shipment_id: int):
    def record(session, form):
        return interim.final_recover(session, actor=current_user, shipment_id=shipment_id,
                                     completed_on=form.completed_on.data,
                                     operation_code=form.operation_code.data, today=clock.today())

    return _confirm(shipment_id, "final_recover", record)


# Missed deadlines -------------------------------------------------------------------------

@bp.get("/shipments/exceptions")
@guard("inspector", "admin", "shipper", "facility")
def exceptions():
    return _exceptions_page()


def _exceptions_page(failed: tuple[int, ResolveForm] | None = None, status: int = 200):
    session = db.session()
    rows = session.exec(exceptions_visible_to(current_user).order_by(ShipmentException.due_on,
                                                                      ShipmentException.id)).all()
    forms = {}
    if current_user.role == "inspector":
        forms = {e.id: ResolveForm(prefix=f"resolve-{e.id}", formdata=None) for e, _s, _p in rows}
        if failed:
            forms[failed[0]] = failed[1]
    return render_template("shipments/exceptions.html", rows=rows, forms=forms), status


@bp.post("/shipments/exceptions/<int:exception_id>/resolve")
@guard("inspector")
def resolve_exception(exception_id: int):
    form = ResolveForm(prefix=f"resolve-{exception_id}")
    session = db.session()
    if not form.validate_on_submit():
        return _exceptions_page((exception_id, form), 422)
    try:
        service.resolve_exception(session, actor=current_user, exception_id=exception_id, note=form.note.data)
    except DomainError as err:
        session.rollback()
        return _exceptions_page((exception_id, form), _show(form, err))
    session.commit()
    flash(_("The exception is resolved."), "success")
    return redirect(url_for("shipments.exceptions"))


# Export -------------------------------------------------------------------------------------

@bp.get("/shipments/export.csv")
@guard()
def export_csv():
    scope = export.scope_from(request.args, actor=current_user)
    export.authorize(db.session(), actor=current_user, scope=scope)
    return export.csv_response(db.engine(), export.statement(actor=current_user, scope=scope), scope)
