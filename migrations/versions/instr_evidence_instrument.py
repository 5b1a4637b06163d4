"""Evidence of kind `limit` may cite a source instrument by its code (standards/data/instruments.json).

Revision ID: instr_evidence_instrument
Revises: c16_carbon
Create Date: 2026-12-02 16:55:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'instr_evidence_instrument'
down_revision: str | None = 'c16_carbon'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instrument', sqlmodel.sql.sqltypes.AutoString(length=40),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_column('instrument')
