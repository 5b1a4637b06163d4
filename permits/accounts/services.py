"""Accounts: creating users, checking passwords, issuing and revoking API tokens, ending sessions."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import bindparam, update
from sqlalchemy import select as core_select
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, select

from permits.accounts import passwords
from permits.accounts.models import ApiToken, Organization, User
from permits.audit import chain as audit
from standards.clock import utcnow
from standards.errors import ValidationFailed
from standards.vocabulary import COUNTRIES, ROLES

_hasher = PasswordHasher()  # argon2id: memory-hard, so a stolen table is slow to crack
# Verifying against this keeps a login for an unknown email as slow as for a known one.
_DUMMY_HASH = _hasher.hash("parity-timing-equaliser")


def use_cheap_hashing_for_tests() -> None:
    """Argon2 at its lowest cost: test suites make hundreds of users; production never calls this.

    Stored hashes carry their own parameters, so verification still works across the change.
    """
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    _DUMMY_HASH = _hasher.hash("parity-timing-equaliser")
TOKEN_PREFIX = "par_"
LAST_USED_RESOLUTION = timedelta(minutes=15)


class AccountError(ValidationFailed):
    """A request about an account that cannot be done; `field` names the culprit."""

    def __init__(self, field: str, message: str):
        super().__init__(message, {field: [message]})
        self.field = field


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    if user is None:
        _safe_verify(_DUMMY_HASH, password)
        return False
    return _safe_verify(user.password_hash, password)


def _safe_verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def normalize_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError("email", str(exc)) from exc


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def get_or_create_organization(session: Session, name: str, country: str = "US") -> Organization:
    org = session.exec(select(Organization).where(Organization.name == name)).first()
    if org is None:
        org = Organization(name=name, country=country)
        session.add(org)
        session.flush()
    return org


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    name: str = "",
    organization: Organization | None = None,
    facility_id: int | None = None,
    country: str | None = None,
    actor_id: int | None = None,
) -> User:
    email = normalize_email(email)
    if role not in ROLES:
        raise AccountError("role", f"must be one of {', '.join(ROLES)}")
    wrong = passwords.problem(password, email=email)
    if wrong:
        raise AccountError("password", wrong)
    if role == "shipper" and organization is None:
        raise AccountError("organization", "a shipper must belong to an organization")
    if role == "facility" and facility_id is None:
        raise AccountError("facility_id", "a facility user must name its facility")
    country = _authority_country(role, country)
    if find_user(session, email) is not None:
        raise AccountError("email", f"{email} already has an account")
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        organization_id=organization.id if organization else None,
        facility_id=facility_id if role == "facility" else None,
        country=country,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor_id=actor_id, action="user.created", entity="user", entity_id=user.id,
        after={"email": email, "role": role, "organization_id": user.organization_id,
               "facility_id": user.facility_id, "country": user.country},
    )
    return user


def set_language(session: Session, *, user: User, language: str | None) -> None:
    """The user's interface language (None: follow the browser's Accept-Language)."""
    if language == user.locale:
        return
    before = user.locale
    user.locale = language
    session.add(user)
    session.flush()
    audit.record(session, actor_id=user.id, action="user.language_set", entity="user",
                 entity_id=user.id, before={"locale": before}, after={"locale": language})


def _authority_country(role: str, country: str | None) -> str | None:
    """An authority must name the one country it speaks for; other roles name none."""
    code = (country or "").strip().upper() or None
    if role != "authority":
        if code is not None:
            raise AccountError("country", "only an authority is bound to a country")
        return None
    if code not in COUNTRIES:
        raise AccountError("country", "an authority must name its country: "
                                      + ", ".join(COUNTRIES))
    return code


def end_sessions(session: Session, user: User) -> None:
    """Every cookie issued so far stops working (logout, deactivation, password change)."""
    user.session_version += 1
    session.add(user)
    session.flush()


def change_password(session: Session, *, user: User, current: str, new: str) -> None:
    """The user's own change: the current password first; every other session ends."""
    if not check_password(user, current or ""):
        raise AccountError("current_password", "is not right")
    wrong = passwords.problem(new or "", email=user.email)
    if wrong:
        raise AccountError("new_password", wrong)
    if check_password(user, new):
        raise AccountError("new_password", "must differ from the current one")
    user.password_hash = hash_password(new)
    user.password_reset_required = False
    end_sessions(session, user)
    audit.record(session, actor_id=user.id, action="user.password_changed", entity="user",
                 entity_id=user.id, after={"password_reset_required": False})


