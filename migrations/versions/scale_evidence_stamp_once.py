"""evidence: the PostgreSQL stamp trigger steps aside for a bulk writer that stamps each facility
once itself (`facility_registry.equivalence_stamp.stamped_once`): an import's executemany ran the
statement-level trigger once per evidence row, leaving ~30 dead versions of each facility's row

Revision ID: scale_evidence_stamp_once
Revises: scale_shipment_receipt_sums
"""
from collections.abc import Sequence

from alembic import op

from facility_registry.equivalence_stamp import install_triggers

revision: str = 'scale_evidence_stamp_once'
down_revision: str | None = 'scale_shipment_receipt_sums'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # CREATE OR REPLACE FUNCTION on PostgreSQL; SQLite's per-row triggers are unchanged.
    if op.get_bind().dialect.name == "postgresql":
        install_triggers(op.get_bind())


def downgrade() -> None:
    # The function's earlier body, without the step aside (the triggers themselves are the same).
    if op.get_bind().dialect.name == "postgresql":
        from facility_registry.equivalence_stamp import _POSTGRES_STAMP
        stamp = f"UPDATE facility SET equivalence_stamp = {_POSTGRES_STAMP}"
        op.execute(
            "CREATE OR REPLACE FUNCTION parity_stamp_evidence() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            f"IF TG_OP <> 'DELETE' THEN {stamp} WHERE id IN (SELECT facility_id FROM new_rows); END IF; "
            f"IF TG_OP <> 'INSERT' THEN {stamp} WHERE id IN (SELECT facility_id FROM old_rows); END IF; "
            "RETURN NULL; END $$")
