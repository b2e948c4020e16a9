"""The base of every source spider: the source's options, incremental state and reporting.

Spiders only parse and yield :class:`~crawler.items.MentionItem`; pipelines do the rest.
Arguments arrive as spider kwargs (``scrapy crawl feed -a urls=a,b`` or from the runner):

* ``source`` — the configured source name (default: the spider name);
* ``base_url`` — stands in for the real site (tests, mirrors, proxies);
* ``brand`` — which brand or competitor the source is about;
* ``match_terms`` — keep only entries that name a brand (default: per spider);
* ``since`` — the high-water mark: stop paging once a page brings nothing newer;
* ``cursor`` — the source's paging state from the last run (``source_state.cursor``, a dict
  or its JSON): per listing, the newest publication covered and any unread backlog;
* ``max_pages`` — at most this many pages per listing pass and run;
* ``max_items`` — stop requesting pages once this many items were read;
* ``overlap_days`` — how far behind the mark each run re-reads (default 3 days), so that an
  entry that reached the listing late, dated before the mark, is still collected (the upsert,
  keyed on source and external id, keeps it once);
* anything else — the source's own options; list options accept comma-separated strings.

Incremental state (:class:`Listing`): a run reads each listing newest first down to what the
last run covered (minus the overlap). A pass stopped by ``max_pages``/``max_items`` before
reaching that point leaves a *gap*: the cursor records where the unread part resumes and how
far down it goes, the next run reads it as a second pass, and until it is closed the
high-water mark stays where it was and the crawl is ``partial`` with the reason
(:attr:`SourceSpider.stopped`).

Health: spiders count the entries they find on each page (``grapevine/entries_seen``), say
when the site itself reported an empty result (:meth:`SourceSpider.empty_result`), and report
anything unreadable with a reason (:meth:`SourceSpider.report_problem`); the monitors in
:mod:`crawler.monitors` turn that into the crawl's verdict.
"""

import copy
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
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
        self.count = 0

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
                self.count += 1
                self.spider.items_read += 1
                yield entry, item

    @property
    def more(self) -> bool:
        """Whether the next page may hold new entries: this one had some, none reached the mark."""
        return self.fresh and not self.spider.reached_mark(self.published)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class Listing:
    """One newest-first listing's state across runs, and the passes that read it this run.

    The state kept in the cursor under ``key``: ``top`` (the newest publication covered,
    ISO 8601) and, when a run stopped short, ``gap`` — ``resume`` (the source's own position
    to continue from: a ``max_id``, a page number, a cursor) and ``floor`` (down to which
    publication time the gap goes; ``None``: to the end of the listing). Each run reads the
    *new* pass (from the top of the listing down to ``top``) and, if there is a gap, the
    *gap* pass (from ``resume`` down to ``floor``). A pass that reached its floor may go on
    through the overlap while pages are left; one stopped above its floor opens (or keeps)
    the gap. A new pass stopped short while an older gap is open merges the two: the gap
    then resumes where the new pass stopped and goes down to the older floor (some pages are
    read twice, nothing is skipped).
    """

    def __init__(self, spider: "SourceSpider", key: str) -> None:
        self.spider = spider
        self.key = key
        found = spider.cursor.get(key)
        state: dict[str, Any] = found if isinstance(found, dict) else {}
        self.top = parse_time(state.get("top")) or spider.mark
        self.old = state
        gap = state.get("gap") if isinstance(state.get("gap"), dict) else None
        self.gap: dict[str, Any] | None = gap
        self.gap_floor = parse_time(gap.get("floor")) if gap else None
        self.newest: datetime | None = None
        self.new_stop: Any = None
        self.new_done = False
        self.gap_stop: Any = gap.get("resume") if gap else None
        self.gap_done = gap is None
        self.concluded: set[str] = set()
        spider.listings[key] = self

    def low(self, floor: datetime | None) -> datetime | None:
        """Where a pass down to ``floor`` stops: the floor minus the overlap."""
        return floor - self.spider.overlap if floor is not None else None

    def scan(self, kind: str, *, edits: bool = False) -> "PassScan":
        """A page of the ``new`` or ``gap`` pass."""
        return PassScan(self, kind, edits=edits)

    def state(self) -> dict[str, Any]:
        """The cursor entry after this run (the old one when a pass never came to its end:
        its page failed, or it was not started)."""
        if "new" not in self.concluded or (self.gap is not None and "gap" not in self.concluded):
            return dict(self.old)
        top = max((t for t in (self.top, self.newest) if t is not None), default=None)
        state: dict[str, Any] = {"top": _iso(top)}
        if not self.new_done:  # the new pass stopped above the old top: the gap starts there
            floor = self.gap_floor if self.gap is not None else self.top
            state["gap"] = {"resume": self.new_stop, "floor": _iso(floor)}
        elif not self.gap_done:
            state["gap"] = {"resume": self.gap_stop, "floor": _iso(self.gap_floor)}
        return state

    @property
    def open(self) -> bool:
        """Whether this run leaves part of the listing unread (or did not finish reading)."""
        if "new" not in self.concluded or (self.gap is not None and "gap" not in self.concluded):
            return True
        return not (self.new_done and self.gap_done)


