"""What the commands share: the --config option, loading settings, errors as one line."""

import contextlib
import functools
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click
from sqlalchemy import Engine

from grapevine.config import ConfigError, Settings, load_config
from grapevine.locks import Busy, RunLock
from grapevine.wiring import open_engine
from storage import SchemaError

F = TypeVar("F", bound=Callable[..., Any])

CONFIG_HELP = "Config file [default: $GRAPEVINE_CONFIG, else ./grapevine.toml]."


class ConfigFailure(click.ClickException):
    """A bad config: one line naming the file, the key and what was expected; exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        """Print ``error: <file>: <key>: <expected>``."""
        click.echo(f"error: {self.message}", err=True)


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
    """The database engine, checked to be at the current schema."""
    cfg = cfg or settings()
    try:
        return open_engine(cfg)
    except SchemaError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:
        raise click.ClickException(f"cannot open the database: {exc}") from None


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
