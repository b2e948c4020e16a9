"""reliability: quarantine of items that could not be stored, wider text columns

Revision ID: 0005_reliability
Revises: 0002_dashboard
Create Date: 2026-12-01

``quarantine`` keeps every crawled item the pipeline could not store, with its reason, until
``grapevine quarantine retry`` stores it; ``crawl_run.items_quarantined`` counts them per run.
No ``mention`` column is widened: over-long short fields are cut with a visible marker before
the write (:mod:`storage.sanitise`), and the user text columns are ``Text`` already.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0005_reliability"
down_revision: str | None = "0002_dashboard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("source_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("crawl_run_id", sa.Integer(), nullable=True),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("item", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_retry_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("mention_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quarantine_crawl_run_id"), ["crawl_run_id"], unique=False
        )
        batch_op.create_index(
            "ix_quarantine_source_resolved", ["source", "resolved_at"], unique=False
        )
    with op.batch_alter_table("crawl_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("items_quarantined", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("crawl_run", schema=None) as batch_op:
        batch_op.drop_column("items_quarantined")
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_index("ix_quarantine_source_resolved")
        batch_op.drop_index(batch_op.f("ix_quarantine_crawl_run_id"))
    op.drop_table("quarantine")
