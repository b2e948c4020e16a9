"""helpdesk: tickets in Zendesk, Freshdesk and Request Tracker, and their sync state

Revision ID: 0010_helpdesk
Revises: 0009_privacy
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0010_helpdesk"
down_revision: str | None = "0009_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A case's ticket in a helpdesk and its sync state."""
    op.create_table(
        "helpdesk_ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ticket_id", sa.String(length=100), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("last_status", sa.String(length=20), nullable=False),
        sa.Column("raw_status", sa.String(length=40), nullable=True),
        sa.Column("remote_updated_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("case_version", sa.Integer(), nullable=False),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.Column("conflict_detail", sa.Text(), nullable=True),
        sa.Column("resolved_note_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("synced_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["triage_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "target", name="uq_helpdesk_ticket_case_target"),
    )
    with op.batch_alter_table("helpdesk_ticket", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_helpdesk_ticket_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_helpdesk_ticket_target"), ["target"], unique=False)
        batch_op.create_index(batch_op.f("ix_helpdesk_ticket_conflict"), ["conflict"], unique=False)


def downgrade() -> None:
    """Drop the helpdesk tickets."""
    op.drop_table("helpdesk_ticket")
