"""Shipments logged under a permit, and the exceptions opened when one misses a deadline."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from permits.core.fields import timestamp_field

SHIPMENT_STATUSES = ("in_transit", "received", "refused", "recovered", "returned",
                     "interim_completed", "final_received")
# A missed deadline; and `return_reported`, the report every return gets, late or not
# (40 CFR 262.83(e)).
EXCEPTION_KINDS = ("receipt_overdue", "recovery_overdue", "return_overdue", "return_reported",
                   "final_recovery_overdue")


class Shipment(SQLModel, table=True):
    """One load that left under a permit, travelling with its movement document."""

    # The reports sum a month's or a year's shipments per permit (count, kilograms by status,
    # carriers): led by the departure day and holding every column those sums read, this index
    # answers them without visiting the table. On SQLite, a plain index on the day made a year
    # of a million shipments a million random row reads, 5x slower than this (benchmarks/).
    # The carbon report sums each permit's receipts of a year: this one answers that from the
    # index too (a plain permit_id index left SQLite a random table read per shipment).
    # A permit's shipments, newest first (its page in the API), come straight off this one, its
    # first rows first: on PostgreSQL, with permit_id alone, every shipment of the permit was
    # read and sorted for a page of fifty (0.6 ms at 2,000 shipments, growing with each).
    __table_args__ = (Index("ix_shipment_departure_sums", "departed_on", "permit_id", "status",
                            "quantity_kg", "received_kg", "refused_kg", "carrier"),
                      Index("ix_shipment_receipt_sums", "permit_id", "received_on", "received_kg",
                            "refused_kg"),
                      Index("ix_shipment_permit_newest", "permit_id", "id"))

    id: int | None = Field(default=None, primary_key=True)
    permit_id: int = Field(foreign_key="permit.id")
    # The number printed on the paper that travels with the load; one load, one document.
    movement_document: str = Field(max_length=64, unique=True)
    carrier: str = Field(max_length=200)  # one of the permit's transporters, as the permit spells it
    quantity_kg: int  # as shipped
    departed_on: date  # reports group by month of departure (ix_shipment_departure_sums)
    expected_arrival_on: date
    # Whose public holidays the working-day deadlines skip: the receiving facility's country,
    # and its province or state where known ("MX", "CA-ON"), as it was when the load left.
    holiday_region: str | None = Field(default=None, max_length=10)
    status: str = Field(default="in_transit", max_length=20, index=True)
    # Set when the receiving facility confirms receipt: what arrived, weighed at the gate.
    received_on: date | None = None
    received_kg: int | None = None
    discrepancy: bool = False  # received differs from shipped by more than the tolerance
    # A refusal: the whole load at the gate, or part of what was received. It must go back.
    refused_on: date | None = None
    refused_kg: int = 0
    refusal_reason: str | None = Field(default=None, max_length=1000)
    returned_on: date | None = None
    # The certificate of recovery or disposal.
    completed_on: date | None = None
    recovery_operation_code: str | None = Field(default=None, max_length=4)
    # When each confirmation was recorded, as opposed to the dates it states: a deadline
    # is about when the facility told us, not when it says the thing happened.
    receipt_confirmed_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    recovery_confirmed_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    # After an interim operation: the final facility's receipt and its recovery or disposal,
    # which closes the chain (within one year of that receipt).
    final_received_on: date | None = None
    final_received_kg: int | None = None
    final_completed_on: date | None = None
    final_operation_code: str | None = Field(default=None, max_length=4)
    final_receipt_confirmed_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    final_recovery_confirmed_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    logged_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()

    @property
    def arrived_on(self) -> date | None:
        """The day the load reached the facility, accepted or turned away."""
        return self.received_on or self.refused_on

    @property
    def accepted_kg(self) -> int:
        """What the facility kept and must recover or dispose of."""
        return max((self.received_kg or 0) - self.refused_kg, 0)


class ShipmentException(SQLModel, table=True):
    """A deadline a shipment missed, or a return reported; open until an inspector resolves it
    with a note."""

    __tablename__ = "shipment_exception"
    # One exception per shipment and kind: the daily sweep can run any number of times.
    __table_args__ = (UniqueConstraint("shipment_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    shipment_id: int = Field(foreign_key="shipment.id", index=True)
    due_on: date
    detected_on: date
    # A return's report says why the load came back, how much, and where it goes now.
    reason: str | None = Field(default=None, max_length=2000)
    quantity_kg: int | None = None
    destination: str | None = Field(default=None, max_length=500)
    resolved_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    resolution_note: str | None = Field(default=None, max_length=2000)
    resolved_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = timestamp_field()

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
