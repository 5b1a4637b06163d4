"""A permit read (`GET /api/v1/permits/{id}`) answered from plain rows: PermitPublic's JSON,
field for field, without loading the permit as a model or validating it into the shape.

The permit is read with SQLAlchemy Core, through the same visibility rule as every other read
(`services.visible_to`, built once per role with the caller's ids as parameters), joined in the
same statement to its standing decision, answered as the JSON text `decision_answers` keeps per
stored record, and to its live consents, plain rows (not their papers' bytes) as `consent_json`
writes them: one statement. A permit on hold (its
`hold` names checks through their shape) is answered the long way, through the shape, as
before. tests/permits/test_permit_read_shape.py holds this answer to the shape's, field for
field and type for type.
"""
from __future__ import annotations

from collections import namedtuple
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from permits.accounts.models import User
from permits.api.json_text import fragment
from permits.api.shapes import in_utc
from permits.consents.gate import consent_row, live_consents_joined
from permits.consents.shapes import consent_json
from permits.core.db import Prepared
from permits.permitting import decision_answers
from permits.permitting import services as service
from permits.permitting.decision_models import Decision
from permits.permitting.models import Permit
from standards import clock
from standards.vocabulary import kg_to_tonnes

_TABLE = Permit.__table__
_READ: dict[str, Prepared] = {}
_Plain = namedtuple("_Plain", [column.name for column in _TABLE.c])
# Each row: the permit's columns, its standing decision's (null: none), one live consent's
# (null: none; a row for each consent, the permit's and the decision's repeated).
_WIDTH = len(_TABLE.c)
_DECIDED = _WIDTH + len(decision_answers.COLUMNS)
_DECISION = Decision.__table__


def _statement(role: str) -> Prepared:
    """The permit's row if a caller of `role` may see it: `visible_to` applied to a stand-in
    whose ids are bound parameters, so the rule is the services' own and the statement is built
    (and compiled) once per role and dialect."""
    statement = _READ.get(role)
    if statement is None:
        stand_in = SimpleNamespace(role=role, organization_id=bindparam("organization_id"),
                                   facility_id=bindparam("facility_id"), country=bindparam("country"))
        consent, live, consent_columns, order = live_consents_joined(_TABLE.c.id)
        statement = Prepared(
            select(*_TABLE.c, *decision_answers.COLUMNS, *consent_columns)
            .select_from(_TABLE.outerjoin(_DECISION, _DECISION.c.id == decision_answers.standing_id(_TABLE.c.id))
                         .outerjoin(consent, live))
            .where(_TABLE.c.id == bindparam("permit_id"), service.visible_to(stand_in))
            .order_by(order))
        _READ[role] = statement
    return statement


def _day(value) -> str | None:
    return None if value is None else value.isoformat()


def permit_answer(session: Session, *, permit_id: int, actor: User) -> dict[str, Any] | None:
    """The permit as PermitPublic's JSON values (its decision as a `json_text.fragment`), or None
    for a permit on hold, which the caller answers through the shape. 404 as `get_permit`."""
    rows = _statement(actor.role).rows(session.connection(), {
        "permit_id": permit_id, "organization_id": actor.organization_id,
        "facility_id": actor.facility_id, "country": actor.country})
    if not rows:
        service.get_permit(session, permit_id=permit_id, actor=actor)  # its 404, in its words
        return None  # visible after all (written since): the long way
    decision = decision_answers.kept_for(rows[0][_WIDTH:_DECIDED])
    consents = [consent_row(r[_DECIDED:]) for r in rows if r[_DECIDED] is not None]
    row = _Plain._make(rows[0][:_WIDTH])  # a row's attributes by name cost a microsecond each; a tuple's do not
    if row.status == "on_hold":
        return None
    today = clock.today()
    return {
        "id": row.id, "number": row.number, "status": row.status, "status_reason": row.status_reason,
        "organization_id": row.organization_id, "applicant_id": row.applicant_id,
        "byproduct": row.byproduct, "waste_codes": row.waste_codes,
        "quantity_tonnes": kg_to_tonnes(row.quantity_kg), "shipments_planned": row.shipments_planned,
        "valid_from": _day(row.valid_from), "valid_to": _day(row.valid_to),
        "receiving_facility_id": row.receiving_facility_id, "operation_code": row.operation_code,
        "final_facility_id": row.final_facility_id, "final_operation_code": row.final_operation_code,
        "origin": row.origin, "route": row.route, "transporters": row.transporters,
        "used_tonnes": kg_to_tonnes(row.used_kg), "shipments_used": row.shipments_used,
        "created_at": in_utc(row.created_at),
        "submitted_at": None if row.submitted_at is None else in_utc(row.submitted_at),
        "hold": None, "consent_status": row.consent_status, "consent_until": _day(row.consent_until),
        "decision": None if decision is None else fragment(decision[1]),
        "consents": [consent_json(c, viewer=actor, today=today) for c in consents],
    }
