"""Replies posted on the platforms from the case page (migration ``0011_replies``).

One row per answer a responder wrote: a ``draft`` until the platform took it, then ``posted``
(with the platform's id and link), ``failed`` (the draft kept, with the reason) or ``deleted``.
"""

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from storage.fields import ts as _ts
from storage.fields import ts_now as _ts_now

#: A reply's states: ``draft`` (written, not sent), ``posted``, ``failed`` (draft kept),
#: ``deleted`` (removed from the platform).
REPLY_STATES = ("draft", "posted", "failed", "deleted")


class Reply(SQLModel, table=True):
    """An answer to a case's mention, on the platform where it was said."""

    __tablename__ = "reply"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="triage_case.id", index=True, ondelete="CASCADE")
    mention_id: int = Field(foreign_key="mention.id", index=True, ondelete="CASCADE")
    platform: str = Field(max_length=40)
    visibility: str = Field(default="public", max_length=20)
    text: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="draft", max_length=20, index=True)
    platform_id: str | None = Field(default=None, max_length=400)
    url: str | None = Field(default=None, sa_column=Column(Text))
    posted_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = _ts_now()
    posted_at: datetime | None = _ts()
    edited_at: datetime | None = _ts()
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    error_kind: str | None = Field(default=None, max_length=20)
    idempotency_key: str = Field(default="", max_length=64)
