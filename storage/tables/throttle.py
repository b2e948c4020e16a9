"""The sign-in throttle's table (migration ``0014_search``): failed sign-ins by name.

In the database rather than in a dashboard process, so that several dashboard instances
behind a load balancer count the same failures and lock a name together. The name is kept
as a SHA-256 digest of its lower-case form (a password typed into the name field is not
stored in the clear). SQL in :mod:`storage.throttle`; the policy (how many, how long) in
:mod:`dashboard.auth`.
"""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.fields import ts_now as _ts_now


class SigninFailure(SQLModel, table=True):
    """One failed sign-in for a name, at a time."""

    __tablename__ = "signin_failure"
    __table_args__ = (Index("ix_signin_failure_name_at", "name_key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    name_key: str = Field(max_length=64)
    at: datetime = _ts_now(index=True)
