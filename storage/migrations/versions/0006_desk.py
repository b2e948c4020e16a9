"""desk: saved queue views per person

Revision ID: 0006_desk
Revises: 0005_reliability
Create Date: 2026-12-01

``saved_view`` keeps each person's named queue views (filters and sort as JSON, a name unique
per person). First-response tracking needs no schema change: ``triage_case.first_action_at``
is now set by a reply or a contact recorded only (:mod:`triage.cases`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0006_desk"
down_revision: str | None = "0005_reliability"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner", "name", name="uq_saved_view_owner_name"),
    )


def downgrade() -> None:
    op.drop_table("saved_view")
