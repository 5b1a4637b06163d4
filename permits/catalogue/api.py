"""The standards catalogue over the API: what is in force on a day, each standard's versions,
adding a version (admin), and the waste and operation code lists."""
from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from flask import request
from pydantic import Field

from permits.accounts.auth import api_user
from permits.api.blueprint import api
from permits.api.common import bad_cursor, page_limit
from permits.api.endpoint import endpoint
from permits.api.errors import validation_failed
from permits.api.shapes import Body, Day, InDate, Number, Page, Public, Query, Says
from permits.catalogue import services as catalogue_admin
from permits.core import db
from standards import codes, processes
from standards.catalogue import get_standard, standards_in_force
from standards.clock import utcnow
from standards.errors import NotFound, UnknownStandard
from standards.messages import N_, Message
from standards.models import Standard

MEDIA = ("workplace_air", "ambient_air", "stack_gas", "blood", "leachate", "wastewater", "practice")


# ---- shapes -----------------------------------------------------------------------------------

class Limit(Public):
    """The U.S. value in its canonical unit; a required practice has value true and unit null."""

    value: Number | bool
    unit: str | None


class StandardPublic(Public):
    code: str = Field(description="kebab-case, e.g. osha-lead-pel")
    title: str
    pollutant: str
    medium: Literal[MEDIA]
    category: Literal["occupational", "environmental", "residue"]
    limit: Limit
    basis: str = Field(description="8h_twa, rolling_3_month, 24h, annual, tclp, ...")
    direction: Literal["max", "min", "required"]
    exclusive: bool = Field(description='The value itself fails ("3 percent opacity or greater").')
    applies_to: list[str]
    citation: str
    source: Literal["us_federal", "treaty"]
    effective_from: Day
    version: int = Field(ge=1)
    freshness_months: int = Field(ge=1, description="How old the newest measurement may be.")
    note: str | None
    processes: list[str] = Field(
        description="The receiving processes it governs (GET /api/v1/processes); empty: every process.")
    unconfirmed: bool = Field(
        description="The value or citation is not confirmed against the rule text; applied all the same.")
    evidence_required: str | None = Field(
        description="A required practice: the evidence that shows it is in place.")

    @classmethod
    def of(cls, standard: Standard, **extra) -> StandardPublic:
        required = standard.direction == "required"
        return cls.model_validate({
            **{name: getattr(standard, name) for name in (
                "code", "title", "pollutant", "medium", "category", "basis", "direction", "exclusive",
                "applies_to", "citation", "source", "effective_from", "version", "freshness_months",
                "note", "evidence_required")},
            "processes": list(standard.processes or []), "unconfirmed": bool(standard.unconfirmed),
            "limit": {"value": True if required else standard.value, "unit": standard.unit}, **extra})


class StandardVersion(StandardPublic):
    effective_until: Day | None = Field(
        description="The day the next version took over; null for the newest version.")


class StandardHistory(Public):
    code: str
    title: str
    in_force_version: int | None = Field(description="The version in force today (null: none yet).")
    versions: list[StandardVersion]


class NewStandardVersion(Body):
    unknown_field: ClassVar[str] = Message.of("catalogue.unknown_field", N_("is not a field of a standard version"))
    value: Annotated[Number | bool, Says(Message.of("catalogue.value_type", N_("must be a number, or true for a required practice")))] = Field(
        description="A number; true for a required practice.")
    unit: str | None = Field(None, description="Any unit convertible to the standard's; null for a practice.")
    effective_from: InDate
    citation: str = Field(json_schema_extra={"minLength": 1})
    note: str | None = None


class WasteCodePublic(Public):
    code: str
    system: Literal["rcra", "basel_annex_viii", "basel_annex_ix"]
    description: str
    byproducts: list[str]
    citation: str


class OperationCodePublic(Public):
    code: str
    kind: Literal["recovery", "disposal"]
    description: str
    interim: bool = Field(description="R12, R13, D13-D15: the final facility and operation must be named.")


class ProcessDerivation(Public):
    accepts: list[str] = Field(description="Byproducts: the facility accepts one of them (empty: any).")
    operations: list[str] = Field(description="Basel Annex IV codes: it performs one of them (empty: any).")


class ProcessPublic(Public):
    code: str = Field(description="e.g. secondary_lead_smelting, metals_recovery_kiln")
    title: str
    description: str
    derived_from: ProcessDerivation = Field(
        description="A facility that declares no process runs those whose derivation it matches.")


class InForce(Query):
    on: InDate | None = None
    byproduct: str | None = Field(None, description="Only the entries that apply to this byproduct.")


