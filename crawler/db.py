"""One engine per database URL for the whole crawl process (pipelines and extensions share it)."""

from functools import lru_cache

from sqlalchemy import Engine

from storage import make_engine


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    """The process-wide engine for ``url``."""
    return make_engine(url)
