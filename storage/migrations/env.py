"""Alembic environment: migrations run on ``SQLModel.metadata``.

Run through ``grapevine db upgrade`` (which passes the connection in ``config.attributes``) or
with the ``alembic`` command from the repository root and ``-x url=...`` / ``sqlalchemy.url``.
"""

from alembic import context
from sqlalchemy import pool
from sqlmodel import SQLModel, create_engine

import storage.models  # noqa: F401  (registers the tables)
from storage.engine import normalise_url
from storage.search import include_name

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("alembic: pass the database URL with -x url=... or sqlalchemy.url")
    return normalise_url(url)


def run_migrations_offline() -> None:
    """Emit SQL to stdout."""
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Apply migrations on a live connection (given, or made from the URL)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
