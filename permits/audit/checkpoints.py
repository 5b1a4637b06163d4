"""Signed checkpoints of the audit chain, and checking the chain against one.

A checkpoint is `{seq, head, root, signed_at, key_id}` signed with the Ed25519 key kept outside
the database (`permits.audit.signing`): `seq` is the chain's length at that moment, `head` the
hash of its last entry and `root` the RFC 9162 Merkle tree head over every entry's hash. Once
published, a chain cut back, rewritten or forked below it can no longer match it, and whoever
holds it can check inclusion and consistency proofs with the public key alone.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from permits.audit import merkle, signing
from permits.audit.chain import GENESIS, canonical
from permits.audit.models import AuditEntry, Checkpoint
from permits.core import db
from standards.clock import utcnow

SIGNED_FIELDS = ("seq", "head", "root", "signed_at", "key_id")


def leaves(session: Session, size: int | None = None) -> list[bytes]:
    """The Merkle leaf hashes of the first `size` entries (all when None), in chain order."""
    statement = select(AuditEntry.hash).order_by(AuditEntry.seq)
    if size is not None:
        statement = statement.limit(size)
    with db.one_snapshot(session):  # streamed: a server-side cursor needs a transaction
        return [merkle.leaf_hash(bytes.fromhex(h)) for (h,) in session.execute(
            statement.execution_options(yield_per=20000))]


def message(body: dict[str, Any]) -> bytes:
    """The bytes a checkpoint's signature covers."""
    return json.dumps({k: body[k] for k in SIGNED_FIELDS}, sort_keys=True,
                      separators=(",", ":")).encode()


def _iso(at: datetime) -> str:
    return at.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def take(session: Session, key: signing.SigningKey) -> Checkpoint:
    """Sign the chain as it stands and store the checkpoint (flushes, never commits)."""
    tree = leaves(session)
    head = session.execute(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).scalar()
    body = {"seq": len(tree), "head": head or GENESIS, "root": merkle.root(tree).hex(),
            "signed_at": _iso(utcnow()), "key_id": key.key_id}
    checkpoint = Checkpoint(**body, signature=key.sign(message(body)))
    checkpoint.id = session.execute(
        insert(Checkpoint).values(**checkpoint.model_dump(exclude={"id"})).returning(Checkpoint.id)
    ).scalar_one()
    return checkpoint


def to_dict(checkpoint: Checkpoint) -> dict[str, Any]:
    return {"seq": checkpoint.seq, "head": checkpoint.head, "root": checkpoint.root,
            "signed_at": checkpoint.signed_at, "key_id": checkpoint.key_id,
            "signature": checkpoint.signature}


def latest(session: Session) -> Checkpoint | None:
    return session.execute(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1)).scalar()


def check_signature(body: dict[str, Any], public) -> str | None:
    """None when `body` is signed by `public`; else what is wrong."""
    try:
        signed = message(body)
    except KeyError as exc:
        return f"the checkpoint lacks {exc.args[0]}"
    if body.get("key_id") != signing.key_id(public):
        return f"the checkpoint was signed by key {body.get('key_id')}, not by this key"
    if not signing.verify(public, signed, str(body.get("signature", ""))):
        return "the checkpoint's signature does not verify: it was not signed by this key as it reads"
    return None


def extends(session: Session, body: dict[str, Any]) -> str | None:
    """None when the chain still holds, as its first entries, the chain the checkpoint signed."""
    seq = body.get("seq")
    if not isinstance(seq, int) or seq < 0:
        return "the checkpoint's seq is not a whole number"
    tree = leaves(session, seq)
    if len(tree) < seq:
        return (f"the chain has {len(tree)} entries but the checkpoint signed {seq}: "
                "entries were removed (the chain was cut back)")
    head = session.execute(select(AuditEntry.hash).where(AuditEntry.seq == seq)).scalar() if seq else GENESIS
    if head != body.get("head"):
        return (f"entry {seq} hashes to {head}, not to the checkpoint's head {body.get('head')}: "
                "the chain was rewritten or forked")
    if merkle.root(tree).hex() != body.get("root"):
        return "the first entries no longer make the checkpoint's Merkle root: the chain was rewritten"
    return None


def consistency(session: Session, old_size: int, new_size: int) -> list[str]:
    tree = leaves(session, new_size)
    return [p.hex() for p in merkle.consistency_proof(tree, old_size)]


def inclusion(session: Session, seq: int, size: int) -> list[str]:
    tree = leaves(session, size)
    return [p.hex() for p in merkle.inclusion_proof(tree, seq - 1)]


def decision_inclusion(session: Session, decision_id: int) -> dict[str, Any] | None:
    """The decision's audit entry with its inclusion proof in the newest checkpoint covering it."""
    entry = session.execute(select(AuditEntry).where(
        AuditEntry.entity == "decision", AuditEntry.entity_id == str(decision_id))
        .order_by(AuditEntry.seq).limit(1)).scalar()
    if entry is None:
        return None
    checkpoint = session.execute(select(Checkpoint).where(Checkpoint.seq >= entry.seq)
                                 .order_by(Checkpoint.id.desc()).limit(1)).scalar()
    if checkpoint is None:
        return None
    return {"checkpoint": to_dict(checkpoint), "leaf_index": entry.seq - 1,
            "entry_hash": entry.hash, "entry_canonical": canonical(entry).decode(),
            "proof": inclusion(session, entry.seq, checkpoint.seq),
            "algorithm": "RFC 9162 section 2.1.3, leaf = SHA-256(0x00 || entry hash)"}
