"""dashboard: daily rollups for brand health, indexes for the triage queue

Revision ID: 0002_dashboard
Revises: 0002_sentiment
Create Date: 2026-11-22

``mention_day`` and ``aspect_day`` are filled from the existing mentions, then kept by
triggers on ``mention`` (see :mod:`storage.rollups`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from storage import rollups

revision: str = "0002_dashboard"
down_revision: str | None = "0002_sentiment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "aspect_day",
        sa.Column("day", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("aspect", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "aspect"),
    )
    op.create_table(
        "mention_day",
        sa.Column("day", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("brand", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("is_competitor", sa.Boolean(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("positive", sa.Integer(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("sentiment_sum", sa.Float(), nullable=False),
        sa.Column("rating_sum", sa.Float(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("attention", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "brand", "is_competitor", "source"),
    )
    with op.batch_alter_table("triage_case", schema=None) as batch_op:
        # the triage queue's counts and pages read this index alone
        batch_op.create_index(
            "ix_case_worklist",
            ["status", "priority", "due_at", "first_action_at", "assignee", "mention_id"],
            unique=False,
        )
        # the queue's "everything" view walks all cases by priority
        batch_op.create_index("ix_case_priority", ["priority", "status"], unique=False)
        # brand health's case timings
        batch_op.create_index(
            "ix_case_timing",
            ["opened_at", "first_action_at", "due_at", "resolved_at"],
            unique=False,
        )
    conn = op.get_bind()
    rollups.rebuild(conn)
    rollups.install(conn)


def downgrade() -> None:
    conn = op.get_bind()
    rollups.remove(conn)
    if conn.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS grapevine_mention_rollup()")
        op.execute("DROP FUNCTION IF EXISTS grapevine_rollup_apply(mention, integer)")
    with op.batch_alter_table("triage_case", schema=None) as batch_op:
        batch_op.drop_index("ix_case_timing")
        batch_op.drop_index("ix_case_priority")
        batch_op.drop_index("ix_case_worklist")
    op.drop_table("mention_day")
    op.drop_table("aspect_day")
