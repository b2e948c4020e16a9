"""App Store Connect API: every customer review of the company's own app, with its responses.

Options: ``app_id`` (the app's Apple id) and ``token_provider`` — a callable giving the bearer
token (a JWT signed ES256 with the team's key), built by :mod:`grapevine.wiring` (see
:mod:`crawler.spiders.owner_api` for why the spider signs nothing).

Listing: ``GET /v1/apps/{id}/customerReviews?sort=-createdDate&include=response&limit=200``,
newest first, following ``links.next`` (its path and query, on the source's ``base_url``). Each
review's ``attributes`` (rating, title, body, reviewerNickname, createdDate, territory) become
the mention; the ``included`` ``customerReviewResponses`` (responseBody, lastModifiedDate) fill
``reply_text``/``reply_at`` — how the next crawl sees that the company answered, in Grapevine
or in App Store Connect. A run stopped by ``max_pages`` keeps the next link in the cursor
(``{"reviews": {"top": ..., "gap": {"resume": "/v1/...?cursor=..."}}}``).

The sign-in, the retry after a 401 and the refusals are :mod:`crawler.spiders.owner_api`'s.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response

from crawler.items import MentionItem
from crawler.parsing import dig
from crawler.spiders.owner_api import OwnerApiSpider


class AppStoreConnectSpider(OwnerApiSpider):
    """Read every customer review of an app through the App Store Connect API."""

    name = "appstore_connect"
    platform = "App Store Connect"
    default_base_url = "https://api.appstoreconnect.apple.com"

    def first_page(self) -> str:
        """The newest reviews with their responses."""
        app_id = self.options.get("app_id")
        return self.url(
            f"/v1/apps/{app_id}/customerReviews?sort=-createdDate&include=response&limit=200"
        )

    async def start(self) -> AsyncIterator[Any]:
        """Sign in, then the first page (and the unread rest of an earlier run)."""
        listing = await self.open_listing("app_id")
        if listing is None:
            return
        yield self.api_request(self.first_page(), kind="new", read=1)
        if listing.gap is not None and listing.gap_stop:
            yield self.api_request(self.url(str(listing.gap_stop)), kind="gap", read=1)

    def parse_page(
        self, response: Response, data: Any, kind: str = "new", read: int = 1, **kwargs: Any
    ) -> Iterator[Any]:
        """Yield one page's reviews; follow ``links.next`` while the page brings new ones."""
        reviews = self.page_reviews(
            response,
            data.get("data") if isinstance(data, dict) else None,
            "not a customerReviews answer (no 'data' list)",
            first=kind == "new" and read == 1,
        )
        if reviews is None:
            return
        included = {
            (i.get("type"), i.get("id")): i
            for i in data.get("included") or []
            if isinstance(i, dict)
        }
        scan = self.listings["reviews"].scan(kind)
        for _, item in scan.new(reviews, lambda r: self.review_item(r, included)):
            yield item
        nxt = dig(data, "links", "next")
        resume = None
        if isinstance(nxt, str) and nxt and reviews:
            parts = urlsplit(nxt)
            resume = parts.path + (f"?{parts.query}" if parts.query else "")
        if scan.follow(read, resume):
            yield self.api_request(self.url(str(resume)), kind=kind, read=read + 1)

    def review_item(self, review: Any, included: dict[Any, Any]) -> MentionItem | None:
        """One review and the company's response to it, if any."""
        if not isinstance(review, dict) or review.get("type") != "customerReviews":
            return None
        attrs = review.get("attributes") or {}
        rel = dig(review, "relationships", "response", "data")
        key = ("customerReviewResponses", rel.get("id")) if isinstance(rel, dict) else None
        answer = included.get(key) if key else None
        answered = (answer or {}).get("attributes") or {}
        return self.item(
            external_id=review.get("id"),
            url=self.review_page(),
            author=attrs.get("reviewerNickname"),
            title=attrs.get("title"),
            text=attrs.get("body"),
            rating=attrs.get("rating"),
            published_at=attrs.get("createdDate"),
            metrics={"territory": attrs.get("territory")},
            reply_text=answered.get("responseBody"),
            reply_at=answered.get("lastModifiedDate"),
            raw={
                "id": review.get("id"),
                "territory": attrs.get("territory"),
                "response_id": (answer or {}).get("id"),
                "response_state": answered.get("state"),
            },
        )

    def review_page(self) -> str:
        """The app's public review page."""
        return f"https://apps.apple.com/app/id{self.options.get('app_id')}?see-all=reviews"
