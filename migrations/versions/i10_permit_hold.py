"""continuous equivalence: a permit's hold (since, reasons, checks) and the standards its
standing decision checked

Revision ID: i10_permit_hold
Revises: i10_evidence_rules
Create Date: 2026-12-02 12:50:00

`decided_standards` starts empty for permits decided before: they are read from the permit's
standing decision until its next decision writes them.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'i10_permit_hold'
down_revision: str | None = 'i10_evidence_rules'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_COLUMNS = ('hold_reasons', 'hold_checks', 'decided_standards')


def upgrade() -> None:
    with op.batch_alter_table('permit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_since', sa.Date(), nullable=True))
        for name in JSON_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=False,
                                          server_default=sa.text("'[]'")))
    with op.batch_alter_table('permit', schema=None) as batch_op:
        for name in JSON_COLUMNS:
            batch_op.alter_column(name, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('permit', schema=None) as batch_op:
        for name in (*reversed(JSON_COLUMNS), 'hold_since'):
            batch_op.drop_column(name)
