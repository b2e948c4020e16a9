"""desk: saved queue views per person, first-response tracking

Revision ID: 0006_desk
Revises: 0005_reliability
Create Date: 2026-12-01
"""

from collections.abc import Sequence

revision: str = "0006_desk"
down_revision: str | None = "0005_reliability"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: filled in by the change that needs it."""


def downgrade() -> None:
    """Nothing yet."""
