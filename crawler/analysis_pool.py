"""The worker process that analyses and stores mentions while the crawl goes on.

Scrapy runs in one thread and VADER is pure Python: analysing and writing in the crawl's
process makes every page wait for its items. With ``GRAPEVINE_ANALYSIS_WORKERS`` > 0 (the
default on a machine with two cores or more), a database configured and the asyncio reactor,
:class:`crawler.pipelines.StoragePipeline` hands batches to a shared
``ProcessPoolExecutor`` (:func:`crawler.analysis_worker.analyse_and_store`) and keeps
crawling; a crawl closes only when its batches are stored. Otherwise the analysis pipeline
analyses in process, as ``scrapy crawl -o`` without a database does.
"""

import atexit
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import is_asyncio_available

_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0
#: Batches handed to the worker by this process (reported by the benchmark).
submitted = 0


def workers(settings: BaseSettings) -> int:
    """How many worker processes analyse and store (0: in the crawl's process)."""
    value = settings.get("GRAPEVINE_ANALYSIS_WORKERS")
    count = (1 if (os.cpu_count() or 1) > 1 else 0) if value is None else int(value)
    pipelines = settings.getdict("ITEM_PIPELINES")
    storing = pipelines.get("crawler.pipelines.StoragePipeline") is not None
    if not (storing and settings.get("GRAPEVINE_DATABASE_URL") and is_asyncio_available()):
        return 0
    return max(0, count)


def pool(size: int) -> ProcessPoolExecutor:
    """The process-wide pool, shared by every crawl of the process (started on first use)."""
    global _POOL, _POOL_SIZE  # noqa: PLW0603 - one pool per process
    if _POOL is None or size != _POOL_SIZE:
        shutdown()
        _POOL = ProcessPoolExecutor(size, mp_context=multiprocessing.get_context("spawn"))
        _POOL_SIZE = size
    return _POOL


def submit(size: int, fn: Callable[..., Any], *args: Any) -> "Future[Any]":
    """Run ``fn(*args)`` in the pool of ``size`` workers."""
    global submitted  # noqa: PLW0603
    future = pool(size).submit(fn, *args)
    submitted += 1
    return future


def shutdown() -> None:
    """Stop the worker processes (the runner calls it once its crawls are over)."""
    global _POOL  # noqa: PLW0603
    if _POOL is not None:
        _POOL.shutdown(wait=True, cancel_futures=True)
        _POOL = None


atexit.register(shutdown)
