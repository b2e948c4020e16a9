"""Google Play Developer API: the reviews of the company's own Android app, with its replies.

Options: ``package_name`` and ``token_provider`` (the service account's OAuth access token,
built by :mod:`grapevine.wiring` from :mod:`triage.connectors.owner_auth`; see
:mod:`crawler.spiders.owner_api` for why the spider signs nothing).

Listing: ``GET /androidpublisher/v3/applications/{packageName}/reviews?maxResults=100``, paged
by ``tokenPagination.nextPageToken`` (the ``token`` parameter). Google serves the reviews
created or changed in the last week, most recently changed first: each review's
``comments[].userComment`` (text, starRating, lastModified.seconds, reviewerLanguage) is the
mention (a review with a title comes as ``title<TAB>text``), its ``developerComment`` fills
``reply_text``/``reply_at``. The review carries no
creation time, so its last change is its publication (and an edit counts as new). The list's
order is not documented, so every run reads it to its end (it holds one week) rather than
stopping at the mark; a run stopped by ``max_pages`` keeps the next token in the cursor.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Response

from crawler.items import MentionItem
from crawler.parsing import as_int, dig
from crawler.spiders.owner_api import OwnerApiSpider

PAGE_SIZE = 100


class GooglePlaySpider(OwnerApiSpider):
    """Read an app's reviews through the Google Play Developer API."""

    name = "googleplay"
    platform = "Google Play"
    default_base_url = "https://androidpublisher.googleapis.com"

    def page_url(self, token: str | None = None) -> str:
        """The review list page starting at ``token`` (``None``: the first)."""
        query: dict[str, Any] = {"maxResults": PAGE_SIZE}
        if token:
            query["token"] = token
        package = self.options.get("package_name")
        return self.url(f"/androidpublisher/v3/applications/{package}/reviews?{urlencode(query)}")

    async def start(self) -> AsyncIterator[Any]:
        """Sign in, then the first page (and the unread rest of an earlier run)."""
        listing = await self.open_listing("package_name")
        if listing is None:
            return
        yield self.api_request(self.page_url(), kind="new", read=1)
        if listing.gap is not None and listing.gap_stop:
            yield self.api_request(self.page_url(str(listing.gap_stop)), kind="gap", read=1)

    def parse_page(
        self, response: Response, data: Any, kind: str = "new", read: int = 1, **kwargs: Any
    ) -> Iterator[Any]:
        """Yield one page's reviews; follow the next page token while pages bring new ones."""
        if not isinstance(data, dict):
            self.report_problem(response, "not a reviews.list answer")
            return
        reviews = self.page_reviews(
            response,
            data.get("reviews") or [],
            "not a reviews.list answer ('reviews' is no list)",
            first=kind == "new" and read == 1,
        )
        if reviews is None:
            return
        scan = self.listings["reviews"].scan(kind, edits=True)
        for _, item in scan.new(reviews, self.review_item):
            yield item
        token = dig(data, "tokenPagination", "nextPageToken")
        resume = token if isinstance(token, str) and token and reviews else None
        # Google promises no order, only the last week: read the list to its end (within
        # max_pages), not down to the mark; the upsert keeps each review once
        if resume is not None and self.budget_left(read):
            yield self.api_request(self.page_url(resume), kind=kind, read=read + 1)
            return
        if resume is not None:  # stopped at max_pages with more to read: never "reached the
            scan.published = []  # mark" (the order says nothing), so the rest is a gap
        scan.follow(read, resume)  # concludes the pass, or records where it resumes

    def review_item(self, review: Any) -> MentionItem | None:
        """One review: the user's comment and the developer's reply."""
        if not isinstance(review, dict):
            return None
        comments = [c for c in review.get("comments") or [] if isinstance(c, dict)]
        user = next((c["userComment"] for c in comments if "userComment" in c), None)
        developer: Any = next(
            (c["developerComment"] for c in comments if "developerComment" in c), {}
        )
        if not isinstance(user, dict):
            return None
        review_id = review.get("reviewId")
        package = self.options.get("package_name")
        title, _, body = str(user.get("text") or "").rpartition("\t")  # "title\tbody"
        return self.item(
            external_id=review_id,
            url=f"https://play.google.com/store/apps/details?id={package}&reviewId={review_id}",
            author=review.get("authorName") or "A Google user",
            title=title.strip() or None,
            text=body.strip(),
            rating=as_int(user.get("starRating")),
            published_at=as_int(dig(user, "lastModified", "seconds")),
            language=(user.get("reviewerLanguage") or "").split("_")[0].split("-")[0] or None,
            reach=as_int(user.get("thumbsUpCount")),
            metrics={
                "thumbs_up": as_int(user.get("thumbsUpCount")),
                "thumbs_down": as_int(user.get("thumbsDownCount")),
                "app_version": user.get("appVersionName"),
                "device": user.get("device"),
            },
            reply_text=developer.get("text") if isinstance(developer, dict) else None,
            reply_at=as_int(dig(developer, "lastModified", "seconds")),
            raw={"id": review_id, "language": user.get("reviewerLanguage")},
        )
