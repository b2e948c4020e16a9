"""advocates: the customer timeline of thank-yous, review requests and referral invitations

Revision ID: 0007_advocates
Revises: 0006_desk
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0007_advocates"
down_revision: str | None = "0006_desk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A new table only: ``mention`` is not recreated, so its rollup triggers stay."""
    op.create_table(
        "customer_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("mention_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mention_id"], ["mention.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("customer_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_event_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_customer_event_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_event_mention_id"), ["mention_id"], unique=False
        )


def downgrade() -> None:
    """Drop the customer timeline."""
    with op.batch_alter_table("customer_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_event_mention_id"))
        batch_op.drop_index(batch_op.f("ix_customer_event_customer_id"))
        batch_op.drop_index(batch_op.f("ix_customer_event_at"))
    op.drop_table("customer_event")
