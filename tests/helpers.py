"""Makers for tests: users of each role, signing in, bearer headers."""
from __future__ import annotations

import itertools

from sqlmodel import Session

from permits.accounts import services as accounts
from permits.accounts.models import User

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_user(engine, role: str = "shipper", *, email: str | None = None, organization: str = "Acme Metals",
              facility_id: int | None = None, password: str = PASSWORD) -> User:
    email = email or f"{role}{next(_counter)}@example.com"
    with Session(engine, expire_on_commit=False) as session:
        org = accounts.get_or_create_organization(session, organization) if role == "shipper" else None
        user = accounts.create_user(session, email=email, password=password, role=role,
                                    organization=org, facility_id=facility_id)
        session.commit()
        return user


def token_for(engine, user: User) -> str:
    with Session(engine, expire_on_commit=False) as session:
        issued = accounts.issue_token(session, user=session.get(User, user.id), name="test")
        session.commit()
        return issued.secret


def bearer(engine, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(engine, user)}"}


def login(client, user: User, password: str = PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})
