"""shipments: a permit's page, newest first, read off an index on (permit_id, id)
(ix_shipment_permit_newest), which replaces the index on permit_id alone: PostgreSQL read and
sorted every shipment of the permit for a page of fifty (0.6 ms at 2,000 shipments)

Revision ID: perf_shipment_permit_newest
Revises: scale_evidence_stamp_once
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'perf_shipment_permit_newest'
down_revision: str | None = 'scale_evidence_stamp_once'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('shipment', schema=None) as batch_op:
        batch_op.create_index('ix_shipment_permit_newest', ['permit_id', 'id'], unique=False)
        batch_op.drop_index('ix_shipment_permit_id')


def downgrade() -> None:
    with op.batch_alter_table('shipment', schema=None) as batch_op:
        batch_op.create_index('ix_shipment_permit_id', ['permit_id'], unique=False)
        batch_op.drop_index('ix_shipment_permit_newest')
