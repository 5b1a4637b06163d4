"""Organizations, users and their API tokens."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from permits.core.fields import timestamp_field


class Organization(SQLModel, table=True):
    """A shipper's company: its users apply for and hold permits in its name."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    country: str = Field(default="US", max_length=2)
    created_at: datetime = timestamp_field()


class User(SQLModel, table=True):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20)
    # Shippers act for an organization; facility users for one receiving facility.
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    facility_id: int | None = Field(default=None, foreign_key="facility.id")
    # An authority speaks for one country (US, MX or CA); no other role has one.
    country: str | None = Field(default=None, max_length=2)
    active: bool = True
    # Bumped at logout and deactivation: a session cookie carries the version it was
    # issued under, and the user loader refuses any other, so old cookies stop working.
    session_version: int = 1
    # Set by an admin's forced reset: the next sign-in leads to the change-password page only.
    password_reset_required: bool = False
    locale: str | None = Field(default=None, max_length=10)
    created_at: datetime = timestamp_field()

    # Flask-Login's protocol, kept here so the model is the one source of identity.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(default="", max_length=100)
    prefix: str = Field(max_length=16)  # shown in lists so a user can tell tokens apart
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = timestamp_field()
    last_used_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    revoked_at: datetime | None = timestamp_field(nullable=True, default_now=False)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class AccountRequest(SQLModel, table=True):
    """Someone without an account asks for one; an administrator approves (creating the user)
    or denies it. Nothing is granted by asking."""

    __tablename__ = "account_request"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    organization_name: str = Field(default="", max_length=200)  # a shipper's company, a facility's name
    country: str | None = Field(default=None, max_length=2)
    note: str = Field(default="", max_length=1000)
    status: str = Field(default="pending", max_length=10)  # pending, approved, denied
    created_at: datetime = timestamp_field()
    decided_at: datetime | None = timestamp_field(nullable=True, default_now=False)
    decided_by: int | None = Field(default=None, foreign_key="user_account.id")
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    reason: str = Field(default="", max_length=500)  # why it was denied


__all__ = ["AccountRequest", "ApiToken", "Organization", "User"]
