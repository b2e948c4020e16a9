"""cluster: distributed days and their crawl tasks (dead letters among them)

Revision ID: 0012_cluster
Revises: 0011_replies
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0012_cluster"
down_revision: str | None = "0011_replies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The cluster's day and task tables."""
    op.create_table(
        "cluster_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.String(length=80), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("enqueued_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("deadline_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("fanned_in_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("finished_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("job_run_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cluster_day", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cluster_day_day_id"), ["day_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_cluster_day_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cluster_day_enqueued_at"), ["enqueued_at"], unique=False
        )
    op.create_table(
        "cluster_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("finished_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day_id", "source", "part", name="uq_cluster_task_day_source_part"),
    )
    with op.batch_alter_table("cluster_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cluster_task_day_id"), ["day_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cluster_task_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_cluster_task_state"), ["state"], unique=False)


def downgrade() -> None:
    """Drop the cluster's tables."""
    op.drop_table("cluster_task")
    op.drop_table("cluster_day")