def force_password_reset(session: Session, *, user: User, actor_id: int | None) -> None:
    """An admin's order: the user's sessions end and the next sign-in must choose a new password."""
    user.password_reset_required = True
    end_sessions(session, user)
    audit.record(session, actor_id=actor_id, action="user.password_reset_forced", entity="user",
                 entity_id=user.id, after={"password_reset_required": True})


def deactivate(session: Session, *, user: User, actor_id: int | None) -> None:
    user.active = False
    end_sessions(session, user)
    audit.record(session, actor_id=actor_id, action="user.deactivated", entity="user",
                 entity_id=user.id, before={"active": True}, after={"active": False})


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown to the user once, never stored


def _digest(secret: str) -> str:
    # A token has 256 bits of entropy, so a plain SHA-256 is enough; a KDF would only
    # slow down every API request.
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(session: Session, *, user: User, name: str = "") -> IssuedToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:100], prefix=secret[:12], token_hash=_digest(secret))
    session.add(token)
    session.flush()
    audit.record(session, actor_id=user.id, action="token.issued", entity="api_token",
                 entity_id=token.id, after={"user_id": user.id, "prefix": token.prefix, "name": name})
    return IssuedToken(token=token, secret=secret)


def revoke_token(session: Session, *, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise AccountError("token_id", "no such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
        audit.record(session, actor_id=user.id, action="token.revoked", entity="api_token",
                     entity_id=token.id, after={"revoked": True})
    return token


# Every API request asks this, so it is built once (its cache key too) and read as plain rows on
# the caller's connection: one indexed lookup by the token's SHA-256 (unique), the user joined.
# A revoked token (revoked_at set) or a deactivated user is refused on the very next request.
_USER_COLUMNS = tuple(User.__table__.c)
_USER_KEYS = tuple(column.key for column in _USER_COLUMNS)
_TOKEN_LOOKUP = (
    core_select(ApiToken.__table__.c.id, ApiToken.__table__.c.last_used_at, *_USER_COLUMNS)
    .select_from(ApiToken.__table__.join(User.__table__, User.__table__.c.id == ApiToken.__table__.c.user_id))
    .where(ApiToken.__table__.c.token_hash == bindparam("digest"),
           ApiToken.__table__.c.revoked_at.is_(None))
)


def token_holder(connection, secret: str) -> tuple[int, User, datetime | None] | None:
    """(token id, its active user, when the token was last used) for `secret`, or None.

    The user comes back detached, as if loaded by a session that has closed."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = connection.execute(_TOKEN_LOOKUP, {"digest": _digest(secret)}).first()
    if row is None:
        return None
    user = User(**dict(zip(_USER_KEYS, row[2:], strict=True)))
    if not user.active:
        return None
    make_transient_to_detached(user)
    return row[0], user, row[1]


def token_use_is_stale(token: ApiToken | datetime | None) -> bool:
    """"Last used" (the token's, or the time given) is kept to within LAST_USED_RESOLUTION, not
    stamped on every request."""
    now = utcnow()
    last = token.last_used_at if isinstance(token, ApiToken) else token
    if last is not None and last.tzinfo is None:  # SQLite returns naive UTC
        last = last.replace(tzinfo=now.tzinfo)
    return last is None or now - last >= LAST_USED_RESOLUTION


def stamp_token_use(engine, token_id: int) -> None:
    """Record that a token was used, in a transaction of its own.

    Callers run this when they hold no other connection: a stamp that waited for the
    writer while its caller held a pooled connection could starve the pool.
    """
    with engine.begin() as conn:
        conn.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
    )
