"""Tables of the helpdesk part of the schema (migration ``0010_helpdesk``).

One :class:`HelpdeskTicket` per case and native helpdesk target (Zendesk, Freshdesk, Request
Tracker): the ticket's id and link, and what the last sync saw on both sides, so that the
next sync can tell who changed what (see :mod:`triage.helpdesk.sync`).
"""

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.fields import ts as _ts
from storage.fields import ts_now as _ts_now


class HelpdeskTicket(SQLModel, table=True):
    """A case's ticket in a helpdesk and its sync state.

    ``last_status`` is the ticket's status (``open``/``pending``/``solved``/``closed``) and
    ``case_version`` the case's version when they were last in step; ``conflict`` is set
    when both changed since (shown on the case, nothing overwritten) with ``conflict_detail``
    in words. ``resolved_note_at``: when the "resolved in Grapevine" note went to the ticket
    (once per resolution).
    """

    __tablename__ = "helpdesk_ticket"
    __table_args__ = (UniqueConstraint("case_id", "target", name="uq_helpdesk_ticket_case_target"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="triage_case.id", index=True, ondelete="CASCADE")
    target: str = Field(max_length=100, index=True)
    kind: str = Field(max_length=20)
    ticket_id: str = Field(max_length=100)
    url: str | None = Field(default=None, sa_column=Column(Text))
    last_status: str = Field(default="open", max_length=20)
    raw_status: str | None = Field(default=None, max_length=40)
    remote_updated_at: datetime | None = _ts()
    case_version: int = 1
    conflict: bool = Field(default=False, index=True)
    conflict_detail: str | None = Field(default=None, sa_column=Column(Text))
    resolved_note_at: datetime | None = _ts()
    created_at: datetime = _ts_now()
    synced_at: datetime | None = _ts()
    last_error: str | None = Field(default=None, sa_column=Column(Text))
