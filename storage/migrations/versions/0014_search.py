"""search: full-text search over mentions and cases (SQLite FTS5, PostgreSQL tsvector + GIN)

Revision ID: 0014_search
Revises: 0013_models
Create Date: 2026-12-01

SQLite: the external-content FTS5 table ``mention_fts`` over the mention's title, text and
author, filled from the existing mentions and kept in step by three triggers (besides the
rollup triggers of 0002_dashboard, which stay). PostgreSQL: a GIN index on the mention's
``tsvector`` (see :mod:`storage.search`). Both are left out of autogenerate
(:func:`storage.search.include_name`). Plus the indexes the queue and brand health need at
10 M mentions (declared on the models too).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types
from storage import search

revision: str = "0014_search"
down_revision: str | None = "0013_models"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the sign-in throttle, shared by every dashboard instance (storage.tables.throttle)
    op.create_table(
        "signin_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_key", sa.String(length=64), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signin_failure", schema=None) as batch_op:
        batch_op.create_index("ix_signin_failure_name_at", ["name_key", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_signin_failure_at"), ["at"], unique=False)
    bind = op.get_bind()
    statements = (
        search.pg_statements() if bind.dialect.name == "postgresql" else search.sqlite_statements()
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    statements = (
        search.pg_drop_statements()
        if bind.dialect.name == "postgresql"
        else search.sqlite_drop_statements()
    )
    for statement in statements:
        op.execute(statement)
    op.drop_table("signin_failure")
