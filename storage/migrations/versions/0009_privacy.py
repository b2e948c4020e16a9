"""privacy: tombstones of forgotten people and retention bookkeeping

Revision ID: 0009_privacy
Revises: 0008_audit
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import storage.types  # noqa: F401

revision: str = "0009_privacy"
down_revision: str | None = "0008_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
