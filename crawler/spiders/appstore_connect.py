"""App Store Connect API: every customer review of the company's own app, with its responses.

Options: ``app_id`` (the app's Apple id) and ``token_provider`` — a callable giving the bearer
token (a JWT signed ES256 with the team's key). The spider signs nothing itself: ``crawler``
may not import ``triage``, so :mod:`grapevine.wiring` builds the provider from
:mod:`triage.connectors.owner_auth` and hands it over as a spider argument. It is asked once
at the start (in a thread, so the reactor keeps running) and once more after a 401.

Listing: ``GET /v1/apps/{id}/customerReviews?sort=-createdDate&include=response&limit=200``,
newest first, following ``links.next`` (its path and query, on the source's ``base_url``). Each
review's ``attributes`` (rating, title, body, reviewerNickname, createdDate, territory) become
the mention; the ``included`` ``customerReviewResponses`` (responseBody, lastModifiedDate) fill
``reply_text``/``reply_at`` — how the next crawl sees that the company answered, in Grapevine
or in App Store Connect. A run stopped by ``max_pages`` keeps the next link in the cursor
(``{"reviews": {"top": ..., "gap": {"resume": "/v1/...?cursor=..."}}}``).

:class:`OwnerApiSpider` is the base of the four owner-API spiders (this one, ``googleplay``,
``googlebusiness``, ``trustpilot_business``): the bearer header, the one retry after a 401,
and a 403 or 404 reported in the platform's own words (a 429 is the retry middleware's, which
honours ``Retry-After``).
"""

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from crawler.items import MentionItem
from crawler.parsing import dig
from crawler.spiders.base import Listing, SourceSpider, coverage_rules

_RETRIED = "grapevine_auth_retried"
#: answers the spider reads itself: 401 (a fresh token, once), 403 and 404 (the platform's words)
REFUSALS = (401, 403, 404)


def platform_words(response: Response) -> str:
    """What the platform said in an error answer (Apple, Google or Trustpilot shape)."""
    try:
        data = json.loads(response.body or b"null")
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    errors = data.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("detail") or errors[0].get("title") or "")
    error = data.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error.get("status") or "")
    fault = data.get("fault")
    if isinstance(fault, dict):
        return str(fault.get("faultstring") or "")
    return str(data.get("message") or "")


class OwnerApiSpider(SourceSpider):
    """A spider of an owner API: authorised JSON requests, a fresh token once after a 401."""

    platform = "the platform"
    #: an API the company signs in to is not crawled for robots.txt
    owner_settings: dict[str, Any] = {"ROBOTSTXT_OBEY": False}

    def __init__(self, token_provider: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token_provider = token_provider
        self.token: str | None = None

    async def sign_in(self, force: bool = False) -> bool:
        """Get a bearer token from the provider; report why not (no secrets in the words)."""
        if not callable(self.token_provider):
            self.report_problem(None, f"no credentials for {self.platform} (token_provider)")
            return False
        try:
            self.token = await maybe_deferred_to_future(
                deferToThread(self.token_provider, force=force)
            )
        except Exception as exc:  # the provider says what is missing or refused
            self.report_problem(None, f"could not sign in to {self.platform}: {exc}")
            return False
        return True

    def api_request(self, url: str, *, retried: bool = False, **cb_kwargs: Any) -> scrapy.Request:
        """An authorised GET of ``url`` answered to :meth:`parse` (401s reach it too)."""
        return scrapy.Request(
            url,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
            cb_kwargs=cb_kwargs,
            meta={"handle_httpstatus_list": list(REFUSALS), _RETRIED: retried},
            dont_filter=True,
        )

    async def not_ok(self, response: Response) -> scrapy.Request | None:
        """After a 401: the same request with a fresh token, once; after a 403 or 404 (or a
        second 401): the problem, in the platform's words."""
        words = platform_words(response)
        words = f": {words}" if words else ""
        if response.status != 401:
            what = "refused access" if response.status == 403 else "has no such listing"
            self.report_problem(response, f"{self.platform} {what} ({response.status}){words}")
            return None
        if response.meta.get(_RETRIED):
            self.report_problem(
                response,
                f"{self.platform} refused the credentials (401) after a fresh token{words}",
            )
            return None
        request = response.request
        assert request is not None
        used = (request.headers.get("Authorization") or b"").decode().removeprefix("Bearer ")
        # a token renewed since this request left is used as it is; else a fresh one, once
        if used == self.token and not await self.sign_in(force=True):
            return None
        return self.api_request(request.url, retried=True, **request.cb_kwargs)


class AppStoreConnectSpider(OwnerApiSpider):
    """Read every customer review of an app through the App Store Connect API."""

    name = "appstore_connect"
    platform = "App Store Connect"
    custom_settings = {**coverage_rules(rating=1.0), **OwnerApiSpider.owner_settings}
    default_base_url = "https://api.appstoreconnect.apple.com"

    def first_page(self) -> str:
        """The newest reviews with their responses."""
        app_id = self.options.get("app_id")
        return self.url(
            f"/v1/apps/{app_id}/customerReviews?sort=-createdDate&include=response&limit=200"
        )

    async def start(self) -> AsyncIterator[Any]:
        """Sign in, then the first page (and the unread rest of an earlier run)."""
        if not self.options.get("app_id"):
            self.report_problem(None, "no app_id configured")
            return
        listing = Listing(self, "reviews")
        if not await self.sign_in():
            return
        yield self.api_request(self.first_page(), kind="new", read=1)
        if listing.gap is not None and listing.gap_stop:
            yield self.api_request(self.url(str(listing.gap_stop)), kind="gap", read=1)

    async def parse(
        self, response: Response, kind: str = "new", read: int = 1, **kwargs: Any
    ) -> AsyncIterator[Any]:
        """Yield one page's reviews; follow ``links.next`` while the page brings new ones."""
        if response.status in REFUSALS:
            retry = await self.not_ok(response)
            if retry is not None:
                yield retry
            return
        data = self.read_json(response)
        if data is None:
            return
        reviews = data.get("data") if isinstance(data, dict) else None
        if not isinstance(reviews, list):
            self.report_problem(response, "not a customerReviews answer (no 'data' list)")
            return
        if not reviews and kind == "new" and read == 1:
            self.empty_result()
        self.saw_entries(len(reviews))
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
