"""Progress of a long crawl: pages and items per source every few seconds.

:class:`ProgressReporter` is started by :func:`crawler.runner.run_sources` next to the crawls;
every ``interval`` seconds it reads each crawler's stats and hands one snapshot per source to a
callback (``grapevine run`` prints it), or logs it at INFO.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.asyncio import create_looping_call

from crawler.health import pages_read

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceProgress:
    """Where one source's crawl is."""

    name: str
    pages: int
    items: int
    finished: bool


Callback = Callable[[list[SourceProgress], float], None]


def log_progress(snapshot: list[SourceProgress], elapsed: float) -> None:
    """The default callback: one INFO line for all sources."""
    log.info("after %.0f s: %s", elapsed, format_progress(snapshot))


def format_progress(snapshot: list[SourceProgress]) -> str:
    """``name 12 pages/340 items, other 3/80 (done)``."""
    return ", ".join(
        f"{p.name} {p.pages} pages/{p.items} items" + (" (done)" if p.finished else "")
        for p in snapshot
    )


class ProgressReporter:
    """Report every ``interval`` seconds while crawls run."""

    def __init__(self, interval: float, callback: Callback | None = None) -> None:
        self.interval = interval
        self.callback = callback or log_progress
        self.crawlers: list[tuple[str, Crawler]] = []
        self.finished: set[str] = set()
        self.started = time.monotonic()
        self.task: Any = None

    def add(self, name: str, crawler: Crawler) -> None:
        """Follow one source's crawler."""
        self.crawlers.append((name, crawler))

    def done(self, name: str) -> None:
        """A source finished."""
        self.finished.add(name)

    def snapshot(self) -> list[SourceProgress]:
        """Pages and items of every followed source now."""
        out = []
        for name, crawler in self.crawlers:
            stats = crawler.stats.get_stats() if crawler.stats is not None else {}
            out.append(
                SourceProgress(
                    name=name,
                    pages=pages_read(stats),
                    items=int(stats.get("item_scraped_count", 0)),
                    finished=name in self.finished,
                )
            )
        return out

    def tick(self) -> None:
        """Report once (errors in the callback are logged, never raised into the crawl)."""
        if len(self.finished) >= len(self.crawlers):
            return
        try:
            self.callback(self.snapshot(), time.monotonic() - self.started)
        except Exception:
            log.exception("progress callback failed")

    def start(self) -> None:
        """Start reporting (call after the reactor is installed)."""
        if self.interval > 0 and self.crawlers:
            self.task = create_looping_call(self.tick)
            self.task.start(self.interval, now=False)

    def stop(self) -> None:
        """Stop reporting."""
        if self.task is not None and self.task.running:
            self.task.stop()
