"""Sentiment analysis in a worker process, in small batches, so the crawl keeps its own core.

Scrapy runs in one thread and VADER is pure Python: analysing in the crawl's process makes
every page wait for its items' analysis. :class:`BatchAnalyzer` gathers the texts of items as
they come (up to ``batch_size`` or ``max_wait`` seconds), analyses them in a shared
``ProcessPoolExecutor`` and hands each item its result; the reactor keeps downloading and
parsing meanwhile. With ``workers = 0``, no asyncio reactor, or a broken pool it analyses in
process, with the same results.
"""

import asyncio
import atexit
import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from scrapy.utils.asyncio import is_asyncio_available

from crawler.analysis_worker import Job, analyze_batch
from sentiment import Analyzer
from sentiment.analyzer import Analysis

log = logging.getLogger(__name__)

_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0


def pool(workers: int) -> ProcessPoolExecutor:
    """The process-wide pool (started on first use, shut down at exit)."""
    global _POOL, _POOL_SIZE  # noqa: PLW0603 - one pool per process, shared by all crawls
    if _POOL is None or workers != _POOL_SIZE:
        shutdown()
        _POOL = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        _POOL_SIZE = workers
    return _POOL


def shutdown() -> None:
    """Stop the worker processes (the runner calls it when its crawls are over)."""
    global _POOL  # noqa: PLW0603
    if _POOL is not None:
        _POOL.shutdown(wait=True, cancel_futures=True)
        _POOL = None


atexit.register(shutdown)


class BatchAnalyzer:
    """Analyse texts in batches in a worker process; ``await analyze(...)`` per item."""

    def __init__(
        self,
        lexicon: dict[str, float],
        aspects: dict[str, list[str]],
        *,
        workers: int = 1,
        batch_size: int = 64,
        max_wait: float = 0.05,
    ) -> None:
        self.lexicon, self.aspects = dict(lexicon), {k: list(v) for k, v in aspects.items()}
        self.local = Analyzer(lexicon=self.lexicon, aspects=self.aspects)
        self.workers = workers if is_asyncio_available() else 0
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.pending: list[tuple[Job, asyncio.Future[Analysis]]] = []
        self.timer: asyncio.TimerHandle | None = None

    async def analyze(self, text: str, rating: float | None, source: str | None) -> Analysis:
        """The analysis of one text (batched in the worker, or here when there is none)."""
        if self.workers <= 0:
            return self.local.analyze(text, rating=rating, source=source)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Analysis] = loop.create_future()
        self.pending.append(((text, rating, source), future))
        if len(self.pending) >= self.batch_size:
            self.flush()
        elif self.timer is None:
            self.timer = loop.call_later(self.max_wait, self.flush)
        return await future

    def flush(self) -> None:
        """Send what is pending to the worker."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        batch, self.pending = self.pending, []
        if not batch:
            return
        jobs = [job for job, _ in batch]
        try:
            done = pool(self.workers).submit(analyze_batch, self.lexicon, self.aspects, jobs)
        except RuntimeError as exc:  # a pool shut down or broken: analyse here
            log.warning("analysis worker unavailable (%s); analysing in process", exc)
            self._deliver(batch, None)
            return
        loop = asyncio.get_running_loop()
        done.add_done_callback(lambda f: loop.call_soon_threadsafe(self._deliver, batch, f))

    def _deliver(
        self, batch: list[tuple[Job, "asyncio.Future[Analysis]"]], done: Future[Any] | None
    ) -> None:
        results: list[Analysis] | None = None
        if done is not None:
            try:
                results = done.result()
            except Exception as exc:  # a crashed worker must not lose the items
                log.warning("analysis worker failed (%s); analysing in process", type(exc).__name__)
                self.workers = 0
        if results is None:
            results = [
                self.local.analyze(t, rating=r, source=s) for t, r, s in (j for j, _ in batch)
            ]
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
