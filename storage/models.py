"""The tables of Grapevine (SQLModel).

One module for the whole schema so that Alembic's autogenerate and a reader see it in one place.
Every datetime is stored in UTC (:class:`storage.types.UTCDateTime`). JSON columns hold small,
schemaless parts: the raw payload of a mention, its cues, a customer's extra CRM columns.

Schema changes go through an Alembic migration in ``storage/migrations/versions``.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.fields import json_field, ts, ts_now

#: Case statuses, in workflow order. ``resolved`` and ``dismissed`` are closed.
CASE_STATUSES = ("new", "in_progress", "waiting_on_customer", "resolved", "dismissed")
OPEN_CASE_STATUSES = ("new", "in_progress", "waiting_on_customer")
CLOSED_CASE_STATUSES = ("resolved", "dismissed")

#: Customer link statuses: weak evidence only ever suggests; a person confirms or rejects.
LINK_STATUSES = ("suggested", "confirmed", "rejected")

#: Export (support-queue delivery) states: ``sending`` is claimed by a sender right now (or by
#: one that died mid-delivery; see :mod:`triage.export.run`).
EXPORT_STATES = ("pending", "sending", "sent", "failed")


_ts, _ts_now, _json = ts, ts_now, json_field


class Mention(SQLModel, table=True):
    """One public review, post, comment or article that talks about a brand."""

    __tablename__ = "mention"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_mention_source_external_id"),
        Index("ix_mention_brand_published", "brand", "published_at"),
        Index("ix_mention_attention_published", "needs_attention", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True, max_length=100)
    source_type: str = Field(max_length=40)
    external_id: str = Field(max_length=400)
    url: str | None = Field(default=None, sa_column=Column(Text))
    author: str | None = Field(default=None, max_length=400)
    author_handle: str | None = Field(default=None, max_length=400, index=True)
    title: str | None = Field(default=None, sa_column=Column(Text))
    text: str = Field(sa_column=Column(Text, nullable=False))
    rating: float | None = None
    published_at: datetime = _ts_now(index=True)
    published_estimated: bool = False
    fetched_at: datetime = _ts_now()
    updated_at: datetime = _ts_now()
    language: str | None = Field(default=None, max_length=20)
    reach: int | None = None
    metrics: dict[str, Any] = _json()
    brand: str = Field(default="", max_length=200)
    is_competitor: bool = False
    reply_text: str | None = Field(default=None, sa_column=Column(Text))
    reply_at: datetime | None = _ts()
    content_hash: str = Field(default="", max_length=64)
    raw: dict[str, Any] = _json()
    # analysis (sentiment/)
    sentiment: float | None = None
    label: str | None = Field(default=None, max_length=10)
    complaint: bool = False
    complaint_score: float = 0.0
    aspects: list[str] = _json(list)
    cues: list[str] = _json(list)
    analyser_version: str = Field(default="", max_length=40)
    needs_attention: bool = False
    # customer linking: when the mention was last matched against the customer base
    linked_at: datetime | None = _ts(index=True)


class MentionRevision(SQLModel, table=True):
    """A previous version of a mention whose author edited it after we stored it."""

    __tablename__ = "mention_revision"

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = Field(foreign_key="mention.id", index=True, ondelete="CASCADE")
    title: str | None = Field(default=None, sa_column=Column(Text))
    text: str = Field(sa_column=Column(Text, nullable=False))
    rating: float | None = None
    content_hash: str = Field(default="", max_length=64)
    replaced_at: datetime = _ts_now()


class Customer(SQLModel, table=True):
    """A known customer, imported from the CRM export."""

    __tablename__ = "customer"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(unique=True, max_length=200)
    name: str | None = Field(default=None, max_length=400, index=True)
    email: str | None = Field(default=None, max_length=400, index=True)
    phone: str | None = Field(default=None, max_length=40, index=True)
    handles: dict[str, str] = _json()
    tier: str | None = Field(default=None, max_length=100)
    lifetime_value: float | None = None
    orders: list[str] = _json(list)
    extra: dict[str, Any] = _json()
    created_at: datetime = _ts_now()
    updated_at: datetime = _ts_now()


class CustomerLink(SQLModel, table=True):
    """Evidence that a customer wrote a mention: confirmed, or suggested for a person to decide."""

    __tablename__ = "customer_link"
    __table_args__ = (
        UniqueConstraint("mention_id", "customer_id", name="uq_link_mention_customer"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = Field(foreign_key="mention.id", index=True, ondelete="CASCADE")
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="CASCADE")
    method: str = Field(max_length=40)
    confidence: float = 0.0
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(default="suggested", max_length=20, index=True)
    created_at: datetime = _ts_now()
    decided_at: datetime | None = _ts()
    decided_by: str | None = Field(default=None, max_length=200)


class Case(SQLModel, table=True):
    """The work item for one mention that needs attention.

    ``version`` is bumped by every write; a write that names a stale version is refused
    (optimistic locking, see :mod:`triage.cases`).
    """

    __tablename__ = "triage_case"
    __table_args__ = (
        Index("ix_case_status_priority", "status", "priority"),
        # the triage queue's counts and pages read this index alone (0002_dashboard)
        Index(
            "ix_case_worklist",
            "status",
            "priority",
            "due_at",
            "first_action_at",
            "assignee",
            "mention_id",
        ),
        # the queue's "everything" view walks all cases by priority (0002_dashboard)
        Index("ix_case_priority", "priority", "status"),
        # brand health's case timings (0002_dashboard)
        Index("ix_case_timing", "opened_at", "first_action_at", "due_at", "resolved_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = Field(foreign_key="mention.id", unique=True, ondelete="CASCADE")
    status: str = Field(default="new", max_length=30)
    priority: float = 0.0
    assignee: str | None = Field(default=None, max_length=200, index=True)
    opened_at: datetime = _ts_now(index=True)
    updated_at: datetime = _ts_now()
    due_at: datetime | None = _ts(index=True)
    first_action_at: datetime | None = _ts()
    resolved_at: datetime | None = _ts(index=True)
    dismissed_reason: str | None = Field(default=None, sa_column=Column(Text))
    action_taken: str | None = Field(default=None, max_length=200)
    follow_up_at: datetime | None = _ts(index=True)
    follow_ups_done: int = 0
    version: int = 1


class CaseEvent(SQLModel, table=True):
    """One entry of a case's timeline: opened, assigned, status, note, action, export, follow-up."""

    __tablename__ = "case_event"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="triage_case.id", index=True, ondelete="CASCADE")
    at: datetime = _ts_now()
    actor: str = Field(default="system", max_length=200)
    kind: str = Field(max_length=40)
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    data: dict[str, Any] = _json()


