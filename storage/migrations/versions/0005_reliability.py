"""reliability: quarantine of items that could not be stored, wider text columns

Revision ID: 0005_reliability
Revises: 0002_dashboard
Create Date: 2026-12-01
"""

from collections.abc import Sequence

revision: str = "0005_reliability"
down_revision: str | None = "0002_dashboard"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: filled in by the change that needs it."""


def downgrade() -> None:
    """Nothing yet."""
