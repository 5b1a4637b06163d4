"""Indexes for the admin's audit filters: actor, action (and its prefix), date.

Revision ID: audit_filters
Revises: proc_processes
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'audit_filters'
down_revision: str | None = 'proc_processes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_actor_seq', ['actor_id', 'seq'], unique=False)
        batch_op.create_index('ix_audit_entry_action_seq', ['action', 'seq'], unique=False,
                              postgresql_ops={'action': 'text_pattern_ops'})
        batch_op.create_index('ix_audit_entry_at', ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_at')
        batch_op.drop_index('ix_audit_entry_action_seq')
        batch_op.drop_index('ix_audit_entry_actor_seq')