class Export(SQLModel, table=True):
    """The delivery ledger: one row per case and support-queue target (exactly once)."""

    __tablename__ = "export"
    __table_args__ = (UniqueConstraint("case_id", "target", name="uq_export_case_target"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="triage_case.id", index=True, ondelete="CASCADE")
    target: str = Field(max_length=100, index=True)
    state: str = Field(default="pending", max_length=20, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    reference: str | None = Field(default=None, max_length=400)
    created_at: datetime = _ts_now()
    next_attempt_at: datetime | None = _ts()
    sent_at: datetime | None = _ts()
    claim: str | None = Field(default=None, max_length=40)
    claimed_at: datetime | None = _ts()
    resends: int = 0


class CrawlRun(SQLModel, table=True):
    """One crawl of one source: when, how it ended, what it brought and what went wrong."""

    __tablename__ = "crawl_run"
    __table_args__ = (Index("ix_crawl_run_source_started", "source", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=100)
    source_type: str = Field(max_length=40)
    started_at: datetime = _ts_now()
    finished_at: datetime | None = _ts()
    status: str = Field(default="running", max_length=20)
    finish_reason: str | None = Field(default=None, max_length=100)
    pages: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    items_dropped: int = 0
    items_failed: int = 0
    items_quarantined: int = 0
    errors: int = 0
    error_summary: str | None = Field(default=None, sa_column=Column(Text))
    monitors: dict[str, Any] = _json()
    stats: dict[str, Any] = _json()


class SourceState(SQLModel, table=True):
    """Per-source crawl state kept between runs: the high-water mark and any paging cursor."""

    __tablename__ = "source_state"

    source: str = Field(primary_key=True, max_length=100)
    high_water_mark: datetime | None = _ts()
    cursor: dict[str, Any] = _json()
    updated_at: datetime = _ts_now()


#: Where in the pipeline an item was quarantined.
QUARANTINE_STAGES = ("normalise", "match", "analyse", "store")


class QuarantinedItem(SQLModel, table=True):
    """A crawled item that could not be stored, kept with its reason until a retry stores it.

    ``item`` is the item as JSON, cleaned so that it can always be stored; ``reason`` is the
    exception class and a short message, never review text or SQL parameters. ``resolved_at``
    (and ``mention_id``) are set once ``grapevine quarantine retry`` stored it.
    """

    __tablename__ = "quarantine"
    __table_args__ = (Index("ix_quarantine_source_resolved", "source", "resolved_at"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=100)
    source_type: str = Field(default="", max_length=40)
    external_id: str | None = Field(default=None, sa_column=Column(Text))
    crawl_run_id: int | None = Field(default=None, index=True)
    stage: str = Field(max_length=20)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    item: dict[str, Any] = _json()
    created_at: datetime = _ts_now()
    attempts: int = 1
    last_retry_at: datetime | None = _ts()
    resolved_at: datetime | None = _ts()
    mention_id: int | None = None


class Alert(SQLModel, table=True):
    """An alert that was sent (spike, silence, digest, follow-up), kept for cool-downs and audit."""

    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_kind_key_sent", "kind", "key", "sent_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    key: str = Field(default="", max_length=200)
    sent_at: datetime = _ts_now()
    channel: str = Field(default="", max_length=100)
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    data: dict[str, Any] = _json()


class JobRun(SQLModel, table=True):
    """One run of the daily job (``grapevine run`` or a scheduled run)."""

    __tablename__ = "job_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = _ts_now(index=True)
    finished_at: datetime | None = _ts()
    trigger: str = Field(default="manual", max_length=20)
    status: str = Field(default="running", max_length=20)
    summary: dict[str, Any] = _json()


class MentionDay(SQLModel, table=True):
    """Daily totals of mentions per brand and source, kept by database triggers on ``mention``.

    Brand health reads a few hundred of these rows instead of scanning a million mentions
    (:mod:`storage.rollups`, migration ``0002_dashboard``). ``day`` is the UTC day.
    """

    __tablename__ = "mention_day"

    day: str = Field(primary_key=True, max_length=10)
    brand: str = Field(primary_key=True, max_length=200)
    is_competitor: bool = Field(primary_key=True)
    source: str = Field(primary_key=True, max_length=100)
    mentions: int = 0
    positive: int = 0
    negative: int = 0
    sentiment_sum: float = 0.0
    rating_sum: float = 0.0
    rated: int = 0
    attention: int = 0


class AspectDay(SQLModel, table=True):
    """Per UTC day and aspect: the own brand's mentions needing attention (triggers)."""

    __tablename__ = "aspect_day"

    day: str = Field(primary_key=True, max_length=10)
    aspect: str = Field(primary_key=True, max_length=200)
    mentions: int = 0


class CustomerEvent(SQLModel, table=True):
    """One entry of a customer's timeline: a thank-you, a review request, a referral invite.

    ``customer_id`` is empty when the happy author is not (yet) a known customer; the
    mention says whom it was about.
    """

    __tablename__ = "customer_event"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int | None = Field(
        default=None, foreign_key="customer.id", index=True, ondelete="CASCADE"
    )
    mention_id: int | None = Field(
        default=None, foreign_key="mention.id", index=True, ondelete="CASCADE"
    )
    kind: str = Field(max_length=40)
    actor: str = Field(default="system", max_length=200)
    at: datetime = _ts_now(index=True)
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    data: dict[str, Any] = _json()


class SavedView(SQLModel, table=True):
    """A person's saved view of the triage queue: its filters and sort under a name.

    ``filters`` holds the queue's filter settings as the dashboard keeps them (view, search,
    statuses, sources, aspects, assignees, brand, customer link, dates, sort); a name is unique
    per person (:mod:`storage.views`, migration ``0006_desk``).
    """

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("owner", "name", name="uq_saved_view_owner_name"),)

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(max_length=200)
    name: str = Field(max_length=100)
    filters: dict[str, Any] = _json()
    created_at: datetime = _ts_now()
    updated_at: datetime = _ts_now()


# The tables added since, one module per part (audit, privacy, helpdesk, replies, cluster, models).
import storage.tables  # noqa: E402, F401
