"""helpdesk: tickets in Zendesk, Freshdesk and Request Tracker, and their sync state

Revision ID: 0010_helpdesk
Revises: 0009_privacy
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import storage.types  # noqa: F401

revision: str = "0010_helpdesk"
down_revision: str | None = "0009_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
