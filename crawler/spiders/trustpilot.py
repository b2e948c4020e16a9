"""Trustpilot company reviews: ``/review/<domain>?languages=all&page=N&sort=recency``.

Options: ``domain`` (the company's domain on Trustpilot) and ``languages`` (``all``). Reviews
come from the page's ``__NEXT_DATA__`` JSON (``props.pageProps.reviews``), with the company's
public reply; when that block is missing or has moved, from the page's JSON-LD ``Review``
nodes. Both variants of the pending flag (``isPending`` and the older ``pending``) are read.
Pages are newest first, by publication, and carry no id to page by: each run reads down to
what the last run covered *less the overlap* (``overlap_days``, 3 by default), so a review
published before the mark but shown late (held for moderation, restored) is still read, and
the upsert keeps it once. A run stopped by ``max_pages`` records the page where the rest
resumes (cursor ``{"reviews": {"top": ..., "gap": {"resume": N, "floor": ...}}}``); the next
run starts it one page earlier (not counted against ``max_pages``), in case reviews were
removed and the pages moved up.
"""

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.items import MentionItem
from crawler.parsing import as_int, dig, with_query
from crawler.spiders.base import Listing, SourceSpider, coverage_rules

_ID_TAIL = re.compile(r"([0-9a-f]{24})/?$")


def next_data(response: Response) -> Any:
    """The parsed ``__NEXT_DATA__`` block of a Next.js page (``None`` when absent/unreadable)."""
    raw = response.css("script#__NEXT_DATA__::text").get()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return None


def jsonld_reviews(response: Response) -> list[dict[str, Any]]:
    """Every schema.org ``Review`` node in the page's JSON-LD blocks."""
    found: list[dict[str, Any]] = []
    for raw in response.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            continue
        nodes = data.get("@graph", [data]) if isinstance(data, dict) else data
        for node in nodes if isinstance(nodes, list) else []:
            if isinstance(node, dict) and node.get("@type") == "Review":
                found.append(node)
    return found


