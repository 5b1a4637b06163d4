"""Audit verification over the API (admin): the chain, and the live records against it."""
from typing import Any

from pydantic import BaseModel, Field

from permits.api.blueprint import api
from permits.api.endpoint import endpoint
from permits.api.shapes import Sparse
from permits.audit import verification
from permits.core import db


class FirstBad(BaseModel):
    seq: int
    problem: str


class Problem(BaseModel):
    entity: str = Field(description="audit_entry, checkpoint, permit, facility, shipment, user or decision")
    id: int | None
    field: str | None = None
    chain: Any = Field(None, description="what the audit chain says the field must hold")
    live: Any = Field(None, description="what the live row holds")
    problem: str


class AuditVerification(Sparse):
    ok: bool
    entries: int
    head: str
    first_bad: FirstBad | None = None
    problems: list[Problem]
    problems_total: int | None = Field(None, description="when more problems were found than listed")


@api.get("/v1/audit/verify")
@endpoint("admin", returns=AuditVerification)
def verify_audit():
    """Verify the audit chain and the live records against it"""
    return verification.verify(db.session()).to_dict()
