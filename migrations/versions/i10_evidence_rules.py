"""continuous equivalence: evidence rules (comparator, shift length, stack-gas conditions,
subjects, rejections and corrections; rule terms of the standards)

Revision ID: i10_evidence_rules
Revises: 0001
Create Date: 2026-12-02 12:25:07.514177

Besides the columns, the stored catalogue rows are corrected in place as the packaged catalogue
2026.2 states them (the loader never overwrites a stored version): blood-lead removal at 60 and
the average of 50 are "at or above" rules (exclusive); the lead PEL shrinks for long shifts; the
average is computed from the per-test results; the EAF particulate limit is at dry standard
conditions; and the 40 CFR 421 effluent limits are loads, mg/kg of product, not mg/kg.
Evidence stored for the effluent standards in plain mg/kg was a concentration taken for a load:
it keeps its unit and now reads as incomparable.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'i10_evidence_rules'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EFFLUENT = ("epa-secondary-lead-effluent-daily-max", "epa-secondary-lead-effluent-monthly-avg")


def upgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comparator', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True))
        batch_op.add_column(sa.Column('shift_hours', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('conditions', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch_op.add_column(sa.Column('rejected_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rejected_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rejection_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True))
        batch_op.add_column(sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('corrected_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('corrective_action', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True))
        batch_op.add_column(sa.Column('remeasurement_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_evidence_remeasurement_id_evidence'), 'evidence', ['remeasurement_id'], ['id'])

    with op.batch_alter_table('standard', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shift_adjusted', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('computed_from', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch_op.add_column(sa.Column('reference_conditions', sa.JSON(), nullable=True))
    with op.batch_alter_table('standard', schema=None) as batch_op:
        batch_op.alter_column('shift_adjusted', server_default=None)

    standard = sa.table('standard', sa.column('code', sa.String), sa.column('exclusive', sa.Boolean),
                        sa.column('shift_adjusted', sa.Boolean), sa.column('computed_from', sa.String),
                        sa.column('reference_conditions', sa.JSON), sa.column('unit', sa.String))
    op.execute(standard.update().where(standard.c.code.in_(
        ("osha-lead-blood-removal", "osha-lead-blood-removal-average"))).values(exclusive=True))
    op.execute(standard.update().where(standard.c.code == "osha-lead-pel").values(shift_adjusted=True))
    op.execute(standard.update().where(standard.c.code == "osha-lead-blood-removal-average")
               .values(computed_from="osha-lead-blood-removal"))
    op.execute(standard.update().where(standard.c.code == "epa-eaf-particulate").values(
        reference_conditions={"temperature_c": 20, "pressure_kpa": 101.325, "dry": True}))
    op.execute(standard.update().where(standard.c.code.in_(EFFLUENT), standard.c.unit == "mg/kg")
               .values(unit="mg/kg of product"))


def downgrade() -> None:
    standard = sa.table('standard', sa.column('code', sa.String), sa.column('exclusive', sa.Boolean),
                        sa.column('unit', sa.String))
    op.execute(standard.update().where(standard.c.code.in_(EFFLUENT)).values(unit="mg/kg"))
    op.execute(standard.update().where(standard.c.code.in_(
        ("osha-lead-blood-removal", "osha-lead-blood-removal-average"))).values(exclusive=False))
    with op.batch_alter_table('standard', schema=None) as batch_op:
        batch_op.drop_column('reference_conditions')
        batch_op.drop_column('computed_from')
        batch_op.drop_column('shift_adjusted')

    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_evidence_remeasurement_id_evidence'), type_='foreignkey')
        for column in ('remeasurement_id', 'corrective_action', 'corrected_by_id', 'corrected_at',
                       'rejection_reason', 'rejected_by_id', 'rejected_at', 'subject',
                       'conditions', 'shift_hours', 'comparator'):
            batch_op.drop_column(column)
