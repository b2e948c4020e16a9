"""Google Business Profile API: the Google reviews of the company's own locations, with replies.

Options: ``account_id``, ``location_ids`` (one or more) and ``token_provider`` (the service
account's OAuth access token, built by :mod:`grapevine.wiring`; see
:mod:`crawler.spiders.owner_api`).

Listing, per location: ``GET /v4/accounts/{a}/locations/{l}/reviews?pageSize=50&orderBy=
updateTime desc``, paged by ``nextPageToken`` (the ``pageToken`` parameter). Each review's
``reviewer.displayName``, ``starRating`` (``ONE``..``FIVE``), ``comment``, ``createTime`` and
``updateTime`` are the mention; ``reviewReply.comment/updateTime`` fill ``reply_text``/
``reply_at``. The review's resource ``name`` is kept in ``raw`` (the reply connector answers
it). A rating without a comment (common on Google) is stored with the text "(N-star rating
without a comment)" and ``metrics.rating_only``, so that a silent 1-star still opens a case.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Response

from crawler.items import MentionItem
from crawler.spiders.base import Listing
from crawler.spiders.owner_api import OwnerApiSpider

STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
PAGE_SIZE = 50


class GoogleBusinessSpider(OwnerApiSpider):
    """Read every configured location's Google reviews."""

    name = "googlebusiness"
    platform = "Google Business Profile"
    default_base_url = "https://mybusiness.googleapis.com"
    list_options = ("location_ids",)

    def page_url(self, location: str, token: str | None = None) -> str:
        """A location's review page starting at ``token`` (``None``: the first)."""
        query: dict[str, Any] = {"pageSize": PAGE_SIZE, "orderBy": "updateTime desc"}
        if token:
            query["pageToken"] = token
        account = self.options.get("account_id")
        path = f"/v4/accounts/{account}/locations/{location}/reviews"
        return self.url(f"{path}?{urlencode(query)}")

    async def start(self) -> AsyncIterator[Any]:
        """Sign in, then each location's first page (and any unread rest)."""
        locations = self.options.get("location_ids") or []
        if not self.options.get("account_id") or not locations:
            self.report_problem(None, "account_id and location_ids are needed")
            return
        listings = [(loc, Listing(self, f"reviews:{loc}")) for loc in locations]
        if not await self.sign_in():
            return
        for location, listing in listings:
            yield self.api_request(self.page_url(location), location=location, kind="new", read=1)
            if listing.gap is not None and listing.gap_stop:
                url = self.page_url(location, str(listing.gap_stop))
                yield self.api_request(url, location=location, kind="gap", read=1)

    def parse_page(
        self,
        response: Response,
        data: Any,
        location: str = "",
        kind: str = "new",
        read: int = 1,
        **kw: Any,
    ) -> Iterator[Any]:
        """Yield one page's reviews; follow ``nextPageToken`` while pages bring new ones."""
        reviews = self.page_reviews(
            response,
            data.get("reviews", []) if isinstance(data, dict) else None,
            "not a reviews.list answer",
            first=kind == "new" and read == 1,
        )
        if reviews is None:
            return
        scan = self.listings[f"reviews:{location}"].scan(kind, edits=True)
        for _, item in scan.new(reviews, lambda r: self.review_item(r, location)):
            yield item
        token = data.get("nextPageToken")
        resume = token if isinstance(token, str) and token and reviews else None
        if scan.follow(read, resume):
            url = self.page_url(location, resume)
            yield self.api_request(url, location=location, kind=kind, read=read + 1)

    def review_item(self, review: Any, location: str) -> MentionItem | None:
        """One review and the owner's reply."""
        if not isinstance(review, dict):
            return None
        reviewer = review.get("reviewer") or {}
        reply = review.get("reviewReply") or {}
        review_id = review.get("reviewId")
        account = self.options.get("account_id")
        name = review.get("name") or f"accounts/{account}/locations/{location}/reviews/{review_id}"
        stars = STARS.get(str(review.get("starRating")))
        return self.item(
            external_id=review_id,
            url=f"https://business.google.com/reviews#{review_id}",  # the owner's review page
            author=reviewer.get("displayName") or "A Google user",
            text=review.get("comment") or rating_only(stars),
            rating=stars,
            published_at=review.get("createTime"),
            edited_at=review.get("updateTime"),
            metrics={"location": location, "rating_only": not review.get("comment")},
            reply_text=reply.get("comment"),
            reply_at=reply.get("updateTime"),
            raw={"id": review_id, "name": name, "location": location},
        )


def rating_only(stars: int | None) -> str | None:
    """The text of a review that is only a rating (Google has many): stored, not dropped."""
    return f"({stars}-star rating without a comment)" if stars else None
