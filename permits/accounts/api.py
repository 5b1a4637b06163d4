"""The caller's own API tokens: list and revoke (issuing is on the account page and the CLI)."""
from typing import Literal

from permits.accounts import services as accounts
from permits.accounts.auth import api_user
from permits.api.blueprint import api
from permits.api.endpoint import endpoint
from permits.api.shapes import Page, Public, Timestamp
from permits.core import db
from standards.errors import NotFound
from standards.messages import N_, Message
from standards.vocabulary import ROLES


class MePublic(Public):
    id: int
    email: str
    name: str
    role: Literal[ROLES]
    organization_id: int | None
    facility_id: int | None


class TokenPublic(Public):
    id: int
    name: str
    prefix: str
    created_at: Timestamp
    last_used_at: Timestamp | None
    revoked: bool


@api.get("/v1/me")
@endpoint(returns=MePublic)
def me():
    """Who the token belongs to"""
    return api_user()


@api.get("/v1/tokens")
@endpoint(returns=Page[TokenPublic])
def list_tokens():
    """The caller's API tokens"""
    tokens = accounts.tokens_of(db.session(), api_user())
    return {"items": tokens, "total": len(tokens), "next": None}


@api.post("/v1/tokens/<int:token_id>/revoke")
@endpoint(returns=TokenPublic)
def revoke_token(token_id: int):
    """Revoke one of the caller's tokens"""
    try:
        return accounts.revoke_token(db.session(), user=api_user(), token_id=token_id)
    except accounts.AccountError as exc:
        raise NotFound(Message.of("account.token_not_found", N_("No such token."))) from exc
