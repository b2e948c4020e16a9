"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index("ix_alert_kind_key_sent", ["kind", "key", "sent_at"], unique=False)

    op.create_table(
        "crawl_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("source_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("finish_reason", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("items_new", sa.Integer(), nullable=False),
        sa.Column("items_updated", sa.Integer(), nullable=False),
        sa.Column("items_unchanged", sa.Integer(), nullable=False),
        sa.Column("items_dropped", sa.Integer(), nullable=False),
        sa.Column("items_failed", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("error_summary", sa.Text(), nullable=True),
        sa.Column("monitors", sa.JSON(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("crawl_run", schema=None) as batch_op:
        batch_op.create_index("ix_crawl_run_source_started", ["source", "started_at"], unique=False)

    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("handles", sa.JSON(), nullable=False),
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("lifetime_value", sa.Float(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id"),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_phone"), ["phone"], unique=False)

    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_run_started_at"), ["started_at"], unique=False)

    op.create_table(
        "mention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("source_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("author_handle", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rating", sa.Float(), nullable=True),
        sa.Column("published_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_estimated", sa.Boolean(), nullable=False),
        sa.Column("fetched_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("reach", sa.Integer(), nullable=True),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("brand", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("is_competitor", sa.Boolean(), nullable=False),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("reply_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("sentiment", sa.Float(), nullable=True),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("complaint", sa.Boolean(), nullable=False),
        sa.Column("complaint_score", sa.Float(), nullable=False),
        sa.Column("aspects", sa.JSON(), nullable=False),
        sa.Column("cues", sa.JSON(), nullable=False),
        sa.Column("analyser_version", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("needs_attention", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "external_id", name="uq_mention_source_external_id"),
    )
    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mention_attention_published", ["needs_attention", "published_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mention_author_handle"), ["author_handle"], unique=False
        )
        batch_op.create_index("ix_mention_brand_published", ["brand", "published_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_mention_published_at"), ["published_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_mention_source"), ["source"], unique=False)

    op.create_table(
        "source_state",
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("high_water_mark", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cursor", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source"),
    )
    op.create_table(
        "customer_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mention_id"], ["mention.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mention_id", "customer_id", name="uq_link_mention_customer"),
    )
    with op.batch_alter_table("customer_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_link_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_link_mention_id"), ["mention_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customer_link_status"), ["status"], unique=False)

    op.create_table(
        "mention_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rating", sa.Float(), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("replaced_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["mention_id"], ["mention.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mention_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mention_revision_mention_id"), ["mention_id"], unique=False
        )

    op.create_table(
        "triage_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("priority", sa.Float(), nullable=False),
        sa.Column("assignee", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("opened_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_action_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dismissed_reason", sa.Text(), nullable=True),
        sa.Column("action_taken", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("follow_up_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("follow_ups_done", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["mention_id"], ["mention.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mention_id"),
    )
    with op.batch_alter_table("triage_case", schema=None) as batch_op:
        batch_op.create_index("ix_case_status_priority", ["status", "priority"], unique=False)
        batch_op.create_index(batch_op.f("ix_triage_case_assignee"), ["assignee"], unique=False)
        batch_op.create_index(batch_op.f("ix_triage_case_due_at"), ["due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_triage_case_follow_up_at"), ["follow_up_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_triage_case_opened_at"), ["opened_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_triage_case_resolved_at"), ["resolved_at"], unique=False
        )

    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["triage_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_event_case_id"), ["case_id"], unique=False)

    op.create_table(
        "export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["triage_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "target", name="uq_export_case_target"),
    )
    with op.batch_alter_table("export", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_target"), ["target"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("export", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_target"))
        batch_op.drop_index(batch_op.f("ix_export_state"))
        batch_op.drop_index(batch_op.f("ix_export_case_id"))

    op.drop_table("export")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_event_case_id"))

    op.drop_table("case_event")
    with op.batch_alter_table("triage_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_triage_case_resolved_at"))
        batch_op.drop_index(batch_op.f("ix_triage_case_opened_at"))
        batch_op.drop_index(batch_op.f("ix_triage_case_follow_up_at"))
        batch_op.drop_index(batch_op.f("ix_triage_case_due_at"))
        batch_op.drop_index(batch_op.f("ix_triage_case_assignee"))
        batch_op.drop_index("ix_case_status_priority")

    op.drop_table("triage_case")
    with op.batch_alter_table("mention_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mention_revision_mention_id"))

    op.drop_table("mention_revision")
    with op.batch_alter_table("customer_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_link_status"))
        batch_op.drop_index(batch_op.f("ix_customer_link_mention_id"))
        batch_op.drop_index(batch_op.f("ix_customer_link_customer_id"))

    op.drop_table("customer_link")
    op.drop_table("source_state")
    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mention_source"))
        batch_op.drop_index(batch_op.f("ix_mention_published_at"))
        batch_op.drop_index("ix_mention_brand_published")
        batch_op.drop_index(batch_op.f("ix_mention_author_handle"))
        batch_op.drop_index("ix_mention_attention_published")

    op.drop_table("mention")
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_run_started_at"))

    op.drop_table("job_run")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_phone"))
        batch_op.drop_index(batch_op.f("ix_customer_name"))
        batch_op.drop_index(batch_op.f("ix_customer_email"))

    op.drop_table("customer")
    with op.batch_alter_table("crawl_run", schema=None) as batch_op:
        batch_op.drop_index("ix_crawl_run_source_started")

    op.drop_table("crawl_run")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_kind_key_sent")

    op.drop_table("alert")
