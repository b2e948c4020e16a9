"""The worker process that analyses and stores mentions while the crawl goes on.

Scrapy runs in one thread and VADER is pure Python: analysing and writing in the crawl's
process makes every page wait for its items. With ``GRAPEVINE_ANALYSIS_WORKERS`` > 0 (the
default on a machine with two cores or more), a database configured and the asyncio reactor,
:class:`crawler.pipelines.StoragePipeline` hands batches to a shared
``ProcessPoolExecutor`` (:func:`crawler.analysis_worker.analyse_and_store`) and keeps
crawling; a crawl closes only when its batches are stored. Otherwise the analysis pipeline
analyses in process, as ``scrapy crawl -o`` without a database does.

**The workers die with their parent.** A SIGKILL of ``grapevine run`` gives the pool no
chance to stop its workers; they used to live on (parent 1) holding the SQLite database and
its WAL open, and multiprocessing's resource tracker with them: the tracker ends when the
last holder of its pipe closes it, and every spawned worker inherits that pipe. So each
worker, in :func:`die_with_parent` (the pool's initializer), asks Linux for a SIGKILL when its
parent goes (``prctl(PR_SET_PDEATHSIG)``; the parent is the thread that started the pool,
the crawl's main thread) and also watches the parent's pid from a thread (every
:data:`WATCH_SECONDS`; macOS and other systems without prctl). Once the workers are gone the
tracker reads EOF and exits too.
"""

import atexit
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import is_asyncio_available

_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0
#: Batches handed to the worker by this process (reported by the benchmark).
submitted = 0


#: How often a worker checks that its parent is still there.
WATCH_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1


def set_parent_death_signal(signum: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent ends (False elsewhere)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def watch_parent(parent: int, interval: float = WATCH_SECONDS) -> None:
    """End this process at once when its parent ``parent`` is gone (from a daemon thread)."""

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(interval)

    threading.Thread(target=watch, name="grapevine-parent-watch", daemon=True).start()


def die_with_parent(parent: int) -> None:
    """The pool's initializer: the worker ends when ``parent`` does, however it ends."""
    set_parent_death_signal()
    if os.getppid() != parent:  # the parent died before the prctl took effect
        os._exit(1)
    watch_parent(parent)


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
        _POOL = ProcessPoolExecutor(
            size,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )
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
