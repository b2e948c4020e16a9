"""models: learned-model versions, desk labels and rollbacks

Revision ID: 0013_models
Revises: 0012_cluster
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import storage.types  # noqa: F401

revision: str = "0013_models"
down_revision: str | None = "0012_cluster"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
