"""The base of every source spider: the source's options, incremental state and reporting.

Spiders only parse and yield :class:`~crawler.items.MentionItem`; pipelines do the rest.
Arguments arrive as spider kwargs (``scrapy crawl feed -a urls=a,b`` or from the runner):

* ``source`` — the configured source name (default: the spider name);
* ``base_url`` — stands in for the real site (tests, mirrors, proxies);
* ``brand`` — which brand or competitor the source is about;
* ``match_terms`` — keep only entries that name a brand (default: per spider);
* ``since`` — the high-water mark: stop paging once a page brings nothing newer;
* ``max_pages`` — at most this many listing pages per run;
* anything else — the source's own options; list options accept comma-separated strings.

Health: spiders count the entries they find on each page (``grapevine/entries_seen``), say
when the site itself reported an empty result (:meth:`SourceSpider.empty_result`), and report
anything unreadable with a reason (:meth:`SourceSpider.report_problem`); the monitors in
:mod:`crawler.monitors` turn that into the crawl's verdict.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.items import MentionItem
from crawler.normalise import parse_time
from crawler.parsing import ParseFailure, read_json
from crawler.settings import SPIDERMON_FIELD_COVERAGE_RULES

_TRUE = {"1", "true", "yes", "on"}


def as_list(value: Any) -> list[str]:
    """A list option from a list or a comma-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(part) for part in value]


def coverage_rules(**fields: float) -> dict[str, Any]:
    """``custom_settings`` adding field-coverage rules (share of items with the field)."""
    rules = {**SPIDERMON_FIELD_COVERAGE_RULES}
    rules.update({f"MentionItem/{name}": share for name, share in fields.items()})
    return {"SPIDERMON_FIELD_COVERAGE_RULES": rules}


class PageScan:
    """One newest-first listing page checked against the high-water mark.

    :meth:`new` yields the page's entries that are newer than the mark (with their items) and
    remembers every entry's time; :attr:`more` then says whether the next page may still hold
    something new. ``edits``: an entry edited after the mark counts as new too.
    """

    def __init__(self, spider: "SourceSpider", *, edits: bool = False) -> None:
        self.spider = spider
        self.edits = edits
        self.published: list[Any] = []
        self.fresh = False

    def new(
        self, entries: Iterable[Any], to_item: Callable[[Any], MentionItem | None]
    ) -> Iterator[tuple[Any, MentionItem]]:
        """``(entry, item)`` for each entry newer than the mark, in page order."""
        for entry in entries:
            item = to_item(entry)
            self.published.append(item.get("published_at") if item is not None else None)
            if item is None:
                continue
            edited = item.get("edited_at") if self.edits else None
            if self.spider.is_new(item.get("published_at"), edited):
                self.fresh = True
                yield entry, item

    @property
    def more(self) -> bool:
        """Whether the next page may hold new entries: this one had some, none reached the mark."""
        return self.fresh and not self.spider.reached_mark(self.published)


class SourceSpider(scrapy.Spider):
    """Base class for Grapevine's spiders."""

    #: The real site, used when the source gives no ``base_url``.
    default_base_url = ""
    #: Whether entries need brand matching by default (a listing rather than a search).
    lists_everything = False
    #: Options that are lists.
    list_options: tuple[str, ...] = ()
    default_max_pages = 50

    def __init__(
        self,
        source: str | None = None,
        base_url: str | None = None,
        brand: str | None = None,
        match_terms: Any = None,
        since: Any = None,
        max_pages: Any = None,
        **options: Any,
    ) -> None:
        super().__init__()
        self.source_name = source or self.name
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.brand = brand
        if isinstance(match_terms, str):
            match_terms = match_terms.strip().lower() in _TRUE
        self.match_terms: bool | None = match_terms
        self.since: datetime | None = parse_time(since)
        self.max_pages = int(max_pages) if max_pages else self.default_max_pages
        for name in self.list_options:
            if name in options:
                options[name] = as_list(options[name])
        self.options = options
        self.problems: list[str] = []

    def log(self, message: Any, level: int = logging.DEBUG, **kw: Any) -> None:
        """Log through the spider's logger; spidermon's reports drop to INFO (the verdict
        is in the source's CrawlRun and the per-source line already)."""
        if str(message).startswith("[Spidermon]"):
            level = min(level, logging.INFO)
        self.logger.log(level, message, **kw)

    def url(self, path: str) -> str:
        """``path`` on the source's base URL."""
        return self.base_url + "/" + path.lstrip("/")

    def item(self, *, listing: bool | None = None, **fields: Any) -> MentionItem:
        """A MentionItem carrying this source's name, type, brand and matching rule."""
        needs_match = self.lists_everything if listing is None else listing
        if self.match_terms is not None:
            needs_match = self.match_terms
        item = MentionItem(
            source=self.source_name,
            source_type=self.name,
            brand=self.brand,
            match_terms=needs_match,
        )
        for key, value in fields.items():
            if isinstance(value, dict) and key in ("metrics", "raw"):
                value = {k: v for k, v in value.items() if v is not None}
            if value is not None:
                item[key] = value
        return item

    def is_new(self, published: Any, edited: Any = None) -> bool:
        """Whether an entry published (or last edited) then is newer than the high-water mark.

        An entry without any time counts as new: the pipeline stamps it with the fetch time.
        """
        if self.since is None:
            return True
        times = [t for t in (parse_time(published), parse_time(edited)) if t is not None]
        return not times or max(times) > self.since

    def any_new(self, published: Iterable[Any]) -> bool:
        """Whether a page with these publication times brought anything new."""
        return any(self.is_new(p) for p in published)

    def reached_mark(self, published: Iterable[Any]) -> bool:
        """Whether a newest-first page reached the high-water mark: one of its entries was
        published at or before it, so the next page can only hold what was seen (edits of
        older entries are picked up on the page they are on)."""
        if self.since is None:
            return False
        since = self.since
        return any(t is not None and t <= since for t in map(parse_time, published))

    def read_json(self, response: Response) -> Any:
        """The response's JSON, or ``None`` after reporting why it could not be read."""
        try:
            return read_json(response)
        except ParseFailure as exc:
            self.report_problem(response, str(exc))
            return None

    def saw_entries(self, count: int) -> None:
        """Count entries found on a page (before the high-water mark filter)."""
        self.stat_inc("grapevine/entries_seen", count)

    def empty_result(self) -> None:
        """The site said, in its own format, that there is nothing (yet) to list."""
        self.stat_inc("grapevine/empty_results")

    def stat_inc(self, key: str, count: int = 1) -> None:
        """Increase one of this crawl's stats."""
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)

    def report_problem(self, response: Response | None, message: str) -> None:
        """Record a problem that makes the crawl unhealthy (a layout change, bad JSON...)."""
        where = f" ({response.url})" if response is not None else ""
        self.problems.append(message + where)
        self.logger.warning("%s%s", message, where)
        self.stat_inc("grapevine/problems")
