"""Idempotency-Key: the same key with the same body replays the first response exactly.

The key is claimed (inserted) before the work runs, in the same transaction, so two
concurrent requests with one key cannot both do the work: the second waits on the
unique index (PostgreSQL) or on the write lock (SQLite), then replays.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from flask import Response, g, request
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from permits.accounts.auth import api_user
from permits.api.idempotency_record import IdempotencyRecord
from permits.core import db
from standards.errors import ValidationFailed
from standards.messages import N_, Message

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _request_hash() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.get_data(cache=True)):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _find(user_id: int, key: str) -> IdempotencyRecord | None:
    return db.session().exec(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    ).first()


def _replay(record: IdempotencyRecord, request_hash: str) -> Response:
    if record.request_hash != request_hash:
        raise ValidationFailed(
            Message.of("api.idempotency_reused",
                       N_("This Idempotency-Key was already used with another request body.")),
            {HEADER: [Message.of("api.idempotency_reused_field", N_("already used with another request"))]},
            code="idempotency_key_reused")
    response = Response(json.dumps(record.response_body), status=record.status_code,
                        mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def replay_or_run(run: Callable[[], Response]) -> Response:
    key = request.headers.get(HEADER)
    user = api_user()
    if not key or user is None:
        return run()
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            Message.of("api.idempotency_too_long", N_("The Idempotency-Key is too long.")),
            {HEADER: [Message.of("api.at_most_characters", N_("at most %(max)s characters"),
                                 max=MAX_KEY_LENGTH)]})
    request_hash = _request_hash()
    session = db.session()
    existing = _find(user.id, key)
    if existing is not None:
        return _replay(existing, request_hash)
    claim = IdempotencyRecord(user_id=user.id, key=key, request_hash=request_hash,
                              status_code=0, response_body={})
    session.add(claim)
    try:
        session.flush()
    except IntegrityError:
        # Someone else claimed the key and committed while we waited: replay theirs.
        session.rollback()
        existing = _find(user.id, key)
        if existing is None:  # pragma: no cover - the winner rolled back; try once more
            return run()
        return _replay(existing, request_hash)
    # `run` commits once; what it answered is stored inside that same commit.
    def remember(response: Response) -> None:
        claim.status_code = response.status_code
        claim.response_body = response.get_json(silent=True) or {}
        session.add(claim)

    g.parity_before_commit = remember
    return run()