class ByByproduct(Query):
    byproduct: str | None = Field(None, description="Only the entries that apply to this byproduct.")


# ---- paging a short list held in memory -------------------------------------------------------
# The catalogue and the code lists are a few dozen rows in a fixed order (by code, or R before
# D), not a growing history: a page continues after the code the previous page ended on.

def _page(rows: Sequence[Any], shape) -> dict[str, Any]:
    limit = page_limit()
    keys = [row.code for row in rows]
    start = 0
    cursor = request.args.get("cursor")
    if cursor:
        after = _decode_cursor(cursor)
        if after not in keys:
            raise bad_cursor()
        start = keys.index(after) + 1
    page = rows[start:start + limit]
    more = start + limit < len(rows)
    return {"items": [shape(row) for row in page], "total": len(rows),
            "next": _encode_cursor(page[-1].code) if more else None}


def _encode_cursor(code: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": code}).encode()).decode()


def _decode_cursor(cursor: str) -> str:
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor.encode()))["after"]
    except (ValueError, KeyError, TypeError) as exc:
        raise bad_cursor() from exc
    if not isinstance(after, str):
        raise bad_cursor()
    return after


def _byproduct(given: str | None) -> str | None:
    byproduct = (given or "").strip()
    if not byproduct:
        return None
    known = catalogue_admin.known_byproducts(db.session())
    if byproduct not in known:
        raise validation_failed({"byproduct": [f"must be one of {', '.join(known)}"]},
                                f"The catalogue knows no byproduct {byproduct!r}.")
    return byproduct


# ---- standards --------------------------------------------------------------------------------

@api.get("/v1/standards")
@endpoint(query=InForce, returns=Page[StandardPublic], paged=True)
def list_standards(query: InForce):
    """The U.S. reference standards in force on a day (today by default), by code"""
    rows = standards_in_force(db.session(), query.on or utcnow().date(), _byproduct(query.byproduct))
    return _page(rows, StandardPublic.of)


@api.get("/v1/standards/<code>")
@endpoint(returns=StandardHistory)
def standard_history(code: str):
    """Every version of one standard, newest first, with its effective dates"""
    session = db.session()
    try:
        versions = catalogue_admin.version_history(session, code)
    except UnknownStandard as exc:
        raise NotFound(exc.message) from exc
    in_force = get_standard(session, code, utcnow().date())
    return {
        "code": code,
        "title": versions[0].title,
        "in_force_version": in_force.version if in_force else None,
        "versions": [_version(v, until) for v, until in catalogue_admin.with_end_dates(versions)],
    }


def _version(version: Standard, until: date | None) -> StandardVersion:
    return StandardVersion.of(version, effective_until=until)


@api.post("/v1/standards/<code>/versions")
@endpoint("admin", status=201, body=NewStandardVersion, returns=StandardVersion, errors=(404,))
def add_standard_version(code: str, body: NewStandardVersion):
    """Add a version of a standard: a new value from a date, with its citation

    Admins only. The value may be given in any unit convertible to the standard's; it is stored
    converted. The effective date must be after the newest version's. Writes an audit entry.
    """
    try:
        version = catalogue_admin.add_standard_version(
            db.session(), actor_id=api_user().id, code=code, value=body.value, unit=body.unit,
            effective_from=body.effective_from, citation=body.citation, note=body.note)
    except UnknownStandard as exc:
        raise NotFound(exc.message) from exc
    return _version(version, None)


# ---- codes ------------------------------------------------------------------------------------

@api.get("/v1/codes/waste")
@endpoint(query=ByByproduct, returns=Page[WasteCodePublic], paged=True)
def list_waste_codes(query: ByByproduct):
    """RCRA and Basel waste codes, with the byproducts each may describe"""
    rows = codes.waste_codes(db.session())
    byproduct = _byproduct(query.byproduct)
    if byproduct:
        rows = [row for row in rows if byproduct in row.byproducts]
    return _page(rows, WasteCodePublic.model_validate)


@api.get("/v1/processes")
@endpoint(returns=Page[ProcessPublic], paged=True)
def list_processes():
    """The receiving processes: what a plant does with what it receives, which decides the U.S.
    standards that govern it"""
    return _page(list(processes.processes()), lambda p: ProcessPublic.model_validate(p.to_dict()))


@api.get("/v1/codes/operations")
@endpoint(returns=Page[OperationCodePublic], paged=True)
def list_operation_codes():
    """Basel Annex IV recovery (R) and disposal (D) operations"""
    return _page(codes.operation_codes(db.session()), OperationCodePublic.model_validate)
