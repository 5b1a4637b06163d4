"""Asking for an account: anyone may ask; an administrator approves (creating the user, bound as
the role needs, with a temporary password) or denies. Each step is audited."""
from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, func, select

from permits.accounts import services as accounts
from permits.accounts.models import AccountRequest, User
from permits.audit import chain as audit
from standards.clock import utcnow
from standards.messages import N_, Message, define
from standards.vocabulary import COUNTRIES

# Who may ask: an administrator's account is never asked for, it is given.
REQUESTABLE = ("shipper", "facility", "inspector", "authority")
PENDING_LIMIT = 200  # more waiting requests than this and the form refuses (a flood, not people)

define("request.name_required", N_("is required"))
define("request.role_unknown", N_("must be one of %(roles)s"))
define("request.country_unknown", N_("must be one of %(countries)s"))
define("request.already_asked", N_("%(email)s has already asked; an administrator will answer"))
define("request.too_many", N_("too many requests are waiting; try again later"))
define("request.decided", N_("this request was decided already"))
define("request.reason_required", N_("say why, so the person knows what to do"))


def ask(session: Session, *, email: str, name: str, role: str, organization_name: str,
        country: str | None, note: str) -> AccountRequest:
    email = accounts.normalize_email(email)
    if not (name or "").strip():
        raise accounts.AccountError("name", Message("request.name_required"))
    if role not in REQUESTABLE:
        raise accounts.AccountError("role", Message("request.role_unknown",
                                                    {"roles": ", ".join(REQUESTABLE)}))
    country = (country or "").strip().upper() or None
    if country is not None and country not in COUNTRIES:
        raise accounts.AccountError("country", Message("request.country_unknown",
                                                       {"countries": ", ".join(COUNTRIES)}))
    if accounts.find_user(session, email) is not None or session.exec(
            select(AccountRequest.id).where(AccountRequest.email == email,
                                            AccountRequest.status == "pending")).first():
        # The same answer whether an account or a request exists: no one learns who has one.
        raise accounts.AccountError("email", Message("request.already_asked", {"email": email}))
    waiting = session.exec(select(func.count()).select_from(AccountRequest)
                           .where(AccountRequest.status == "pending")).one()
    if waiting >= PENDING_LIMIT:
        raise accounts.AccountError("email", Message("request.too_many"))
    request = AccountRequest(email=email, name=name.strip(), role=role,
                             organization_name=(organization_name or "").strip(),
                             country=country, note=(note or "").strip())
    session.add(request)
    session.flush()
    audit.record(session, actor_id=None, action="account_request.created", entity="account_request",
                 entity_id=request.id, after={"email": email, "role": role, "status": "pending"})
    return request


def _decide(session: Session, request: AccountRequest, status: str, actor_id: int,
            user_id: int | None = None, reason: str = "") -> None:
    """Pending -> approved/denied, once: a conditional UPDATE, so two admins at once cannot both."""
    changed = session.execute(
        update(AccountRequest)
        .where(AccountRequest.id == request.id, AccountRequest.status == "pending")
        .values(status=status, decided_at=utcnow(), decided_by=actor_id, user_id=user_id, reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise accounts.AccountError("request", Message("request.decided"))
    session.refresh(request)
    audit.record(session, actor_id=actor_id, action=f"account_request.{status}",
                 entity="account_request", entity_id=request.id,
                 before={"status": "pending"}, after={"status": status, "user_id": user_id},
                 reason=reason or None)


def approve(session: Session, *, request: AccountRequest, email: str, name: str, role: str,
            organization_id: int | None, facility_id: int | None, country: str | None,
            actor_id: int) -> tuple[User, str]:
    """Create the user (what the admin settled on, starting from what was asked) and close the
    request, in one transaction."""
    if request.status != "pending":
        raise accounts.AccountError("request", Message("request.decided"))
    user, password = accounts.create_bound_user(
        session, email=email, name=name, role=role, organization_id=organization_id,
        facility_id=facility_id, country=country, actor_id=actor_id)
    _decide(session, request, "approved", actor_id, user_id=user.id)
    return user, password


def deny(session: Session, *, request: AccountRequest, reason: str, actor_id: int) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise accounts.AccountError("reason", Message("request.reason_required"))
    _decide(session, request, "denied", actor_id, reason=reason[:500])


def pending(session: Session) -> list[AccountRequest]:
    return list(session.exec(select(AccountRequest).where(AccountRequest.status == "pending")
                             .order_by(AccountRequest.created_at, AccountRequest.id)))
