"""The audit trail's table (migration ``0008_audit``): who did what, when, to what.

Append-only from the application's side: :mod:`storage.audit` only inserts and reads.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from storage.fields import json_field as _json
from storage.fields import ts_now as _ts_now


class AuditEvent(SQLModel, table=True):
    """One action: ``actor`` (a user name, ``system`` for the daily job, ``cli:<user>`` for a
    command) did ``action`` (``signin``, ``signin_failed``, ``case.status``, ``export.sent``,
    ``reply.posted``, ``forget``, ``retention``, ``settings``, ``customer.viewed``…) to
    ``subject_type``/``subject_id`` (``case``/``42``); ``detail`` holds ids and counts, never
    review text, emails or phone numbers.
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_subject", "subject_type", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts_now(index=True)
    actor: str = Field(default="system", max_length=200, index=True)
    action: str = Field(max_length=60, index=True)
    subject_type: str = Field(default="", max_length=40)
    subject_id: str = Field(default="", max_length=200)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    detail: dict[str, Any] = _json()