class TrustpilotSpider(SourceSpider):
    """Read a company's Trustpilot review pages, newest first."""

    name = "trustpilot"
    custom_settings = coverage_rules(rating=1.0, title=0.9, language=0.9)
    default_base_url = "https://www.trustpilot.com"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen_ids: set[Any] = set()

    def page_url(self, page: int) -> str:
        """The address of review page ``page``."""
        domain = str(self.options.get("domain") or "").strip().strip("/")
        return self.url(
            with_query(
                f"/review/{domain}",
                languages=self.options.get("languages") or "all",
                page=page if page > 1 else None,
                sort="recency",
            )
        )

    async def start(self) -> AsyncIterator[Any]:
        """The first review page."""
        if not self.options.get("domain"):
            self.report_problem(None, "no domain configured")
            return
        listing = Listing(self, "reviews")
        yield scrapy.Request(
            self.page_url(1), cb_kwargs={"page": 1, "kind": "new"}, dont_filter=True
        )
        if listing.gap is not None:
            start = max(1, (as_int(listing.gap_stop) or 2) - 1)
            yield scrapy.Request(
                self.page_url(start),
                cb_kwargs={"page": start, "kind": "gap", "read": 0},  # a re-read: not counted
                dont_filter=True,
            )

    def parse(
        self, response: Response, page: int = 1, kind: str = "new", read: int = 1, **kwargs: Any
    ) -> Any:
        """Yield the page's reviews and follow the next page while pages bring new ones."""
        data = next_data(response)
        props = dig(data, "props", "pageProps") or {}
        reviews = props.get("reviews") if isinstance(props, dict) else None
        if isinstance(reviews, list) and reviews:
            items = [self.next_data_item(r) for r in reviews if isinstance(r, dict)]
        else:
            fallback = jsonld_reviews(response)
            if fallback and data is not None:
                self.stat_inc("grapevine/trustpilot/jsonld_fallback")
                self.logger.warning("no reviews in __NEXT_DATA__, using JSON-LD (%s)", response.url)
            items = [self.jsonld_item(node) for node in fallback]
            total = as_int(dig(props, "filters", "pagination", "totalCount"))
            if not items and isinstance(reviews, list) and total == 0:
                self.empty_result()
                return
            if not items:
                self.report_problem(
                    response, "no reviews on a Trustpilot page (neither __NEXT_DATA__ nor JSON-LD)"
                )
                return
        self.saw_entries(len(items))
        # a page holding only reviews already read (the site ignored ``page``) ends the pass
        repeated = all(i.get("external_id") in self.seen_ids for i in items)
        scan = self.listings["reviews"].scan(kind, edits=True)
        for _, item in scan.new(items, lambda i: i):
            if item.get("external_id") not in self.seen_ids:
                yield item
        self.seen_ids.update(i.get("external_id") for i in items)
        more = self.has_next(response, props, page) and not (repeated and kind == "new")
        resume = page + 1 if more else None
        if scan.follow(read, resume):
            yield scrapy.Request(
                self.page_url(page + 1),
                cb_kwargs={"page": page + 1, "kind": kind, "read": read + 1},
                dont_filter=True,  # the other pass may read the same page
            )

    def has_next(self, response: Response, props: Any, page: int) -> bool:
        """Whether there is a page after ``page`` (pagination data, else a ``rel=next`` link)."""
        pages = as_int(dig(props, "filters", "pagination", "totalPages"))
        if pages is not None:
            return page < pages
        return bool(response.css("a[rel=next]::attr(href), link[rel=next]::attr(href)").get())

    def next_data_item(self, review: dict[str, Any]) -> MentionItem:
        """One item from a ``__NEXT_DATA__`` review."""
        consumer = review.get("consumer") or {}
        dates = review.get("dates") or {}
        reply = review.get("reply") or {}
        pending = review.get("isPending", review.get("pending"))
        verification = dig(review, "labels", "verification") or {}
        review_id = review.get("id")
        return self.item(
            external_id=review_id,
            url=f"{self.default_base_url}/reviews/{review_id}" if review_id else None,
            author=consumer.get("displayName") or consumer.get("name"),
            title=review.get("title"),
            text=review.get("text"),
            rating=review.get("rating"),
            published_at=dates.get("publishedDate") or review.get("createdAt"),
            edited_at=dates.get("updatedDate"),
            language=review.get("language"),
            reach=as_int(review.get("likes")),
            metrics={
                "likes": as_int(review.get("likes")),
                "author_reviews": as_int(consumer.get("numberOfReviews")),
                "country": consumer.get("countryCode"),
                "verified": bool(verification.get("isVerified")),
                "pending": bool(pending),
                "experienced_at": dates.get("experiencedDate"),
            },
            reply_text=reply.get("message"),
            reply_at=reply.get("publishedDate"),
            raw={
                "id": review_id,
                "consumer_id": consumer.get("id"),
                "source": review.get("source"),
            },
        )

    def jsonld_item(self, node: dict[str, Any]) -> MentionItem:
        """One item from a JSON-LD ``Review`` node (no company reply in this format)."""
        node_id = str(node.get("@id") or "")
        match = _ID_TAIL.search(node_id)
        review_id = match.group(1) if match else node_id or None
        author = node.get("author")
        rating = node.get("reviewRating") or {}
        return self.item(
            external_id=review_id,
            url=f"{self.default_base_url}/reviews/{review_id}" if match else node.get("url"),
            author=author.get("name") if isinstance(author, dict) else author,
            title=node.get("headline") or node.get("name"),
            text=node.get("reviewBody"),
            rating=rating.get("ratingValue") if isinstance(rating, dict) else rating,
            rating_best=rating.get("bestRating") if isinstance(rating, dict) else None,
            rating_worst=rating.get("worstRating") if isinstance(rating, dict) else None,
            published_at=node.get("datePublished"),
            language=node.get("inLanguage"),
            metrics={},
            raw={
                "id": node_id,
                "author_url": author.get("url") if isinstance(author, dict) else None,
            },
        )
