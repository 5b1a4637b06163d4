"""shipments: the reports' covering index on the departure day (ix_shipment_departure_sums)
replaces the plain index on the day

Revision ID: bench_shipment_sums
Revises: notify_reminders
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'bench_shipment_sums'
down_revision: str | None = 'notify_reminders'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ['departed_on', 'permit_id', 'status', 'quantity_kg', 'received_kg', 'refused_kg', 'carrier']


def upgrade() -> None:
    with op.batch_alter_table('shipment', schema=None) as batch_op:
        batch_op.create_index('ix_shipment_departure_sums', COLUMNS, unique=False)
        batch_op.drop_index(batch_op.f('ix_shipment_departed_on'))


def downgrade() -> None:
    with op.batch_alter_table('shipment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipment_departed_on'), ['departed_on'], unique=False)
        batch_op.drop_index('ix_shipment_departure_sums')
