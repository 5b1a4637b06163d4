"""A rapid-response case may hold the permits naming its facility while it is investigated:
the permit records which case holds it.

Revision ID: c16_case_hold
Revises: instr_evidence_instrument
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c16_case_hold'
down_revision: str | None = 'instr_evidence_instrument'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('permit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_case_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_permit_hold_case_id_enforcement_case'),
                                    'enforcement_case', ['hold_case_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('permit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_permit_hold_case_id_enforcement_case'),
                                 type_='foreignkey')
        batch_op.drop_column('hold_case_id')
