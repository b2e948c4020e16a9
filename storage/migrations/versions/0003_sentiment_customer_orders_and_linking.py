"""customer orders and mention linked_at (customer linking)

Revision ID: 0002_sentiment
Revises: 0002_ops
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0002_sentiment"
down_revision: str | None = "0002_ops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        # existing customers get an empty list of order numbers
        batch_op.add_column(
            sa.Column("orders", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("linked_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_mention_linked_at"), ["linked_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mention_linked_at"))
        batch_op.drop_column("linked_at")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("orders")
