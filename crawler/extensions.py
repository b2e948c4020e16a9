"""Crawl health bookkeeping: a CrawlRun row per crawl, with its outcome and the reasons.

``CrawlRunRecorder`` opens the row when the spider opens and closes it with the counts, the
finish reason and a readable error summary built from the crawl stats (HTTP errors, download
exceptions, parse problems the spider reported) so that "blocked" is never confused with
"nothing new was said". After a crawl that stored everything it read it keeps the spider's
paging cursor and advances the high-water mark as far as nothing was left unread
(:func:`keep_place`); a crawl stopped at its page or item limit is ``partial``
(:func:`verdict`).
"""

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.python.failure import Failure

from crawler.db import engine_for
from crawler.health import pages_read, summarise
from crawler.monitors import RESTATING
from storage.runs import finish_crawl_run, set_high_water_mark, start_crawl_run

log = logging.getLogger(__name__)


def outcome(reason: str | None, scraped: int, errors: int) -> str:
    """``ok``, ``partial`` (some items and some errors) or ``failed``."""
    if reason not in (None, "finished"):
        return "partial" if scraped else "failed"
    if errors:
        return "partial" if scraped else "failed"
    return "ok"


#: What a row handed to storage can come back as (:class:`crawler.pipelines.StoragePipeline`).
ACCOUNTED = ("new", "updated", "unchanged", "quarantined", "forgotten", "failed", "repeated")


def items_unconfirmed(stats: dict[str, Any]) -> int:
    """Rows handed to storage that never came back counted (stored, quarantined, forgotten
    or failed): lost without a word from the storage worker — never taken as stored."""
    handed = stats.get("grapevine/items_to_store")
    if handed is None:
        return 0
    seen = sum(int(stats.get(f"grapevine/items_{key}", 0)) for key in ACCOUNTED)
    return max(0, int(handed) - seen)


def items_lost(stats: dict[str, Any]) -> int:
    """Items the crawl served but did not store: quarantined, failed outright, or handed to
    storage and never confirmed."""
    return (
        int(stats.get("grapevine/items_failed", 0))
        + int(stats.get("grapevine/items_quarantined", 0))
        + items_unconfirmed(stats)
    )


def lost_summary(stats: dict[str, Any]) -> str | None:
    """What the crawl lost, in words: ``3 items quarantined: <reasons>; see `grapevine
    quarantine list``` (and the items not stored at all), or ``None``."""
    parts = []
    for key, what in (("failed", "not stored (database unavailable)"), ("quarantined", "")):
        count = int(stats.get(f"grapevine/items_{key}", 0))
        if not count:
            continue
        reasons = stats.get(f"grapevine/{key}_reasons") or {}
        top = sorted(reasons.items(), key=lambda kv: -kv[1])[:3]
        why = ", ".join(r if n == 1 else f"{r} ×{n}" for r, n in top)
        label = f"{count} item{'s' if count != 1 else ''} {what or key}"
        parts.append(f"{label}: {why}" if why else label)
    unconfirmed = items_unconfirmed(stats)
    if unconfirmed:
        parts.append(
            f"{unconfirmed} item{'s' if unconfirmed != 1 else ''} not confirmed stored "
            "(the storage worker never answered; the next run fetches them again)"
        )
    if not parts:
        return None
    return "; ".join(parts) + "; see `grapevine quarantine list`"


def crawl_outcome(
    spider: Spider, stats: dict[str, Any], reason: str | None
) -> tuple[str, int, str | None]:
    """(status, error count, summary) of a finished crawl, monitors' verdict included."""
    errors, summary = summarise(stats, list(getattr(spider, "problems", [])))
    scraped = int(stats.get("item_scraped_count", 0))
    status = outcome(reason, scraped, errors)
    monitors = getattr(spider, "monitor_results", None) or {}
    failed = [
        message
        for message in monitors.get("failed") or []
        if not (errors and message.startswith(RESTATING))
    ]
    if failed:
        summary = "; ".join(filter(None, [summary, *failed]))
        if status == "ok":
            status = "partial" if scraped else "failed"
    lost = lost_summary(stats)
    if lost:  # an item served and not stored: never ok (the mark stays, see spider_closed)
        summary = "; ".join(filter(None, [summary, lost]))
        if status == "ok":
            status = "partial"
    return status, errors, summary


