"""Engines and sessions: SQLite (WAL, foreign keys) by default, PostgreSQL by URL alone.

``postgresql://`` URLs are driven by psycopg 3. Nothing here reads a file or the environment:
the caller passes the URL (see :mod:`grapevine.config`).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)

#: Seconds to wait for a PostgreSQL server to accept a connection.
CONNECT_TIMEOUT = 10


def normalise_url(url: str) -> str:
    """Return ``url`` with the driver Grapevine uses (psycopg 3 for PostgreSQL)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # read through memory-mapped I/O: random reads (a page of the triage queue joining its
    # mentions) cost half as much as through read() on a large file
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.close()


def make_engine(url: str, *, echo: bool = False, pool: bool = True) -> Engine:
    """Create an engine for ``url``.

    SQLite files get WAL journaling, foreign keys and a 30 s busy timeout so that the crawler,
    the dashboard and the scheduler can share one file. SQL parameters are hidden from error
    messages and echo. ``pool=False`` opens a connection per
    use (for short-lived processes and tests).
    """
    url = normalise_url(url)
    # hide_parameters: an error's message (logged, shown) never carries the row's values —
    # review text, emails, handles are personal data
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
        # a server that never answers (a firewall dropping packets) must not hang a command
        # for the OS's two minutes; a URL's own ?connect_timeout= wins
        connect_args: dict[str, Any] = {}
        if "connect_timeout" not in make_url(url).query:
            connect_args["connect_timeout"] = CONNECT_TIMEOUT
        # no JIT: compiling a plan costs ~50 ms, more than the queue's queries on 10 M
        # mentions take without it (benchmarks/storage); a URL's own ?options= wins
        if "options" not in make_url(url).query:
            connect_args["options"] = "-c jit=off"
        kwargs["connect_args"] = connect_args
    if not pool:
        kwargs["poolclass"] = NullPool
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def describe(engine: Engine) -> str:
    """A printable description of the database, with any password hidden."""
    return engine.url.render_as_string(hide_password=True)
