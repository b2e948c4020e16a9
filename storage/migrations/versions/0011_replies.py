"""replies: answers posted on the platforms from the case page

Revision ID: 0011_replies
Revises: 0010_helpdesk
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0011_replies"
down_revision: str | None = "0010_helpdesk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The ``reply`` table: one row per answer written on a case."""
    op.create_table(
        "reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=40), nullable=False),
        sa.Column("visibility", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("platform_id", sa.String(length=400), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("posted_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("posted_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("edited_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("error_kind", sa.String(length=20), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["triage_case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mention_id"], ["mention.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reply", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reply_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reply_mention_id"), ["mention_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reply_state"), ["state"], unique=False)


def downgrade() -> None:
    """Drop the replies."""
    op.drop_table("reply")
