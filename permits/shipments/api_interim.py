"""After an interim operation, over the API: the final facility's receipt and its recovery or
disposal, which closes the shipment."""
from __future__ import annotations

from pydantic import Field

from permits.accounts.auth import api_user
from permits.api.blueprint import api
from permits.api.endpoint import endpoint
from permits.api.shapes import Body, InDate, Number
from permits.core import db
from permits.shipments import interim
from permits.shipments import services as service
from permits.shipments.api import _CONFIRMATION, Recovery, ShipmentPublic
from standards import clock


class FinalReceipt(Body):
    received_on: InDate
    quantity_tonnes: Number = Field(json_schema_extra={"exclusiveMinimum": 0,
                                                       "description": "what the final facility received"})


@api.post("/v1/shipments/<int:shipment_id>/final-receipt")
@endpoint("facility", "inspector", body=FinalReceipt, **_CONFIRMATION)
def confirm_final_receipt(shipment_id: int, body: FinalReceipt):
    """After an interim operation: the final facility confirms receipt (its users, or an inspector)"""
    return ShipmentPublic.of(interim.final_receive(
        db.session(), actor=api_user(), shipment_id=shipment_id, received_on=body.received_on,
        received_kg=service.kg_from_tonnes(body.quantity_tonnes), today=clock.today()))


@api.post("/v1/shipments/<int:shipment_id>/final-recovery")
@endpoint("facility", "inspector", body=Recovery, **_CONFIRMATION)
def confirm_final_recovery(shipment_id: int, body: Recovery):
    """After an interim operation: the final facility confirms recovery or disposal by the
    permit's final operation, within one year of its receipt; this closes the shipment"""
    return ShipmentPublic.of(interim.final_recover(
        db.session(), actor=api_user(), shipment_id=shipment_id, completed_on=body.completed_on,
        operation_code=body.operation_code, today=clock.today()))