def verdict(
    spider: Spider, stats: dict[str, Any], reason: str | None
) -> tuple[str, int, str | None]:
    """:func:`crawl_outcome`, and ``partial`` with the reason when the spider stopped at
    ``max_pages``/``max_items`` with more to read: ``ok`` is for complete crawls only."""
    status, errors, summary = crawl_outcome(spider, stats, reason)
    stopped = list(getattr(spider, "stopped", None) or [])
    if stopped:
        summary = "; ".join(filter(None, [summary, *stopped]))
        if status == "ok":
            status = "partial"
    return status, errors, summary


def keep_place(engine: Any, spider: Spider, stats: dict[str, Any]) -> None:
    """After a crawl that stored everything it read: keep each listing's cursor (where it
    goes on next run), and move the high-water mark only when no listing was left with a
    gap — never past what was not fetched."""
    source = getattr(spider, "source_name", spider.name)
    next_cursor = getattr(spider, "next_cursor", None)
    cursor = next_cursor() if callable(next_cursor) else None
    mark = stats.get("grapevine/newest_published_at")
    if getattr(spider, "stopped", None):
        mark = None
    elif getattr(spider, "listings", None):
        covered = getattr(spider, "covered_until", None)
        mark = None if covered is None else max(t for t in (mark, covered) if t is not None)
    if mark is not None or cursor:
        set_high_water_mark(engine, source, mark, cursor=cursor or None)


class CrawlRunRecorder:
    """Record each crawl in ``crawl_run`` (needs ``GRAPEVINE_DATABASE_URL``)."""

    def __init__(self, crawler: Crawler, url: str) -> None:
        self.crawler = crawler
        self.engine = engine_for(url)
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CrawlRunRecorder":
        """Connect to the spider signals; off without a database URL."""
        url = crawler.settings.get("GRAPEVINE_DATABASE_URL")
        if not url:
            raise NotConfigured("GRAPEVINE_DATABASE_URL is not set")
        ext = cls(crawler, url)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        """Open the CrawlRun row."""
        self.run_id = start_crawl_run(
            self.engine,
            source=getattr(spider, "source_name", spider.name),
            source_type=spider.name,
        )
        spider.crawl_run_id = self.run_id  # type: ignore[attr-defined]

    def spider_error(self, failure: Failure, response: Any, spider: Spider) -> None:
        """Remember a parse exception with the page it happened on."""
        problems = getattr(spider, "problems", None)
        if isinstance(problems, list) and len(problems) < 50:
            problems.append(
                f"{failure.type.__name__ if failure.type else 'error'} parsing {response.url}: "
                f"{str(failure.value)[:200]}"
            )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Close the CrawlRun row with counts, outcome and reasons."""
        if self.run_id is None:
            return
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        stored_all, _, _ = crawl_outcome(spider, stats, reason)
        status, errors, summary = verdict(spider, stats, reason)
        monitors = getattr(spider, "monitor_results", None) or {}
        finish_crawl_run(
            self.engine,
            self.run_id,
            status=status,
            finish_reason=reason,
            pages=pages_read(stats),
            items_new=int(stats.get("grapevine/items_new", 0)),
            items_updated=int(stats.get("grapevine/items_updated", 0)),
            items_unchanged=int(stats.get("grapevine/items_unchanged", 0)),
            items_dropped=int(stats.get("grapevine/items_dropped", 0)),
            items_failed=int(stats.get("grapevine/items_failed", 0)),
            items_quarantined=int(stats.get("grapevine/items_quarantined", 0)),
            errors=errors,
            error_summary=summary,
            monitors=monitors,
            stats={k: v if isinstance(v, int | float | str) else str(v) for k, v in stats.items()},
        )
        if stored_all == "ok" and not items_lost(stats):
            keep_place(self.engine, spider, stats)
        log.info(
            "source %s: %s (%s)",
            getattr(spider, "source_name", spider.name),
            status,
            summary or "no errors",
        )
