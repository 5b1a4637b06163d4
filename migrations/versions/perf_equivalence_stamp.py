"""The facility's equivalence stamp, and the triggers that change it (evidence, standards, treaty
accessions): the key a remembered shipment-time verdict is kept under.

Revision ID: perf_equivalence_stamp
Revises: bench_shipment_sums
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from facility_registry.equivalence_stamp import BITS, install_triggers

revision: str = 'perf_equivalence_stamp'
down_revision: str | None = 'bench_shipment_sums'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('facility', schema=None) as batch_op:
        batch_op.add_column(sa.Column('equivalence_stamp', sa.BigInteger(), nullable=True))
    # A random stamp for every facility already registered (NULL would only mean "not remembered").
    random = (f"(random() & {2 ** BITS - 1})" if op.get_bind().dialect.name == "sqlite"
              else f"floor(random() * {2 ** BITS - 1})::bigint")
    op.execute(f"UPDATE facility SET equivalence_stamp = {random}")
    install_triggers(op.get_bind())


def downgrade() -> None:
    conn = op.get_bind()
    names = ["evidence_stamp_insert", "evidence_stamp_update", "evidence_stamp_delete"]
    if conn.dialect.name == "postgresql":
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON evidence")
        for table in ("standard", "treaty_accession"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_stamp ON {table}")
        op.execute("DROP FUNCTION IF EXISTS parity_stamp_evidence()")
        op.execute("DROP FUNCTION IF EXISTS parity_stamp_every_facility()")
    else:
        for table in ("standard", "treaty_accession"):
            names += [f"{table}_stamp_{op_}" for op_ in ("insert", "update", "delete")]
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('facility', schema=None) as batch_op:
        batch_op.drop_column('equivalence_stamp')
