"""search: full-text search over mentions and cases (SQLite FTS5, PostgreSQL tsvector + GIN)

Revision ID: 0014_search
Revises: 0013_models
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import storage.types  # noqa: F401

revision: str = "0014_search"
down_revision: str | None = "0013_models"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
