"""dashboard: indexes behind brand health and the triage queue

Revision ID: 0002_dashboard
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002_dashboard"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HEALTH_COLUMNS = [
    "published_at",
    "is_competitor",
    "brand",
    "source",
    "label",
    "sentiment",
    "rating",
    "needs_attention",
]


def upgrade() -> None:
    # brand health aggregates read this covering index alone (no table lookups)
    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.create_index("ix_mention_health", HEALTH_COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.drop_index("ix_mention_health")
