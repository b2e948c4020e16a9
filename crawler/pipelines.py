"""Item pipelines: normalise -> match brand terms -> analyse -> store.

Each reads its settings in ``from_crawler`` and raises ``NotConfigured`` when it is off (for
example :class:`StoragePipeline` without ``GRAPEVINE_DATABASE_URL``, as in a plain
``scrapy crawl feed -o out.jsonl``).

Nothing vanishes: an unexpected exception in a pipeline does not reach Scrapy (which would log
it and lose the item) but quarantines the item with its reason (:func:`quarantine_item`,
stat ``grapevine/items_quarantined``); an item that cannot even be quarantined (no database,
or the database is down) is counted in ``grapevine/items_failed``. Either makes the crawl
``partial`` and keeps its high-water mark where it was (:mod:`crawler.extensions`).
"""

import asyncio
import logging
from datetime import datetime
from typing import Any, NoReturn

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler import analysis_pool
from crawler.analysis_worker import (
    ANALYSIS_INPUT,
    analyse_and_store,
    analysis_columns,
    analyzer_for,
    fill_language,
)
from crawler.db import engine_for
from crawler.matching import BrandMatcher, BrandTerms
from crawler.normalise import MissingField, normalise_item
from sentiment import Analyzer
from storage import quarantine

log = logging.getLogger(__name__)


def plain_item(item: Any) -> dict[str, Any]:
    """An item as a plain dict for the quarantine (its analysis left out: it is redone)."""
    data = dict(item)
    data.pop("analysis", None)
    data.pop(ANALYSIS_INPUT, None)
    return data


def note_reasons(stats: Any, key: str, reasons: dict[str, int]) -> None:
    """Count ``reasons`` in the stat ``grapevine/<key>_reasons`` (the crawl's summary names
    the most frequent ones)."""
    name = f"grapevine/{key}_reasons"
    known = dict(stats.get_value(name) or {})
    for reason, count in reasons.items():
        if reason in known or len(known) < 20:
            known[reason] = known.get(reason, 0) + count
    stats.set_value(name, known)


def quarantine_item(crawler: Crawler, item: Any, stage: str, exc: BaseException) -> DropItem:
    """Quarantine ``item`` after ``exc`` at ``stage``; the ``DropItem`` to raise instead.

    Without a database, or when writing the quarantine fails too, the item is counted in
    ``grapevine/items_failed``: never silently lost.
    """
    stats = crawler.stats
    assert stats is not None
    reason = quarantine.reason_for(exc)
    try:
        name = f"{item.get('source')}:{str(item.get('external_id'))[:80]!r}"
    except Exception:
        name = "an item without a readable id"
    url = crawler.settings.get("GRAPEVINE_DATABASE_URL")
    try:
        if not url:
            raise RuntimeError("no database to quarantine in")
        written = quarantine.add(
            engine_for(url),
            items=[plain_item(item)],
            stage=stage,
            reasons=[reason],
            crawl_run_id=getattr(crawler.spider, "crawl_run_id", None),
        )
    except Exception as error:
        stats.inc_value("grapevine/items_failed")
        note_reasons(stats, "failed", {quarantine.reason_for(error): 1})
        log.error(
            "item %s failed at %s (%s) and could not be quarantined: %s",
            name,
            stage,
            reason,
            quarantine.reason_for(error),
        )
        return DropItem(f"failed at {stage}: {reason}")
    if not written:  # a forgotten person's (a tombstone): not kept, and not lost either
        stats.inc_value("grapevine/items_forgotten")
        return DropItem(f"forgotten (at {stage})")
    stats.inc_value("grapevine/items_quarantined")
    note_reasons(stats, "quarantined", {reason: 1})
    log.warning("item %s quarantined at %s: %s", name, stage, reason)
    return DropItem(f"quarantined at {stage}: {reason}")


