"""The tables of the standards catalogue: standard versions, treaty accessions and the code lists."""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from standards.fresh import empty_list

__all__ = ["OperationCode", "Standard", "TreatyAccession", "WasteCode"]



class Standard(SQLModel, table=True):
    """One version of one U.S. reference standard; a new value is a new version, never an edit."""

    __tablename__ = "standard"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, max_length=80)  # kebab-case, e.g. "osha-lead-pel"
    version: int = Field(ge=1)
    title: str
    pollutant: str = Field(max_length=40)
    medium: str = Field(max_length=20)  # workplace_air, ambient_air, stack_gas, blood, ...
    category: str = Field(max_length=20)  # occupational | environmental | residue
    # The U.S. value in `unit`, the canonical unit every reading is converted to first.
    # None for a `required` practice, whose only acceptable answer is "in place".
    value: float | None = None
    unit: str | None = Field(default=None, max_length=20)
    basis: str = Field(max_length=30)  # averaging or test basis: 8h_twa, tclp, per_test, ...
    direction: str = Field(max_length=10)  # max | min | required
    # True when the rule text makes the value itself a violation ("3 percent opacity or
    # greater"), so only a value strictly on the right side of it meets.
    exclusive: bool = False
    # True when the value is for an 8-hour day and shrinks for longer shifts: value × 8 ÷ hours
    # (29 CFR 1910.1025(c)(2), "400 ÷ hours worked in the day").
    shift_adjusted: bool = False
    # The per-test standard whose tests this one's averages are computed from ("the average of
    # the last three tests"), or None when measurements are entered as they are.
    computed_from: str | None = Field(default=None, max_length=80)
    # Stack gas: the conditions the U.S. value is stated at (temperature_c, pressure_kpa, dry,
    # o2_percent); a measurement at other conditions is converted to them, or is incomparable.
    reference_conditions: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    applies_to: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    citation: str
    source: str = Field(default="us_federal", max_length=20)  # us_federal | treaty
    effective_from: date
    freshness_months: int = Field(default=12, ge=1)
    note: str | None = None
    # The receiving processes it governs (codes of the catalogue's `processes`); empty: every
    # process. A U.S. rule governs the plant doing the same thing in the U.S., not every plant
    # receiving the byproduct (DOMAIN.md, "Standards apply to the receiving process").
    processes: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    # True when the value or citation could not be confirmed against the rule text: applied
    # like the others, but shown as unconfirmed wherever it is shown.
    unconfirmed: bool = False
    # A `required` practice: the evidence that shows it is in place (a written plan, a bag-leak
    # detector's records, ...); None for a limit.
    evidence_required: str | None = None
    # The version number the catalogue file gave the entry this row was loaded from (a changed
    # entry is loaded again as a new version with the same entry_version); None for a version
    # an administrator added.
    entry_version: int | None = None


class TreatyAccession(SQLModel, table=True):
    """When one of the three countries joined the treaty behind a `treaty` standard (None: not yet).

    Accessions belong to a version of the standard: a corrected accession date is a new version
    with its own rows, never an edit. A version without rows of its own reads those of the
    newest earlier version that has them."""

    __tablename__ = "treaty_accession"
    __table_args__ = (
        UniqueConstraint("standard_code", "standard_version", "country"),
    )

    id: int | None = Field(default=None, primary_key=True)
    standard_code: str = Field(index=True, max_length=80)
    standard_version: int = Field(default=1, ge=1)
    country: str = Field(max_length=2)  # US | MX | CA
    joined_on: date | None = None
    # Where the accession date was read (the depositary's status table, a gazette, ...).
    source: str | None = Field(default=None, max_length=500)


class WasteCode(SQLModel, table=True):
    """A RCRA or Basel waste code and the byproducts it may describe."""

    __tablename__ = "waste_code"

    code: str = Field(primary_key=True, max_length=10)
    system: str = Field(max_length=20)  # rcra | basel_annex_viii | basel_annex_ix
    description: str
    byproducts: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    citation: str = ""


class OperationCode(SQLModel, table=True):
    """A Basel Annex IV recovery (R) or disposal (D) operation."""

    __tablename__ = "operation_code"

    code: str = Field(primary_key=True, max_length=4)
    kind: str = Field(max_length=10)  # recovery | disposal
    description: str
    # R12, R13 and D13-D15 only prepare waste for another operation elsewhere.
    interim: bool = False
