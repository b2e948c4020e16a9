"""What the commands share: the --config option, loading settings, errors as one line."""

import contextlib
import errno
import functools
import logging
import os
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from grapevine.config import DATABASE_URL_ENV, ConfigError, Settings, load_config
from grapevine.locks import Busy, RunLock
from grapevine.wiring import open_engine
from storage import SchemaError

F = TypeVar("F", bound=Callable[..., Any])

CONFIG_HELP = "Config file [default: $GRAPEVINE_CONFIG, else ./grapevine.toml]."


class Failure(click.ClickException):
    """Something the user can fix (a file, a setting, a port): ``error: ...``, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        """Print ``error: <what was wrong and what to do>``."""
        click.echo(f"error: {self.message}", err=True)


class ConfigFailure(Failure):
    """A bad config: one line naming the file, the key and what was expected; exit status 2."""


def config_option(func: F) -> F:
    """Add ``--config PATH`` to a command; the group's ``--config`` is the fallback."""

    @click.option(
        "--config", "config_path", type=click.Path(dir_okay=False), default=None, help=CONFIG_HELP
    )
    @functools.wraps(func)
    def wrapper(*args: Any, config_path: str | None = None, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        root = ctx.find_root().obj or {}
        ctx.meta["grapevine.config_path"] = config_path or root.get("config_path")
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def settings() -> Settings:
    """The settings of the current command (loaded once)."""
    ctx = click.get_current_context()
    if "grapevine.settings" not in ctx.meta:
        try:
            ctx.meta["grapevine.settings"] = load_config(ctx.meta.get("grapevine.config_path"))
        except ConfigError as exc:
            raise ConfigFailure(str(exc)) from None
    return ctx.meta["grapevine.settings"]


def engine(cfg: Settings | None = None) -> Engine:
    """The database engine, checked to be at the current schema.

    A database that cannot be opened is one line (:func:`database_failure`), exit status 2; a
    schema that is behind says what to run, exit status 1.
    """
    cfg = cfg or settings()
    with database_errors(cfg):
        return open_engine(cfg)


def url_origin(cfg: Settings) -> str:
    """Which setting supplied the database URL: the environment or the file's key."""
    if cfg.env.get(DATABASE_URL_ENV):
        return DATABASE_URL_ENV
    return f"[database] url in {cfg.path}"


@contextlib.contextmanager
def database_errors(cfg: Settings) -> Iterator[None]:
    """Turn a database that cannot be opened, inside the block, into one line (exit 2)."""
    try:
        yield
    except SchemaError as exc:
        raise click.ClickException(str(exc)) from None
    except (DBAPIError, ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        raise database_failure(cfg, exc) from None


def _shown_url(url: str) -> str:
    """The URL as the user wrote it, without the password (never shown, not even as ***)."""
    try:
        # URL.set() keeps the password when given None; _replace is the documented way
        return make_url(url)._replace(password=None).render_as_string(hide_password=False)
    except ArgumentError:
        return url[:60] if "@" not in url else "(a value that is not a URL)"


def _first_line(exc: BaseException) -> str:
    """The driver's own message, first line, without SQLAlchemy's wrapping."""
    inner = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    return lines[0] if lines else type(inner).__name__


def _server_problem(exc: BaseException, url: Any) -> tuple[str, str]:
    """(verb, reason) for a server database (PostgreSQL) that did not let us in."""
    text = _first_line(exc)
    low = text.lower()
    host = url.host or "localhost"
    if "connection refused" in low:
        return "reach", "connection refused — is the server running?"
    if any(
        cue in low
        for cue in ("resolve host", "translate host", "name or service", "name resolution")
    ):
        return "reach", f"the host name {host!r} does not resolve — check the URL"
    if "timeout" in low or "timed out" in low:
        return "reach", "no answer in time — are the host and the port right, and open to us?"
    if "password authentication failed" in low or "no password supplied" in low:
        return "open", (
            f"the server refused user {url.username!r} (password authentication failed) — "
            "check the user and the password"
        )
    if "does not exist" in low and "database" in low:
        return "open", (
            f"the server has no database {url.database!r} — create it "
            f"(createdb {url.database}) or fix the URL"
        )
    if "does not exist" in low and "role" in low:
        return "open", f"the server has no user {url.username!r} — create it or fix the URL"
    return "open", text.removeprefix("connection failed: ")


def _sqlite_problem(exc: BaseException, path: Path) -> str:
    """Why a SQLite file could not be used, found on the file system (sqlite says little)."""
    text = _first_line(exc).lower()
    folder = path.parent
    if "not a database" in text or "malformed" in text:
        return "the file is not a SQLite database — point the URL at another file"
    if not folder.is_dir():
        return f"the folder {folder} does not exist — create it or fix the URL"
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"the folder {folder} is not writable (SQLite keeps its journal next to the file) "
            "— fix the permissions or fix the URL"
        )
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return "the file is not readable and writable by this user — fix the permissions"
    if path.is_dir():
        return "that is a folder, not a file — name a file in it"
    return _first_line(exc)


def database_failure(cfg: Settings, exc: BaseException) -> Failure:
    """One line saying which database, set where, could not be used, and what to do.

    ``error: cannot reach the database at postgresql://user@host:5432/db (from
    GRAPEVINE_DATABASE_URL): connection refused — is the server running?`` The password is
    never shown; the URL's origin is ``GRAPEVINE_DATABASE_URL`` or ``[database] url in FILE``.
    """
    origin = url_origin(cfg)
    raw = cfg.env.get(DATABASE_URL_ENV) or cfg.database.url
    try:
        url = make_url(cfg.database_url)
    except (ArgumentError, ValueError):
        return Failure(
            f"{origin}: expected a database URL such as sqlite:///grapevine.db or "
            f"postgresql://user@host:5432/db (got {_shown_url(raw)!r})"
        )
    if isinstance(exc, NoSuchModuleError | ArgumentError | ImportError):
        return Failure(
            f"{origin}: {url.drivername}:// is not a database Grapevine can use "
            "(sqlite:/// or postgresql://)"
        )
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        return Failure(
            f"cannot open the SQLite database {path} (from {origin}): {_sqlite_problem(exc, path)}"
        )
    verb, reason = _server_problem(exc, url)
    return Failure(f"cannot {verb} the database at {_shown_url(raw)} (from {origin}): {reason}")


def port_problem(host: str, port: int) -> str | None:
    """Why nothing could listen on ``host:port`` now (``None``: the port is free).

    A real bind on the host, with ``SO_REUSEADDR`` as Tornado (Streamlit) and
    ``http.server`` set it, so a port merely in TIME_WAIT counts as free and one with a
    listener does not.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        return f"{host} is not an address of this machine ({exc.strerror})"
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use"
            return f"cannot listen on {host}:{port} ({exc.strerror})"
    return None


def require_free_port(host: str, port: int, option: str = "--port") -> None:
    """Exit with status 2 and one line naming the port and ``option`` when it is taken."""
    if (problem := port_problem(host, port)) is not None:
        raise Failure(f"{problem}; choose another with {option}")


class _QuietCrawler(logging.Filter):
    """Drop Scrapy's and Twisted's own log lines (with their tracebacks) below CRITICAL.

    Their errors are already in the per-source summary and the crawl_run rows, in one line
    each; ``-v`` shows the crawler's full log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.CRITICAL:
            return True
        return not record.name.startswith(("scrapy", "twisted", "spidermon", "py.warnings"))


def setup_logging(verbose: int) -> None:
    """Warnings by default; ``-v`` info, ``-vv`` debug. Logs go to stderr.

    By default the crawler's own log is left out: each source's outcome and reasons are in
    the summary; ``-v`` shows everything.
    """
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.root.handlers:  # Scrapy sets its loggers to DEBUG: filter here too
        handler.setLevel(level)
        for old in [f for f in handler.filters if isinstance(f, _QuietCrawler)]:
            handler.removeFilter(old)
        if verbose <= 0:
            handler.addFilter(_QuietCrawler())


def log_level_name(verbose: int) -> str:
    """The Scrapy ``LOG_LEVEL`` for a verbosity."""
    return "WARNING" if verbose <= 0 else "INFO" if verbose == 1 else "DEBUG"


class LockBusy(click.ClickException):
    """Another grapevine process holds the lock: one line, exit status 3."""

    exit_code = 3

    def show(self, file: Any = None) -> None:
        """Print ``error: another grapevine process holds the ... lock (...)``."""
        click.echo(f"error: {self.message}", err=True)


@contextlib.contextmanager
def held_lock(eng: Engine, name: str, *, wait: float = 0.0) -> Iterator[RunLock]:
    """Hold the ``name`` lock for the block, or exit with status 3 saying who holds it."""
    lock = RunLock(eng, name, wait=wait)
    try:
        lock.acquire()
    except Busy as exc:
        raise LockBusy(f"{exc}; not starting a second one") from None
    try:
        yield lock
    finally:
        lock.release()
