"""privacy: tombstones of forgotten people and retention bookkeeping

Revision ID: 0009_privacy
Revises: 0008_audit
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0009_privacy"
down_revision: str | None = "0008_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The tombstones of ``grapevine forget`` (a new table: ``mention``'s triggers stay)."""
    op.create_table(
        "tombstone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("external_id_hash", sa.String(length=64), nullable=True),
        sa.Column("handle_hash", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tombstone", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tombstone_source_external", ["source", "external_id_hash"], unique=False
        )
        batch_op.create_index("ix_tombstone_source_handle", ["source", "handle_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_tombstone_request_id"), ["request_id"], unique=False)


def downgrade() -> None:
    """Drop the tombstones."""
    op.drop_table("tombstone")
