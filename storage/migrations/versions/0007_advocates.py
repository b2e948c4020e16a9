"""advocates: the customer timeline of thank-yous, review requests and referral invitations

Revision ID: 0007_advocates
Revises: 0006_desk
Create Date: 2026-12-01
"""

from collections.abc import Sequence

revision: str = "0007_advocates"
down_revision: str | None = "0006_desk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: filled in by the change that needs it."""


def downgrade() -> None:
    """Nothing yet."""
