"""Trustpilot business API: every review of the company's business unit, with its replies.

For companies with a Trustpilot API key (the public pages are read by ``trustpilot``). Options:
``business_unit_id`` and ``token_provider`` (an OAuth client-credentials token, built by
:mod:`grapevine.wiring`; see :mod:`crawler.spiders.owner_api`).

Listing: ``GET /v1/private/business-units/{id}/reviews?perPage=100&page=N&orderBy=
createdat.desc``, newest first; a ``next-page`` link (or a full page) means there is more. Each
review's ``consumer.displayName``, ``stars``, ``title``, ``text``, ``language``, ``createdAt``
and ``updatedAt`` are the mention; ``companyReply.text`` (``message`` in some answers) and
``createdAt`` fill ``reply_text``/``reply_at``. A run stopped by ``max_pages`` keeps the next
page number in the cursor.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Response

from crawler.items import MentionItem
from crawler.parsing import as_int
from crawler.spiders.owner_api import OwnerApiSpider

PAGE_SIZE = 100


class TrustpilotBusinessSpider(OwnerApiSpider):
    """Read a business unit's reviews through Trustpilot's business API."""

    name = "trustpilot_business"
    platform = "Trustpilot"
    default_base_url = "https://api.trustpilot.com"

    def page_url(self, page: int) -> str:
        """Review page ``page``, newest first."""
        unit = self.options.get("business_unit_id")
        query = urlencode({"perPage": PAGE_SIZE, "page": page, "orderBy": "createdat.desc"})
        return self.url(f"/v1/private/business-units/{unit}/reviews?{query}")

    async def start(self) -> AsyncIterator[Any]:
        """Sign in, then the first page (and the unread rest of an earlier run)."""
        listing = await self.open_listing("business_unit_id")
        if listing is None:
            return
        yield self.api_request(self.page_url(1), page=1, kind="new", read=1)
        if listing.gap is not None and listing.gap_stop:
            start = max(1, (as_int(listing.gap_stop) or 2) - 1)  # pages may have moved up
            yield self.api_request(self.page_url(start), page=start, kind="gap", read=0)

    def parse_page(
        self,
        response: Response,
        data: Any,
        page: int = 1,
        kind: str = "new",
        read: int = 1,
        **kw: Any,
    ) -> Iterator[Any]:
        """Yield one page's reviews; follow the next page while pages bring new ones."""
        reviews = self.page_reviews(
            response,
            data.get("reviews") if isinstance(data, dict) else None,
            "not a business-unit reviews answer (no 'reviews')",
            first=kind == "new" and page == 1,
        )
        if reviews is None:
            return
        scan = self.listings["reviews"].scan(kind, edits=True)
        for _, item in scan.new(reviews, self.review_item):
            yield item
        links = data.get("links") or []
        has_next = any(isinstance(x, dict) and x.get("rel") == "next-page" for x in links)
        more = bool(reviews) and (has_next or len(reviews) >= PAGE_SIZE)
        if scan.follow(read, page + 1 if more else None):
            yield self.api_request(self.page_url(page + 1), page=page + 1, kind=kind, read=read + 1)

    def review_item(self, review: Any) -> MentionItem | None:
        """One review and the company's reply."""
        if not isinstance(review, dict):
            return None
        consumer = review.get("consumer") or {}
        reply = review.get("companyReply") or {}
        review_id = review.get("id")
        return self.item(
            external_id=review_id,
            url=f"https://www.trustpilot.com/reviews/{review_id}",
            author=consumer.get("displayName"),
            title=review.get("title"),
            text=review.get("text"),
            rating=as_int(review.get("stars")),
            published_at=review.get("createdAt"),
            edited_at=review.get("updatedAt"),
            language=review.get("language"),
            metrics={"verified": review.get("isVerified"), "status": review.get("status")},
            reply_text=reply.get("text") or reply.get("message"),
            reply_at=reply.get("updatedAt") or reply.get("createdAt"),
            raw={"id": review_id, "consumer_id": consumer.get("id")},
        )
