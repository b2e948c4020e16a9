"""cluster: distributed task state, dead letters, full-text search

Revision ID: 0012_cluster
Revises: 0011_replies
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import storage.types  # noqa: F401

revision: str = "0012_cluster"
down_revision: str | None = "0011_replies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
