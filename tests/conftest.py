"""Shared fixtures: databases (SQLite always, PostgreSQL when a server answers), configs.

PostgreSQL: ``GRAPEVINE_TEST_POSTGRES_URL`` names a server (CI: postgresql://postgres@127.0.0.1:5432/test).
Each test session creates its own database there and drops it at the end. Without a server the
PostgreSQL tests skip with the reason; ``GRAPEVINE_REQUIRE_SERVICES=1`` (set by .ci/run) turns
that skip into a failure.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storage import make_engine, upgrade

REQUIRE_SERVICES = os.environ.get("GRAPEVINE_REQUIRE_SERVICES") == "1"
POSTGRES_ENV = "GRAPEVINE_TEST_POSTGRES_URL"


def unavailable(reason: str) -> None:
    """Skip with ``reason``, or fail when services are required (CI)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped afterwards)."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        unavailable(f"{POSTGRES_ENV} is not set")
        return
    admin_url = make_url(url).set(drivername="postgresql+psycopg")
    name = f"grapevine_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        unavailable(f"no PostgreSQL server at {admin_url.render_as_string()}: {exc}")
        return
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_postgres(url: str) -> None:
    eng = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'grapevine.db'}"
    url: str = request.getfixturevalue("postgres_server_url")
    _reset_postgres(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a database at the current schema (SQLite and PostgreSQL)."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine on a fresh SQLite database at the current schema."""
    eng = make_engine(f"sqlite:///{tmp_path / 'grapevine.db'}")
    upgrade(eng)
    yield eng
    eng.dispose()
