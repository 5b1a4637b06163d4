"""The public register of permits: numbers, statuses, decisions and their hashes, no personal data.

No token is needed. Who applied, the transporters and the origin's name are left out; the
receiving facility is a registered business and is named.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlmodel import select

from facility_registry.models import Facility
from permits.api.blueprint import api
from permits.api.common import paginate
from permits.api.endpoint import endpoint
from permits.api.shapes import Day, Page, Public, Query, Sparse, UtcTimestamp, described_as
from permits.audit import checkpoints, livestate
from permits.audit.api_checkpoints import CheckpointShape
from permits.core import db
from permits.core.extensions import PROOF_LIMIT, limiter
from permits.permitting import decisions
from permits.permitting.api_shapes import DecisionCheck, Rule
from permits.permitting.decision_models import Decision
from permits.permitting.models import PERMIT_STATUSES, Permit
from permits.permitting.services import on_public_register
from standards.errors import NotFound
from standards.messages import N_, Message
from standards.vocabulary import kg_to_tonnes as tonnes

PUBLIC_STATUSES = tuple(s for s in PERMIT_STATUSES if s != "draft")


class PublicFacility(Public):
    id: int
    name: str
    country: str
    status: str


class PublicDecision(Sparse):
    outcome: Literal["approved", "denied", "under_review"]
    decided_at: UtcTimestamp
    standards_version: str
    record_hash: str = Field(json_schema_extra={"pattern": "^[0-9a-f]{64}$"})
    reasons: list[str]
    checks: described_as(DecisionCheck, many=True) = None
    rules: described_as(Rule, many=True) = None


class Verification(Public):
    record_hash: str
    recomputed_hash: str
    matches: bool


class Integrity(Public):
    live_matches_record: bool
    disagreements: list[str]
    note: str


class PublicPermit(Sparse):
    number: str
    status: Literal[PUBLIC_STATUSES]
    byproduct: str
    waste_codes: list[str]
    quantity_tonnes: float
    used_tonnes: float
    shipments_planned: int
    valid_from: Day
    valid_to: Day
    operation_code: str
    origin_country: str | None
    transit_countries: list[str]
    receiving_facility: PublicFacility
    decision: PublicDecision | None
    verification: Verification | None = None
    integrity: Integrity | None = None

    @classmethod
    def of(cls, permit: Permit, facility: Facility, decision: Decision | None, *,
           full: bool = False) -> PublicPermit:
        body: dict[str, Any] = {
            **{name: getattr(permit, name) for name in (
                "number", "status", "byproduct", "waste_codes", "shipments_planned", "valid_from",
                "valid_to", "operation_code")},
            "quantity_tonnes": tonnes(permit.quantity_kg), "used_tonnes": tonnes(permit.used_kg),
            "origin_country": (permit.origin or {}).get("country"),
            "transit_countries": (permit.route or {}).get("transit_countries", []),
            "receiving_facility": facility, "decision": None,
        }
        if decision is not None:
            body["decision"] = {name: getattr(decision, name) for name in (
                "outcome", "decided_at", "standards_version", "record_hash", "reasons")}
            if full:
                recomputed = decisions.record_hash(decision)
                body["decision"].update(checks=decision.checks, rules=decision.rules)
                body["verification"] = {"record_hash": decision.record_hash,
                                        "recomputed_hash": recomputed,
                                        "matches": recomputed == decision.record_hash}
                body.update(_recorded_terms(decision.terms))
        return cls.model_validate(body)


def _recorded_terms(terms: dict[str, Any]) -> dict[str, Any]:
    """The public fields as the hashed decision record states them."""
    body = {name: terms[name] for name in ("byproduct", "waste_codes", "quantity_tonnes",
                                           "shipments_planned", "valid_from", "valid_to",
                                           "operation_code") if name in terms}
    if "origin" in terms:
        body["origin_country"] = (terms["origin"] or {}).get("country")
    if "route" in terms:
        body["transit_countries"] = (terms["route"] or {}).get("transit_countries", [])
    return body


class PublicFilter(Query):
    status: Literal[PUBLIC_STATUSES] | None = None


@api.get("/v1/public/permits")
@endpoint(is_public=True, query=PublicFilter, returns=Page[PublicPermit], paged=True)
def public_permits(query: PublicFilter):
    """The public register of permits and their decisions (no token)"""
    statement = (select(Permit, Facility).join(Facility, Facility.id == Permit.receiving_facility_id)
                 .where(Permit.status != "draft"))
    if query.status:
        statement = statement.where(Permit.status == query.status)
    page = paginate(statement, Permit.id, lambda row: row)
    standing = decisions.current_decisions(db.session(), [p.id for p, _ in page["items"]])
    page["items"] = [PublicPermit.of(p, f, standing.get(p.id)) for p, f in page["items"]]
    return page


@api.get("/v1/public/permits/<number>")
@endpoint(is_public=True, returns=PublicPermit)
@db.reads_one_snapshot  # the live rows and the chain as of one moment: no false disagreement
def public_permit_by_number(number: str):
    """One permit, its checks, and whether its decision record still verifies"""
    session = db.session()
    row = on_public_register(session, number)
    if row is None:
        raise NotFound(Message.of("public.no_permit", N_("No permit numbered %(number)s."), number=number))
    permit, facility = row
    body = PublicPermit.of(permit, facility, decisions.current_decision(session, permit.id), full=True)
    disagreements = [str(p.public()) for p in livestate.check_permit(session, permit)]
    body.integrity = Integrity(
        live_matches_record=not disagreements, disagreements=disagreements,
        note=("the terms shown are the hashed decision record's; the live permit row "
              "agrees with it and with the audit chain") if not disagreements else
             ("the terms shown are the hashed decision record's; the live permit row "
              "DISAGREES with it or with the audit chain: see disagreements"))
    return body


class InclusionProof(Public):
    """Check offline: SHA-256 of entry_canonical is entry_hash; its after.record_hash is the
    certificate's; the RFC 9162 leaf SHA-256(0x00 || entry_hash bytes) at leaf_index with proof
    makes checkpoint.root; the checkpoint's signature verifies with the key at
    /api/v1/public/checkpoints/key."""

    number: str
    record_hash: str
    checkpoint: CheckpointShape
    leaf_index: int
    entry_hash: str
    entry_canonical: str
    proof: list[str]
    algorithm: str


@api.get("/v1/public/permits/<number>/proof")
@limiter.limit(PROOF_LIMIT)
@endpoint(is_public=True, returns=InclusionProof, errors=(404,))
def public_permit_proof(number: str):
    """The inclusion proof of the permit's standing decision in a signed checkpoint (no token)"""
    session = db.session()
    permit = session.exec(select(Permit).where(Permit.number == number,
                                               Permit.status != "draft")).first()
    decision = decisions.current_decision(session, permit.id) if permit is not None else None
    if decision is None:
        raise NotFound(Message.of("public.no_decided_permit", N_("No decided permit numbered %(number)s."),
                                  number=number))
    proof = checkpoints.decision_inclusion(session, decision.id)
    if proof is None:
        raise NotFound(Message.of("public.no_checkpoint", N_(
            "The decision is not yet covered by a signed checkpoint; one is signed every day.")))
    return {"number": permit.number, "record_hash": decision.record_hash, **proof}
