"""Receiving processes: a facility's processes (back-filled by derivation from what it accepts
and the operations it performs), a standard's processes, `unconfirmed` and the evidence a
practice needs, the catalogue entry a version was loaded from, and accessions per version.

Revision ID: proc_processes
Revises: admin_pages
Create Date: 2026-12-02 16:20:00
"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'proc_processes'
down_revision: str | None = 'admin_pages'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('facility', schema=None) as batch_op:
        batch_op.add_column(sa.Column('processes', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('standard', schema=None) as batch_op:
        batch_op.add_column(sa.Column('processes', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('unconfirmed', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('evidence_required', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('entry_version', sa.Integer(), nullable=True))

    with op.batch_alter_table('treaty_accession', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standard_version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
        batch_op.drop_constraint('uq_treaty_accession_standard_code_country', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_treaty_accession_standard_code_standard_version_country'),
            ['standard_code', 'standard_version', 'country'])

    # Every stored version so far was loaded from the catalogue entry of the same number.
    op.execute("UPDATE standard SET entry_version = version")
    _derive_facility_processes()


def _derive_facility_processes() -> None:
    # The facilities registered before processes existed run what their accepts and operations
    # say, by the catalogue's derivation rules (as `create_facility` derives them today).
    from standards.processes import derive_processes

    conn = op.get_bind()
    facility = sa.table('facility', sa.column('id', sa.Integer), sa.column('accepts', sa.JSON),
                        sa.column('operations', sa.JSON), sa.column('processes', sa.JSON))
    rows = conn.execute(sa.select(facility.c.id, facility.c.accepts, facility.c.operations)).all()
    for fid, accepts, operations in rows:
        derived = derive_processes(_list(accepts), _list(operations))
        if derived:
            conn.execute(facility.update().where(facility.c.id == fid).values(processes=derived))


def _list(value):
    return json.loads(value) if isinstance(value, str) else list(value or [])


def downgrade() -> None:
    with op.batch_alter_table('treaty_accession', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('uq_treaty_accession_standard_code_standard_version_country'), type_='unique')
        batch_op.create_unique_constraint('uq_treaty_accession_standard_code_country',
                                          ['standard_code', 'country'])
        batch_op.drop_column('source')
        batch_op.drop_column('standard_version')

    with op.batch_alter_table('standard', schema=None) as batch_op:
        batch_op.drop_column('entry_version')
        batch_op.drop_column('evidence_required')
        batch_op.drop_column('unconfirmed')
        batch_op.drop_column('processes')

    with op.batch_alter_table('facility', schema=None) as batch_op:
        batch_op.drop_column('processes')
