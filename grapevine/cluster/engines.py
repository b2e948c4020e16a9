"""The database engine of a worker process, and forgetting it in a forked crawl child."""

from sqlalchemy import Engine

from grapevine.config import Settings
from grapevine.wiring import open_engine

_ENGINES: dict[str, Engine] = {}


def engine_for(settings: Settings) -> Engine:
    """This worker process's engine for the configured database."""
    url = settings.database_url
    if url not in _ENGINES:
        _ENGINES[url] = open_engine(settings)
    return _ENGINES[url]


def forget_engines() -> None:
    """In a forked child: leave the parent's pooled connections alone."""
    for eng in _ENGINES.values():
        eng.dispose(close=False)
    _ENGINES.clear()
