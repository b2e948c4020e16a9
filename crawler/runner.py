"""Run configured sources: one Scrapy crawl per source, all in one process.

A Twisted reactor runs once per process, so :func:`run_sources` is called once per process
(``grapevine run`` and ``grapevine crawl`` are short-lived processes; the scheduler starts one
per run so that a long-lived scheduler never hosts a stuck reactor).

Sources arrive as plain dicts (``name``, ``type``, ``base_url``, ``brand``, ``match_terms``,
``max_pages``, ``max_items``, ``overlap_days`` and the type's own options); this package does
not read the config file. An incremental crawl gives each spider the source's high-water mark
(``since``) and paging cursor (``cursor``) from ``source_state``.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from crawler import analysis_pool
from crawler.db import engine_for
from crawler.extensions import verdict
from crawler.health import pages_read
from crawler.progress import Callback, ProgressReporter
from storage.runs import record_failed_run, source_state

log = logging.getLogger(__name__)

_SPIDER_ARGS = ("name", "type", "enabled")


@dataclass
class SourceResult:
    """How one source's crawl went."""

    name: str
    type: str
    status: str = "failed"
    finish_reason: str | None = None
    pages: int = 0
    items_scraped: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_dropped: int = 0
    items_failed: int = 0
    error: str | None = None
    items: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the collected items)."""
        data = asdict(self)
        data.pop("items")
        return data


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Our Scrapy settings module with ``overrides`` on top."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings


def spider_types() -> list[str]:
    """The source types that have a spider."""
    return sorted(SpiderLoader.from_settings(project_settings()).list())


def _spider_kwargs(
    source: dict[str, Any], since: Any, cursor: dict[str, Any] | None = None
) -> dict[str, Any]:
    kwargs = {k: v for k, v in source.items() if k not in _SPIDER_ARGS and v is not None}
    kwargs["source"] = source["name"]
    if since is not None:
        kwargs["since"] = since
    if cursor:
        kwargs["cursor"] = cursor
    return kwargs


def run_sources(
    sources: Iterable[dict[str, Any]],
    settings: dict[str, Any] | None = None,
    *,
    incremental: bool = True,
    collect_items: bool = False,
    on_done: Callable[[SourceResult], None] | None = None,
    install_root_handler: bool = True,
    on_progress: Callback | None = None,
    progress_interval: float = 30.0,
) -> list[SourceResult]:
    """Crawl every source concurrently in one process; return one result per source.

    A source whose spider cannot start (unknown type, bad options) is recorded as failed and
    the others go on. With ``incremental`` each source stops at its high-water mark (less the
    overlap) and continues what its cursor says an earlier run left unread. Every
    ``progress_interval`` seconds (0: never) ``on_progress`` gets each source's pages and
    items so far (default: an INFO log line).
    """
    base = project_settings(settings)
    url = base.get("GRAPEVINE_DATABASE_URL")
    engine = engine_for(url) if url else None
    loader = SpiderLoader.from_settings(base)
    base.set("LOG_INSTALL_ROOT_HANDLER", install_root_handler, priority="cmdline")
    process = CrawlerProcess(base)
    if not install_root_handler:
        # Scrapy sets its own loggers to DEBUG; with the caller's handlers, LOG_LEVEL must hold
        for name in ("scrapy", "twisted", "py.warnings"):
            logging.getLogger(name).setLevel(base.get("LOG_LEVEL") or "WARNING")
    results: list[SourceResult] = []
    scheduled = 0
    progress = ProgressReporter(progress_interval, on_progress)

    def fail(result: SourceResult, reason: str) -> None:
        result.status, result.error = "failed", reason
        if engine is not None:
            record_failed_run(engine, source=result.name, source_type=result.type, reason=reason)

    for source in sources:
        result = SourceResult(name=source["name"], type=source["type"])
        results.append(result)
        try:
            spidercls = loader.load(source["type"])
        except KeyError:
            fail(result, f"no spider for source type {source['type']!r}")
            continue
        since, cursor = (
            source_state(engine, source["name"]) if (engine and incremental) else (None, {})
        )
        crawler = process.create_crawler(spidercls)
        _watch(crawler, result, collect_items)
        progress.add(result.name, crawler)
        deferred = process.crawl(crawler, **_spider_kwargs(source, since, cursor))
        deferred.addCallbacks(
            _crawl_done,
            _crawl_failed,
            callbackArgs=(crawler, result, progress, on_done),
            errbackArgs=(result, fail, progress, on_done),
        )
        scheduled += 1
    if scheduled:
        progress.start()
        try:
            process.start()
        finally:
            progress.stop()
            analysis_pool.shutdown()
    return results


def _watch(crawler: Crawler, result: SourceResult, collect: bool) -> None:
    def scraped(item: Any) -> None:
        result.items.append(dict(item))

    if collect:
        crawler.signals.connect(scraped, signal=signals.item_scraped, weak=False)


def _crawl_done(
    _: Any,
    crawler: Crawler,
    result: SourceResult,
    progress: ProgressReporter,
    on_done: Callable[[SourceResult], None] | None,
) -> None:
    """Fill the result once the crawl is over (after the monitors and the CrawlRun row)."""
    assert crawler.stats is not None
    stats = crawler.stats.get_stats()
    reason = stats.get("finish_reason")
    result.finish_reason = reason
    result.pages = pages_read(stats)
    result.items_scraped = int(stats.get("item_scraped_count", 0))
    result.items_new = int(stats.get("grapevine/items_new", 0))
    result.items_updated = int(stats.get("grapevine/items_updated", 0))
    result.items_dropped = int(stats.get("grapevine/items_dropped", 0))
    result.items_failed = int(stats.get("grapevine/items_failed", 0))
    if crawler.spider is not None:
        result.status, _, result.error = verdict(crawler.spider, stats, reason)
    progress.done(result.name)
    if on_done is not None:
        on_done(result)


def _crawl_failed(
    failure: Any,
    result: SourceResult,
    fail: Callable[[SourceResult, str], None],
    progress: ProgressReporter,
    on_done: Callable[[SourceResult], None] | None,
) -> None:
    reason = f"{failure.type.__name__}: {failure.value}" if failure.type else str(failure.value)
    log.error("source %s could not be crawled: %s", result.name, reason)
    fail(result, reason)
    progress.done(result.name)
    if on_done is not None:
        on_done(result)
