"""Hacker News stories and comments through Algolia's search API.

Options: ``query``, ``tags`` (``(story,comment)``) and ``comments`` (also read the whole
comment tree of each new matching story from ``/api/v1/items/<id>``). Results come from
``/api/v1/search_by_date`` newest first, paging by ``page`` within a window of
``numericFilters`` on ``created_at_i``: a run asks for ``created_at_i>`` what the last run
covered less the overlap (Algolia indexes some items late, under their creation time). A run
stopped by ``max_pages`` keeps the creation time of the last hit it read (cursor ``{"search":
{"top": ..., "gap": {"resume": <created_at_i>, "floor": ...}}}``) and the next run reads
``created_at_i<=`` it down to the floor — a window, not a page number, so what arrived in the
meantime does not shift it. Texts are HTML. The link of each item is its Hacker News
discussion.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.items import MentionItem
from crawler.parsing import as_int, with_query
from crawler.spiders.base import Listing, SourceSpider, coverage_rules

ITEM_URL = "https://news.ycombinator.com/item?id="
HITS_PER_PAGE = 100


class HackerNewsSpider(SourceSpider):
    """Search Hacker News (stories and comments) by date."""

    name = "hackernews"
    custom_settings = coverage_rules(author_handle=1.0)
    default_base_url = "https://hn.algolia.com"
    default_max_pages = 10

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        value = self.options.get("comments", False)
        self.comments = (
            value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}
        )

    def search_url(self, page: int, kind: str = "new") -> str:
        """The address of result page ``page`` (0-based, as Algolia counts) of a pass."""
        listing = self.listings["search"]
        low = listing.low(listing.top if kind == "new" else listing.gap_floor)
        window = [f"created_at_i>{int(low.timestamp())}"] if low is not None else []
        if kind == "gap" and listing.gap_stop is not None:
            window.append(f"created_at_i<={int(listing.gap_stop)}")
        return self.url(
            with_query(
                "/api/v1/search_by_date",
                query=self.options.get("query"),
                tags=self.options.get("tags") or "(story,comment)",
                hitsPerPage=HITS_PER_PAGE,
                numericFilters=",".join(window) or None,
                page=page,
            )
        )

    async def start(self) -> AsyncIterator[Any]:
        """The first result page."""
        if not self.options.get("query"):
            self.report_problem(None, "no query configured")
            return
        listing = Listing(self, "search")
        for kind in ["new", "gap"] if listing.gap is not None else ["new"]:
            yield scrapy.Request(
                self.search_url(0, kind), cb_kwargs={"page": 0, "kind": kind}, dont_filter=True
            )

    def parse(self, response: Response, page: int = 0, kind: str = "new", **kwargs: Any) -> Any:
        """Yield a result page's stories and comments; follow the next page while new."""
        data = self.read_json(response)
        if data is None:
            return
        hits = data.get("hits") if isinstance(data, dict) else None
        if not isinstance(hits, list):
            self.report_problem(response, "not an Algolia search answer (no hits)")
            return
        if not hits and kind == "new" and page == 0:
            self.empty_result()
        self.saw_entries(len(hits))
        scan = self.listings["search"].scan(kind)
        for hit, item in scan.new(hits, self.hit_item):
            yield item
            if self.comments and "story" in (hit.get("_tags") or []) and hit.get("num_comments"):
                yield scrapy.Request(
                    self.url(f"/api/v1/items/{hit.get('objectID')}"),
                    callback=self.parse_thread,
                    cb_kwargs={"title": hit.get("title")},
                )
        pages = as_int(data.get("nbPages")) or 0
        last = as_int(hits[-1].get("created_at_i")) if hits and isinstance(hits[-1], dict) else None
        resume = last if hits and page + 1 < pages else None
        # Algolia counts pages from 0: ``page + 1`` pages were read
        if scan.follow(page + 1, resume):
            yield scrapy.Request(
                self.search_url(page + 1, kind),
                cb_kwargs={"page": page + 1, "kind": kind},
                dont_filter=True,
            )

    def hit_item(self, hit: dict[str, Any]) -> MentionItem | None:
        """One story or comment from a search hit."""
        if not isinstance(hit, dict):
            return None
        tags = hit.get("_tags") or []
        is_comment = "comment" in tags or hit.get("comment_text")
        object_id = hit.get("objectID")
        points = as_int(hit.get("points"))
        text = (
            hit.get("comment_text") if is_comment else (hit.get("story_text") or hit.get("title"))
        )
        return self.item(
            external_id=object_id,
            url=ITEM_URL + str(object_id) if object_id else None,
            author=hit.get("author"),
            author_handle=hit.get("author"),
            title=None if is_comment else hit.get("title"),
            text=text,
            text_is_html=True,
            published_at=hit.get("created_at_i") or hit.get("created_at"),
            edited_at=hit.get("updated_at")
            if hit.get("updated_at") != hit.get("created_at")
            else None,
            reach=points,
            metrics={
                "points": points,
                "comments": as_int(hit.get("num_comments")),
                "kind": "comment" if is_comment else "story",
                "story": hit.get("story_title"),
                "link": hit.get("url") or hit.get("story_url"),
            },
            raw={
                "objectID": object_id,
                "story_id": hit.get("story_id"),
                "parent_id": hit.get("parent_id"),
            },
        )

    def parse_thread(self, response: Response, title: str | None = None, **kwargs: Any) -> Any:
        """Yield the comments of a story's tree (``/api/v1/items/<id>``) that are new."""
        data = self.read_json(response)
        if data is None:
            return
        if not isinstance(data, dict) or "children" not in data:
            self.report_problem(response, "not an Algolia item tree (no children)")
            return
        comments = list(self.walk(data.get("children") or []))
        self.saw_entries(len(comments))
        for node in comments:
            item = self.node_item(node, title or data.get("title"))
            if item is not None and self.is_new(item.get("published_at")):
                yield item

    def walk(self, children: list[Any]) -> Iterator[dict[str, Any]]:
        """Every comment of a tree, depth first."""
        for node in children:
            if isinstance(node, dict):
                if node.get("type") == "comment":
                    yield node
                yield from self.walk(node.get("children") or [])

    def node_item(self, node: dict[str, Any], title: str | None) -> MentionItem | None:
        """One comment of an item tree (deleted comments have no author or text)."""
        if not node.get("text") or not node.get("author"):
            return None
        return self.item(
            listing=False,
            external_id=node.get("id"),
            url=ITEM_URL + str(node.get("id")),
            author=node.get("author"),
            author_handle=node.get("author"),
            text=node.get("text"),
            text_is_html=True,
            published_at=node.get("created_at_i") or node.get("created_at"),
            reach=as_int(node.get("points")),
            metrics={"points": as_int(node.get("points")), "kind": "comment", "story": title},
            raw={
                "id": node.get("id"),
                "story_id": node.get("story_id"),
                "parent_id": node.get("parent_id"),
            },
        )
