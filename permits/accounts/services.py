"""Accounts: creating users, checking passwords, issuing and revoking API tokens, ending sessions."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import bindparam, func, update
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from permits.accounts import passwords
from permits.accounts.models import ApiToken, Organization, User
from permits.audit import chain as audit
from permits.core.db import Prepared, detached
from standards.clock import utcnow
from standards.errors import ValidationFailed
from standards.messages import N_, Message, define
from standards.vocabulary import COUNTRIES, ROLES

define("account.email_invalid", N_("is not a valid email address"))
define("account.role_unknown", N_("must be one of %(roles)s"))
define("account.shipper_needs_org", N_("a shipper must belong to an organization"))
define("account.facility_needs_facility", N_("a facility user must name its facility"))
define("account.facility_unknown", N_("no facility has this number"))
define("account.organization_unknown", N_("no organization has this number"))
define("account.email_taken", N_("%(email)s already has an account"))
define("account.country_not_authority", N_("only an authority is bound to a country"))
define("account.authority_needs_country", N_("an authority must name its country: %(countries)s"))
define("account.current_wrong", N_("is not right"))
define("account.password_same", N_("must differ from the current one"))
define("account.no_token", N_("no such token"))
define("account.not_yourself", N_("you cannot do this to your own account"))
define("account.own_role", N_("you cannot change your own role"))
define("organization.name_required", N_("is required"))
define("organization.name_taken", N_("%(name)s already exists"))
define("organization.country_unknown", N_("must be one of %(countries)s"))

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
        raise AccountError("email", Message("account.email_invalid")) from exc


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
    password_reset_required: bool = False,
) -> User:
    email = normalize_email(email)
    if role not in ROLES:
        raise AccountError("role", Message("account.role_unknown", {"roles": ", ".join(ROLES)}))
    wrong = passwords.problem(password, email=email)
    if wrong:
        raise AccountError("password", wrong)
    if role == "shipper" and organization is None:
        raise AccountError("organization", Message("account.shipper_needs_org"))
    if role == "facility" and facility_id is None:
        raise AccountError("facility_id", Message("account.facility_needs_facility"))
    country = _authority_country(role, country)
    if find_user(session, email) is not None:
        raise AccountError("email", Message("account.email_taken", {"email": email}))
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        organization_id=organization.id if organization else None,
        facility_id=facility_id if role == "facility" else None,
        country=country,
        password_reset_required=password_reset_required,
    )
    session.add(user)
    session.flush()
    after = {"email": email, "role": role, "organization_id": user.organization_id,
             "facility_id": user.facility_id, "country": user.country}
    if password_reset_required:
        after["password_reset_required"] = True
    audit.record(session, actor_id=actor_id, action="user.created", entity="user",
                 entity_id=user.id, after=after)
    return user


def temporary_password() -> str:
    """A password an administrator hands over once; its owner must replace it at first sign-in."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def _binding(session: Session, role: str, organization_id: int | None, facility_id: int | None,
             country: str | None) -> tuple[int | None, int | None, str | None]:
    """The organization, facility and country `role` is bound to; the others are cleared."""
    from facility_registry.models import Facility

    if role not in ROLES:
        raise AccountError("role", Message("account.role_unknown", {"roles": ", ".join(ROLES)}))
    org = facility = None
    if role == "shipper":
        if organization_id is None:
            raise AccountError("organization_id", Message("account.shipper_needs_org"))
        if session.get(Organization, organization_id) is None:
            raise AccountError("organization_id", Message("account.organization_unknown"))
        org = organization_id
    if role == "facility":
        if facility_id is None:
            raise AccountError("facility_id", Message("account.facility_needs_facility"))
        if session.get(Facility, facility_id) is None:
            raise AccountError("facility_id", Message("account.facility_unknown"))
        facility = facility_id
    return org, facility, _authority_country(role, country if role == "authority" else None)


def create_bound_user(session: Session, *, email: str, name: str, role: str,
                      organization_id: int | None, facility_id: int | None, country: str | None,
                      actor_id: int | None) -> tuple[User, str]:
    """An administrator's new user, bound as its role needs, with a temporary password that must
    be changed at first sign-in. Returns the user and the password (shown once, never stored)."""
    org_id, facility, country = _binding(session, role, organization_id, facility_id, country)
    password = temporary_password()
    user = create_user(session, email=email, password=password, role=role, name=name.strip(),
                       organization=session.get(Organization, org_id) if org_id else None,
                       facility_id=facility, country=country, actor_id=actor_id,
                       password_reset_required=True)
    return user, password


def update_user(session: Session, *, user: User, name: str, role: str,
                organization_id: int | None, facility_id: int | None, country: str | None,
                actor_id: int | None) -> bool:
    """Change a user's name, role and binding; False when nothing changed."""
    if actor_id == user.id and role != user.role:
        raise AccountError("role", Message("account.own_role"))
    org_id, facility, country = _binding(session, role, organization_id, facility_id, country)
    fields = ("name", "role", "organization_id", "facility_id", "country")
    before = {f: getattr(user, f) for f in fields}
    after = {"name": name.strip(), "role": role, "organization_id": org_id,
             "facility_id": facility, "country": country}
    if before == after:
        return False
    for key, value in after.items():
        setattr(user, key, value)
    session.add(user)
    session.flush()
    changed = [f for f in fields if before[f] != after[f]]
    audit.record(session, actor_id=actor_id, action="user.updated", entity="user", entity_id=user.id,
                 before={f: before[f] for f in changed}, after={f: after[f] for f in changed})
    return True