class NormalisePipeline:
    """Check required fields and normalise text, times and ratings; drop incomplete items."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "NormalisePipeline":
        """Build from the crawler."""
        return cls(crawler)

    def _drop(self, reason: str) -> NoReturn:
        assert self.stats is not None
        self.stats.inc_value("grapevine/items_dropped")
        self.stats.inc_value(f"grapevine/items_dropped/{reason}")
        raise DropItem(f"dropped: {reason}")

    def process_item(self, item: Any) -> Any:
        """Normalise one item in place (:func:`crawler.normalise.normalise_item`)."""
        try:
            return normalise_item(item)
        except MissingField as missing:
            self._drop(str(missing))
        except Exception as exc:
            raise quarantine_item(self.crawler, item, "normalise", exc) from None


class BrandMatchPipeline:
    """Keep what talks about the brand or a competitor; tag the item with which one.

    A source that searched for the brand keeps everything it got (``match_terms`` false on the
    item); a source that lists everything keeps only matching entries. The brand list comes
    from ``GRAPEVINE_BRANDS``: ``[{"name", "terms", "exclusions", "is_competitor"}, ...]``.
    """

    def __init__(self, crawler: Crawler, brands: list[BrandTerms]) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.matcher = BrandMatcher(brands)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BrandMatchPipeline":
        """Build from ``GRAPEVINE_BRANDS``; off when no brand is configured."""
        raw = crawler.settings.getlist("GRAPEVINE_BRANDS")
        if not raw:
            raise NotConfigured("GRAPEVINE_BRANDS is empty")
        brands = [BrandTerms(**b) if isinstance(b, dict) else b for b in raw]
        return cls(crawler, brands)

    def process_item(self, item: Any) -> Any:
        """Tag (or drop) one item."""
        assert self.stats is not None
        try:
            matching = item.pop("match_terms", None)
            if matching:
                brand = self.matcher.match(item.get("title"), item.get("text"), item.get("url"))
            else:
                brand = self.matcher.get(item.get("brand"))
        except Exception as exc:
            raise quarantine_item(self.crawler, item, "match", exc) from None
        if matching and brand is None:
            self.stats.inc_value("grapevine/items_unmatched")
            raise DropItem("no brand or competitor term")
        if brand is not None:
            item["brand"] = brand.name
            item["is_competitor"] = brand.is_competitor
        return item


class AnalysisPipeline:
    """Score sentiment, complaint and aspects (sentiment/) and attach them to the item.

    Off (``NotConfigured``) when the storage pipeline analyses in its worker process
    (:mod:`crawler.analysis_pool`): items then go on without ``analysis`` and the stored
    mentions have it.
    """

    def __init__(self, crawler: Crawler, analyzer: Analyzer) -> None:
        self.crawler = crawler
        self.analyzer = analyzer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "AnalysisPipeline":
        """Build with the company lexicon and aspects from the settings."""
        settings = crawler.settings
        if analysis_pool.workers(settings) > 0:
            raise NotConfigured()  # silently: the storage worker analyses
        return cls(
            crawler,
            analyzer_for(
                settings.getdict("GRAPEVINE_LEXICON"),
                settings.getdict("GRAPEVINE_ASPECTS"),
                settings.get("GRAPEVINE_UNSCORED_LANGUAGES", "triage"),
                settings.get("GRAPEVINE_DATABASE_URL"),
            ),
        )

    def process_item(self, item: Any) -> Any:
        """Analyse one item (title and text together)."""
        try:
            item["analysis"] = self.analyzer.analyze(
                analysis_text(item), rating=item.get("rating"), source=item.get("source_type")
            )
        except Exception as exc:
            raise quarantine_item(self.crawler, item, "analyse", exc) from None
        return item


def analysis_text(item: Any) -> str:
    """What is analysed: the title and the text together."""
    return "\n".join(p for p in (item.get("title"), item.get("text")) if p)


MENTION_FIELDS = (
    "source",
    "source_type",
    "external_id",
    "url",
    "author",
    "author_handle",
    "title",
    "text",
    "rating",
    "published_at",
    "published_estimated",
    "fetched_at",
    "language",
    "reach",
    "metrics",
    "reply_text",
    "reply_at",
    "brand",
    "is_competitor",
    "content_hash",
    "raw",
)


def mention_row(item: Any) -> dict[str, Any]:
    """The ``mention`` columns for an item (with its analysis, or what the worker needs)."""
    row = {name: item.get(name) for name in MENTION_FIELDS}
    row["published_estimated"] = bool(row["published_estimated"])
    row["is_competitor"] = bool(row["is_competitor"])
    row["metrics"] = row["metrics"] or {}
    row["raw"] = row["raw"] or {}
    row["brand"] = row["brand"] or ""
    analysis = item.get("analysis")
    if analysis is not None:
        row.update(analysis_columns(analysis, row["is_competitor"]))
        fill_language(row, analysis)
    else:  # the worker analyses it
        row[ANALYSIS_INPUT] = (analysis_text(item), row["rating"], row["source_type"])
    return row


class StoragePipeline:
    """Upsert mentions in batches; count new, updated and unchanged in the crawl stats.

    Settings: ``GRAPEVINE_DATABASE_URL`` (off without it), ``GRAPEVINE_BATCH_SIZE`` (200).
    With analysis workers (:mod:`crawler.analysis_pool`) each batch is analysed and written in
    the worker while the crawl goes on — at most ``GRAPEVINE_MAX_PENDING_BATCHES`` (4) at a
    time — and the crawl closes once they are all stored; otherwise batches are written here.
    Every buffered row counts in ``grapevine/items_to_store`` and must come back counted as
    new, updated, unchanged, quarantined, forgotten or failed; what does not (a worker that
    never answered) is lost, and :func:`crawler.extensions.items_lost` says so. The newest
    publication (or edit) time stored goes to the stat ``grapevine/newest_published_at``;
    :class:`crawler.extensions.CrawlRunRecorder` turns it
    into the high-water mark.
    """

    def __init__(self, crawler: Crawler, url: str, batch_size: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.url = url
        self.engine = engine_for(url)
        self.batch_size = batch_size
        self.buffer: list[dict[str, Any]] = []
        settings = crawler.settings
        self.workers = analysis_pool.workers(settings)
        self.lexicon = settings.getdict("GRAPEVINE_LEXICON")
        self.aspects = {k: list(v) for k, v in settings.getdict("GRAPEVINE_ASPECTS").items()}
        self.unscored_languages = settings.get("GRAPEVINE_UNSCORED_LANGUAGES", "triage")
        self.max_pending = settings.getint("GRAPEVINE_MAX_PENDING_BATCHES", 4)
        self.pending: list[asyncio.Future[Any]] = []
        self.newest: datetime | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StoragePipeline":
        """Build from the settings; off without a database URL."""
        url = crawler.settings.get("GRAPEVINE_DATABASE_URL")
        if not url:
            raise NotConfigured("GRAPEVINE_DATABASE_URL is not set")
        return cls(crawler, url, crawler.settings.getint("GRAPEVINE_BATCH_SIZE", 200))

    def process_item(self, item: Any) -> Any:
        """Buffer one item; write the buffer when it is full (waiting only when the worker
        is behind: then the answer is awaitable)."""
        try:
            row = mention_row(item)
        except Exception as exc:
            raise quarantine_item(self.crawler, item, "store", exc) from None
        self.buffer.append(row)
        assert self.stats is not None
        self.stats.inc_value("grapevine/items_to_store")  # each must come back counted
        if not row["published_estimated"]:
            edited = item.get("edited_at")
            newest = row["published_at"] if edited is None else max(row["published_at"], edited)
            if self.newest is None or newest > self.newest:
                self.newest = newest
        if len(self.buffer) >= self.batch_size:
            self.flush()
            if len(self.pending) > self.max_pending:
                return self._after_worker(item)
        return item

    async def _after_worker(self, item: Any) -> Any:
        while len(self.pending) > self.max_pending:  # the worker is behind: wait for it
            await asyncio.wait(self.pending, return_when=asyncio.FIRST_COMPLETED)
        return item

    def flush(self) -> None:
        """Write the buffered mentions (in the worker when there is one)."""
        if self.newest is not None:
            assert self.stats is not None
            self.stats.max_value("grapevine/newest_published_at", self.newest)
        if not self.buffer:
            return
        rows, self.buffer = self.buffer, []
        repeated = len(rows) - len({(r["source"], r["external_id"]) for r in rows})
        if repeated:  # one mention served twice in a batch is stored (and counted) once
            assert self.stats is not None
            self.stats.inc_value("grapevine/items_repeated", repeated)
        run_id = getattr(self.crawler.spider, "crawl_run_id", None)
        if self.workers > 0:
            try:
                job = analysis_pool.submit(
                    self.workers,
                    analyse_and_store,
                    self.url,
                    self.lexicon,
                    self.aspects,
                    rows,
                    run_id,
                    self.unscored_languages,
                )
            except RuntimeError as exc:  # pool shut down or broken: write here
                log.warning("analysis worker unavailable (%s); storing in process", exc)
                self.workers = 0
            else:
                assert self.stats is not None
                self.stats.inc_value("grapevine/batches_offloaded")
                future = asyncio.wrap_future(job)
                future.add_done_callback(lambda f: self._stored(f, len(rows)))
                self.pending.append(future)
                return
        try:
            self._count(
                analyse_and_store(
                    self.url, self.lexicon, self.aspects, rows, run_id, self.unscored_languages
                )
            )
        except Exception as exc:
            self._failed(len(rows), exc)

    def _stored(self, future: "asyncio.Future[Any]", count: int) -> None:
        self.pending.remove(future)
        if future.cancelled() or future.exception() is not None:
            self._failed(count, future.exception() if not future.cancelled() else None)
        else:
            self._count(future.result())

    def _count(self, result: tuple[int, int, int, int, dict[str, int], int]) -> None:
        assert self.stats is not None
        new, updated, unchanged, quarantined, reasons, forgotten = result
        if forgotten:  # a tombstone's (grapevine forget): not stored, and not lost either
            self.stats.inc_value("grapevine/items_forgotten", forgotten)
        self.stats.inc_value("grapevine/items_new", new)
        self.stats.inc_value("grapevine/items_updated", updated)
        self.stats.inc_value("grapevine/items_unchanged", unchanged)
        if quarantined:
            self.stats.inc_value("grapevine/items_quarantined", quarantined)
            note_reasons(self.stats, "quarantined", reasons)

    def _failed(self, count: int, error: BaseException | None = None) -> None:
        """A batch that is not stored (the database is down or locked): counted as failed,
        logged by reason only (no SQL parameters, no review text)."""
        assert self.stats is not None
        self.stats.inc_value("grapevine/items_failed", count)
        reason = quarantine.reason_for(error) if error is not None else "cancelled"
        note_reasons(self.stats, "failed", {reason: count})
        log.error("could not store %d mentions: %s", count, reason)

    async def close_spider(self) -> None:
        """Write what is left and wait until every batch is stored."""
        self.flush()
        while self.pending:
            await asyncio.wait(list(self.pending))
