"""U.S. reference standards: the catalogue, waste and operation codes, units and the equivalence verdict."""

from sqlmodel import SQLModel

# Set here, in the bottom package, so every table of every package (all import this
# package first) gets constraint names Alembic can refer to on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