def _organization_fields(session: Session, name: str, country: str,
                         current: Organization | None = None) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        raise AccountError("name", Message("organization.name_required"))
    country = (country or "").strip().upper()
    if country not in COUNTRIES:
        raise AccountError("country", Message("organization.country_unknown",
                                              {"countries": ", ".join(COUNTRIES)}))
    same = session.exec(select(Organization).where(func.lower(Organization.name) == name.lower())).first()
    if same is not None and (current is None or same.id != current.id):
        raise AccountError("name", Message("organization.name_taken", {"name": name}))
    return name, country


def create_organization(session: Session, *, name: str, country: str, actor_id: int | None) -> Organization:
    name, country = _organization_fields(session, name, country)
    org = Organization(name=name, country=country)
    session.add(org)
    session.flush()
    audit.record(session, actor_id=actor_id, action="organization.created", entity="organization",
                 entity_id=org.id, after={"name": name, "country": country})
    return org


def update_organization(session: Session, *, organization: Organization, name: str, country: str,
                        actor_id: int | None) -> bool:
    name, country = _organization_fields(session, name, country, organization)
    before = {"name": organization.name, "country": organization.country}
    after = {"name": name, "country": country}
    if before == after:
        return False
    organization.name, organization.country = name, country
    session.add(organization)
    session.flush()
    audit.record(session, actor_id=actor_id, action="organization.updated", entity="organization",
                 entity_id=organization.id, before=before, after=after)
    return True


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
            raise AccountError("country", Message("account.country_not_authority"))
        return None
    if code not in COUNTRIES:
        raise AccountError("country", Message("account.authority_needs_country",
                                              {"countries": ", ".join(COUNTRIES)}))
    return code


def end_sessions(session: Session, user: User) -> None:
    """Every cookie issued so far stops working (logout, deactivation, password change)."""
    user.session_version += 1
    session.add(user)
    session.flush()


def change_password(session: Session, *, user: User, current: str, new: str) -> None:
    """The user's own change: the current password first; every other session ends."""
    if not check_password(user, current or ""):
        raise AccountError("current_password", Message("account.current_wrong"))
    wrong = passwords.problem(new or "", email=user.email)
    if wrong:
        raise AccountError("new_password", wrong)
    if check_password(user, new):
        raise AccountError("new_password", Message("account.password_same"))
    user.password_hash = hash_password(new)
    user.password_reset_required = False
    end_sessions(session, user)
    audit.record(session, actor_id=user.id, action="user.password_changed", entity="user",
                 entity_id=user.id, after={"password_reset_required": False})


def force_password_reset(session: Session, *, user: User, actor_id: int | None) -> int:
    """An admin's order: the user's sessions end, every API token of theirs is revoked (a stolen
    password may have minted one), and the next sign-in must choose a new password.
    Returns how many tokens were revoked."""
    user.password_reset_required = True
    end_sessions(session, user)
    audit.record(session, actor_id=actor_id, action="user.password_reset_forced", entity="user",
                 entity_id=user.id, after={"password_reset_required": True})
    return revoke_all_tokens(session, user=user, actor_id=actor_id)


def revoke_all_tokens(session: Session, *, user: User, actor_id: int | None) -> int:
    live = list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id,
                                                   ApiToken.revoked_at.is_(None))))
    for token in live:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
        audit.record(session, actor_id=actor_id, action="token.revoked", entity="api_token",
                     entity_id=token.id, after={"revoked": True}, reason="password reset")
    return len(live)


def _set_active(session: Session, *, user: User, active: bool, actor_id: int | None) -> bool:
    """Activate or deactivate, once: of two requests at once only one changes the row (a
    conditional UPDATE) and writes the entry; the other returns False."""
    if actor_id is not None and actor_id == user.id:
        raise AccountError("user", Message("account.not_yourself"))
    changed = session.execute(
        update(User).where(User.id == user.id, User.active == (not active))
        .values(active=active, session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(user)
    if not changed:
        return False
    audit.record(session, actor_id=actor_id, action="user.activated" if active else "user.deactivated",
                 entity="user", entity_id=user.id, before={"active": not active}, after={"active": active})
    return True


def deactivate(session: Session, *, user: User, actor_id: int | None) -> bool:
    """The user's sessions end at once and their tokens stop working (tokens of an inactive user
    are refused); False when they were inactive already."""
    return _set_active(session, user=user, active=False, actor_id=actor_id)


def reactivate(session: Session, *, user: User, actor_id: int | None) -> bool:
    return _set_active(session, user=user, active=True, actor_id=actor_id)


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
        raise AccountError("token_id", Message("account.no_token"))
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


_TOKEN_QUERY = Prepared(_TOKEN_LOOKUP)


def token_holder(connection, secret: str) -> tuple[int, User, datetime | None] | None:
    """(token id, its active user, when the token was last used) for `secret`, or None.

    `connection` is a SQLAlchemy Connection, or a (dialect, DBAPI connection) pair. The user comes
    back detached, as if loaded by a session that has closed."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    params = {"digest": _digest(secret)}
    if isinstance(connection, tuple):
        row = _TOKEN_QUERY.first_on(*connection, params)
    else:
        row = _TOKEN_QUERY.first(connection, params)
    if row is None:
        return None
    values = dict(zip(_USER_KEYS, row[2:], strict=True))
    if not values["active"]:
        return None
    return row[0], detached(User, values), row[1]


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
