"""replies: answers posted on the platforms from the case page

Revision ID: 0011_replies
Revises: 0010_helpdesk
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import storage.types  # noqa: F401

revision: str = "0011_replies"
down_revision: str | None = "0010_helpdesk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
