"""The schema comes from Alembic migrations, and commands know when it is behind."""

import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from storage import SchemaError, check_current, make_engine, upgrade
from storage.schema import current_revision, head_revision
from storage.search import include_name


def test_upgrade_creates_every_table_and_is_idempotent(db_url: str) -> None:
    engine = make_engine(db_url)
    with pytest.raises(SchemaError, match="grapevine db upgrade"):
        check_current(engine)
    before, after = upgrade(engine)
    assert before is None and after == head_revision()
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    check_current(engine)
    assert upgrade(engine) == (after, after)


def test_migrations_match_the_models(db_url: str) -> None:
    """Autogenerate finds nothing to do: the models and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        # the search objects exist on one backend only, written by hand (0014_search)
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_a_database_from_the_future_is_reported(sqlite_engine) -> None:
    with sqlite_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    assert current_revision(sqlite_engine) == "ffff"
    with pytest.raises(SchemaError, match="does not know"):
        check_current(sqlite_engine)


def test_sqlite_uses_wal_and_foreign_keys(sqlite_engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
