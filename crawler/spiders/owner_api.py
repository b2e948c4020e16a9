"""The base of the owner-API spiders: ``appstore_connect``, ``googleplay``, ``googlebusiness``,
``trustpilot_business`` — the APIs a company signs in to for its own reviews.

:class:`OwnerApiSpider` holds what they share: the bearer header, the one retry after a 401,
a 403 or 404 reported in the platform's own words (a 429 is the retry middleware's, which
honours ``Retry-After``), and the frame of a review page (refusals, JSON, the review list's
checks). Each spider keeps its platform's listing URLs and review fields.

The spiders sign nothing themselves: ``crawler`` may not import ``triage``, so
:mod:`grapevine.wiring` builds a ``token_provider`` (a callable giving the bearer token) from
:mod:`triage.connectors.owner_auth` and hands it over as a spider argument. It is asked once
at the start (in a thread, so the reactor keeps running) and once more after a 401.
"""

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

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
    custom_settings = {**coverage_rules(rating=1.0), **owner_settings}

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

    async def open_listing(self, option: str, key: str = "reviews") -> Listing | None:
        """The listing ``key``, once ``option`` is configured and the spider has signed in;
        ``None`` (the problem reported) when either is missing."""
        if not self.options.get(option):
            self.report_problem(None, f"no {option} configured")
            return None
        listing = Listing(self, key)
        if not await self.sign_in():
            return None
        return listing

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

    async def parse(self, response: Response, **kwargs: Any) -> AsyncIterator[Any]:
        """A refusal handled (a retry after a 401), else the page's JSON to :meth:`parse_page`."""
        if response.status in REFUSALS:
            retry = await self.not_ok(response)
            if retry is not None:
                yield retry
            return
        data = self.read_json(response)
        if data is None:
            return
        for out in self.parse_page(response, data, **kwargs):
            yield out

    def parse_page(self, response: Response, data: Any, **kwargs: Any) -> Iterator[Any]:
        """Items and next requests of one page of the platform's JSON answer."""
        raise NotImplementedError

    def page_reviews(
        self, response: Response, reviews: Any, problem: str, *, first: bool
    ) -> list[Any] | None:
        """The page's review list, counted (an empty ``first`` page is the site's empty
        result); ``None`` with ``problem`` reported when it is no list."""
        if not isinstance(reviews, list):
            self.report_problem(response, problem)
            return None
        if not reviews and first:
            self.empty_result()
        self.saw_entries(len(reviews))
        return reviews
