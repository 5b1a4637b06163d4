"""Audit chain verification over the API (admin)."""
from pydantic import BaseModel

from permits.api.blueprint import api
from permits.api.endpoint import endpoint
from permits.api.shapes import Sparse
from permits.audit import chain as audit
from permits.core import db


class FirstBad(BaseModel):
    seq: int
    problem: str


class AuditVerification(Sparse):
    ok: bool
    entries: int
    head: str
    first_bad: FirstBad | None = None


@api.get("/v1/audit/verify")
@endpoint("admin", returns=AuditVerification)
def verify_audit():
    """Verify the audit chain"""
    return audit.verify(db.session()).to_dict()
