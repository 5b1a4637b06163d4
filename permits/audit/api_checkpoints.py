"""The public checkpoints (no token): every signed checkpoint, the latest, the public key, and
the consistency proof between two of them."""
from __future__ import annotations

import base64

from flask import current_app
from pydantic import Field
from sqlmodel import select

from permits.api.blueprint import api
from permits.api.common import paginate
from permits.api.endpoint import endpoint
from permits.api.shapes import Page, Public, Query, whole_number
from permits.audit import checkpoints, signing
from permits.audit.models import Checkpoint
from permits.core import db
from permits.core.extensions import PROOF_LIMIT, limiter
from permits.core.ids import MAX_ID
from standards.errors import NotFound, ValidationFailed
from standards.messages import N_, Message

_HEX64 = {"pattern": "^[0-9a-f]{64}$"}


class CheckpointShape(Public):
    """A signed checkpoint: the signature is Ed25519, base64, over the canonical JSON of seq, head,
    root, signed_at and key_id (sorted keys, no spaces)."""

    seq: int = Field(description="the number of audit entries it covers")
    head: str = Field(json_schema_extra=_HEX64)
    root: str = Field(json_schema_extra=_HEX64,
                      description="RFC 9162 Merkle tree head over the entries' hashes")
    signed_at: str
    key_id: str
    signature: str


class SigningKeyShape(Public):
    key_id: str
    algorithm: str
    public_key: str = Field(description="the raw 32 bytes, base64")
    pem: str


class ConsistencyQuery(Query):
    """The two checkpoints' seqs (tree sizes), named as RFC 9162 names them."""

    first: whole_number(1, MAX_ID)  # the seq column's range: a larger one is no checkpoint's
    second: whole_number(1, MAX_ID)


class ConsistencyProof(Public):
    first: int
    second: int
    proof: list[str]
    algorithm: str


def current_key() -> signing.SigningKey:
    try:
        return signing.configured(current_app.config, current_app.instance_path)
    except signing.SigningKeyMissing as exc:
        raise NotFound(Message.of("checkpoint.no_key",
                                  N_("No checkpoint signing key is configured yet."))) from exc


@api.get("/v1/public/checkpoints")
@endpoint(is_public=True, returns=Page[CheckpointShape], paged=True)
def list_checkpoints():
    """Every signed checkpoint of the audit chain, newest first (no token)"""
    return paginate(select(Checkpoint), Checkpoint.id, checkpoints.to_dict)


@api.get("/v1/public/checkpoints/latest")
@endpoint(is_public=True, returns=CheckpointShape, errors=(404,))
def latest_checkpoint():
    """The newest signed checkpoint (no token)"""
    found = checkpoints.latest(db.session())
    if found is None:
        raise NotFound(Message.of("checkpoint.none_yet", N_("No checkpoint has been signed yet.")))
    return checkpoints.to_dict(found)


@api.get("/v1/public/checkpoints/key")
@endpoint(is_public=True, returns=SigningKeyShape, errors=(404,))
def checkpoint_key():
    """The public key checkpoints are signed with (no token)"""
    public = current_key().public
    return {"key_id": signing.key_id(public), "algorithm": signing.ALGORITHM,
            "public_key": base64.b64encode(signing.raw_public(public)).decode(),
            "pem": signing.public_pem(public)}


@api.get("/v1/public/checkpoints/consistency")
@limiter.limit(PROOF_LIMIT)
@endpoint(is_public=True, query=ConsistencyQuery, returns=ConsistencyProof, errors=(400, 404))
def checkpoint_consistency(query: ConsistencyQuery):
    """A consistency proof: the later checkpoint's chain extends the earlier one's (no token)"""
    old, new = query.first, query.second
    if old > new:
        raise ValidationFailed.on("first", Message.of("checkpoint.first_after_second",
                                                      N_("must be at most second")))
    session = db.session()
    signed = set(session.execute(select(Checkpoint.seq).where(Checkpoint.seq.in_((old, new)))).scalars())
    for name, size in (("first", old), ("second", new)):
        if size not in signed:
            raise NotFound(Message.of("checkpoint.no_such_size",
                                      N_("No checkpoint covers %(size)s entries."), size=size),
                           {name: [Message.of("checkpoint.not_a_seq",
                                              N_("is not the seq of a signed checkpoint"))]})
    return {"first": old, "second": new, "proof": checkpoints.consistency(session, old, new),
            "algorithm": "RFC 9162 section 2.1.4 (SHA-256)"}
