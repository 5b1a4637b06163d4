"""Carbon measured and verified: a report by a named method with its activity data, the total
and intensities computed, verified or rejected by an inspector. Existing reports are kept as
`legacy` (their typed intensity and their own words for the method), unverified.

Revision ID: c16_carbon
Revises: c16_cases
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'c16_carbon'
down_revision: str | None = 'c16_cases'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STANDING = sa.text("rejected_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table('carbon_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legacy', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('process', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('activity', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('tonnes_received', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('tonnes_processed', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('total_tco2e', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('tonnes_co2e_per_tonne_received', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('reported_by_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('verified', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('verified_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rejected_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rejected_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rejection_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
        batch_op.drop_constraint('uq_carbon_report_facility_id_year', type_='unique')
        batch_op.create_index('uq_carbon_report_standing', ['facility_id', 'year'], unique=True,
                              sqlite_where=_STANDING, postgresql_where=_STANDING)
    # Every row so far is legacy (the server default said so); new rows say what they are.
    with op.batch_alter_table('carbon_report', schema=None) as batch_op:
        batch_op.alter_column('legacy', server_default=sa.false())


def downgrade() -> None:
    op.execute("DELETE FROM carbon_report WHERE rejected_at IS NOT NULL")
    with op.batch_alter_table('carbon_report', schema=None) as batch_op:
        batch_op.drop_index('uq_carbon_report_standing')
        batch_op.create_unique_constraint('uq_carbon_report_facility_id_year', ['facility_id', 'year'])
        for column in ('rejection_reason', 'rejected_by_id', 'rejected_at', 'verified_at',
                       'verified_by_id', 'verified', 'reported_by_role',
                       'tonnes_co2e_per_tonne_received', 'total_tco2e', 'tonnes_processed',
                       'tonnes_received', 'activity', 'process', 'legacy'):
            batch_op.drop_column(column)
