"""Reminders before deadlines: one row per deadline and lead time, unique, so each is sent once.

Revision ID: notify_reminders
Revises: audit_filters
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'notify_reminders'
down_revision: str | None = 'audit_filters'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notice_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('lead_days', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_reminder')),
    sa.UniqueConstraint('kind', 'subject_id', 'due_on', 'lead_days', name='uq_notice_reminder_once')
    )


def downgrade() -> None:
    op.drop_table('notice_reminder')
