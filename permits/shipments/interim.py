"""After an interim operation (R12, R13, D13-D15): the final facility's receipt and its
recovery or disposal, which closes the shipment, within one year of that receipt.

The interim facility's own confirmation (`services.recover_shipment`) leaves the shipment
`interim_completed`; the final facility named by the permit (or an inspector) confirms here.
"""
from __future__ import annotations

from datetime import date

from sqlmodel import Session

from permits.accounts.models import User
from permits.shipments import deadlines
from permits.shipments.models import Shipment
from permits.shipments.queries import can_confirm_final
from permits.shipments.services import _confirm, _confirmable, _date_between
from permits.shipments.state import invalid
from standards.clock import utcnow
from standards.errors import ValidationFailed
from standards.messages import N_, Message
from standards.problems import GREATER_THAN, problem


def final_receive(session: Session, *, actor: User, shipment_id: int, received_on: date,
                  received_kg: int, today: date) -> Shipment:
    """The final facility received what the interim facility sent on."""
    shipment, _permit, target = _confirmable(session, actor=actor, shipment_id=shipment_id,
                                             may=can_confirm_final, event="final_receive")
    _date_between(received_on, "received_on", earliest=shipment.completed_on,
                  earliest_name="interim_completion", today=today)
    if received_kg <= 0:
        raise invalid("quantity_tonnes", problem(GREATER_THAN, minimum=0))
    changes = {"status": target, "final_received_on": received_on,
               "final_received_kg": received_kg, "final_receipt_confirmed_at": utcnow()}
    return _confirm(session, actor=actor, shipment=shipment, changes=changes,
                    action="shipment.final_received", deadline=None, done_on=today, today=today)


def final_recover(session: Session, *, actor: User, shipment_id: int, completed_on: date,
                  operation_code: str, today: date) -> Shipment:
    """The final facility's certificate of recovery or disposal, by the permit's final operation."""
    shipment, permit, target = _confirmable(session, actor=actor, shipment_id=shipment_id,
                                            may=can_confirm_final, event="final_recover")
    _date_between(completed_on, "completed_on", earliest=shipment.final_received_on,
                  earliest_name="final_receipt", today=today)
    code = (operation_code or "").strip().upper()
    if code != permit.final_operation_code:
        raise ValidationFailed(Message.of("shipment.final_operation_mismatch", N_(
                                   "The permit's final operation is %(expected)s, not %(given)s."),
                                   expected=permit.final_operation_code, given=code or "none"),
                               {"operation_code": [Message.of("shipment.final_operation_field", N_(
                                   "must be the permit's final operation, %(expected)s"),
                                   expected=permit.final_operation_code)]},
                               code="operation_mismatch")
    changes = {"status": target, "final_completed_on": completed_on, "final_operation_code": code,
               "final_recovery_confirmed_at": utcnow()}
    return _confirm(session, actor=actor, shipment=shipment, changes=changes,
                    action="shipment.final_recovered", deadline=deadlines.FINAL_RECOVERY_OVERDUE,
                    done_on=today, today=today)