class PassScan(PageScan):
    """One page of a :class:`Listing` pass: entries newer than the pass's floor minus the
    overlap, and whether to request the next page (:meth:`follow`)."""

    def __init__(self, listing: Listing, kind: str, *, edits: bool = False) -> None:
        super().__init__(listing.spider, edits=edits)
        self.listing = listing
        self.kind = kind
        self.floor = listing.top if kind == "new" else listing.gap_floor
        self.low = listing.low(self.floor)

    def new(
        self,
        entries: Iterable[Any],
        to_item: Callable[[Any], MentionItem | None],
        when: Callable[[Any], Any] | None = None,
    ) -> Iterator[tuple[Any, MentionItem]]:
        """``(entry, item)`` for each entry above the pass's low end, in page order.

        ``when``: the entry's place in the listing when it is not the item's publication
        (a boost is listed when it was boosted, and read as the status it boosts)."""
        for entry in entries:
            item = to_item(entry)
            published = parse_time(item.get("published_at")) if item is not None else None
            if when is not None:
                published = parse_time(when(entry)) or published
            self.published.append(published)
            if item is None:
                continue
            newest = self.listing.newest
            if self.kind == "new" and published and (newest is None or published > newest):
                self.listing.newest = published
            edited = parse_time(item.get("edited_at")) if self.edits else None
            times = [t for t in (published, edited) if t is not None]
            if self.low is None or not times or max(times) > self.low:
                self.fresh = True
                self.count += 1
                self.spider.items_read += 1
                yield entry, item

    def follow(self, page: int, resume: Any) -> bool:
        """Whether to request the next page; ``resume`` is the position it starts from
        (``None``: the listing has no next page). Closes or keeps the pass's gap."""
        dated = [t for t in self.published if t is not None]
        reached = self.floor is not None and any(t <= self.floor for t in dated)
        done = resume is None or (self.low is not None and any(t <= self.low for t in dated))
        if not done and self.spider.budget_left(page):
            return True
        covered = done or reached
        self.listing.concluded.add(self.kind)
        if self.kind == "new":
            self.listing.new_done = covered
            self.listing.new_stop = None if covered else resume
        else:
            self.listing.gap_done = covered
            self.listing.gap_stop = None if covered else resume
        if not covered:
            self.spider.stop_short(page)
        return False


class SourceSpider(scrapy.Spider):
    """Base class for Grapevine's spiders."""

    #: The real site, used when the source gives no ``base_url``.
    default_base_url = ""
    #: Whether entries need brand matching by default (a listing rather than a search).
    lists_everything = False
    #: Options that are lists.
    list_options: tuple[str, ...] = ()
    default_max_pages = 50
    #: Items read per run at most when the source sets no ``max_items`` (0: no cap).
    default_max_items = 0
    default_overlap_days = 3.0

    def __init__(
        self,
        source: str | None = None,
        base_url: str | None = None,
        brand: str | None = None,
        match_terms: Any = None,
        since: Any = None,
        max_pages: Any = None,
        max_items: Any = None,
        overlap_days: Any = None,
        cursor: Any = None,
        **options: Any,
    ) -> None:
        super().__init__()
        self.source_name = source or self.name
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.brand = brand
        if isinstance(match_terms, str):
            match_terms = match_terms.strip().lower() in _TRUE
        self.match_terms: bool | None = match_terms
        overlap = float(overlap_days) if overlap_days not in (None, "") else None
        self.overlap = timedelta(days=self.default_overlap_days if overlap is None else overlap)
        #: the high-water mark as stored; ``since`` is it minus the overlap
        self.mark: datetime | None = parse_time(since)
        self.since: datetime | None = self.mark - self.overlap if self.mark else None
        self.max_pages = int(max_pages) if max_pages else self.default_max_pages
        self.max_items = int(max_items) if max_items else self.default_max_items
        if isinstance(cursor, str):
            cursor = json.loads(cursor) if cursor.strip() else None
        self.cursor: dict[str, Any] = copy.deepcopy(cursor) if isinstance(cursor, dict) else {}
        self.listings: dict[str, Listing] = {}
        self.items_read = 0
        #: why this run stopped before the end of what was there to read
        self.stopped: list[str] = []
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

    def budget_left(self, page: int) -> bool:
        """Whether a pass that has read ``page`` pages may request another one."""
        if page >= self.max_pages:
            return False
        return not (self.max_items and self.items_read >= self.max_items)

    def stop_short(self, page: int) -> None:
        """Say that a pass stopped at its limit with more to read (the crawl is ``partial``)."""
        if self.max_items and self.items_read >= self.max_items and page < self.max_pages:
            reason = f"stopped at max_items={self.max_items}; the rest continues next run"
        else:
            reason = f"stopped at max_pages={self.max_pages}; the rest continues next run"
        if reason not in self.stopped:
            self.stopped.append(reason)
            self.logger.info("%s", reason)
        self.stat_inc("grapevine/passes_stopped")

    def keep_paging(self, page: int, more: bool) -> bool:
        """For a listing without a :class:`Listing` state: whether to request the next page;
        a listing that had more to give when the limits were reached is reported."""
        if not more:
            return False
        if self.budget_left(page):
            return True
        self.stop_short(page)
        return False

    def next_cursor(self) -> dict[str, Any]:
        """The cursor to keep after this run: the old one with this run's listings."""
        cursor = copy.deepcopy(self.cursor)
        for key, listing in self.listings.items():
            cursor[key] = listing.state()
        return cursor

    @property
    def covered_until(self) -> datetime | None:
        """The newest publication every listing covers without a gap (``None`` when a gap
        is left, or no listing keeps state): where the high-water mark may move."""
        if self.stopped or not self.listings or any(x.open for x in self.listings.values()):
            return None
        tops = [t for x in self.listings.values() for t in (x.top, x.newest) if t is not None]
        return max(tops, default=None)

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
