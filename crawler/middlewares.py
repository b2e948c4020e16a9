"""Politeness and health middlewares.

* :class:`BackoffRetryMiddleware` replaces Scrapy's ``RetryMiddleware``: the same retry rules
  (``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS``, the ``retry/*`` stats), plus a
  wait before each retry — the ``Retry-After`` the site asked for (seconds or an HTTP date),
  else an exponential backoff with jitter — during which the whole host is paused, not just the
  one request. A ``Retry-After`` longer than ``GRAPEVINE_MAX_RETRY_WAIT`` is not waited for:
  the source is reported as rate limited, with the wait the site asked for.
* :class:`PageCountMiddleware` counts the responses that reach a spider callback
  (``grapevine/pages_parsed``), so a health check can tell "no page could be read" from "pages
  were read and had nothing".

Settings: ``GRAPEVINE_RETRY_BACKOFF`` (first wait in seconds, doubled per retry; 1),
``GRAPEVINE_RETRY_BACKOFF_MAX`` (60), ``GRAPEVINE_MAX_RETRY_WAIT`` (120).
"""

import random
import time
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object
from scrapy.utils.response import response_status_message


def retry_after(response: Response, now: float | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (``None`` without one)."""
    raw = response.headers.get(b"Retry-After")
    if not raw:
        return None
    value = raw.decode("latin-1").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class BackoffRetryMiddleware:
    """Retry 429/5xx and network errors after a wait; honour ``Retry-After``."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off")
        self.crawler = crawler
        self.max_retry_times = settings.getint("RETRY_TIMES")
        self.retry_http_codes = {int(x) for x in settings.getlist("RETRY_HTTP_CODES")}
        self.exceptions_to_retry = tuple(
            load_object(x) if isinstance(x, str) else x
            for x in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.backoff = settings.getfloat("GRAPEVINE_RETRY_BACKOFF", 1.0)
        self.backoff_max = settings.getfloat("GRAPEVINE_RETRY_BACKOFF_MAX", 60.0)
        self.max_wait = settings.getfloat("GRAPEVINE_MAX_RETRY_WAIT", 120.0)
        self.paused_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "BackoffRetryMiddleware":
        """Build from the crawler's settings."""
        return cls(crawler)

    def _host(self, request: Request) -> str:
        return str(request.meta.get("download_slot") or urlparse_cached(request).hostname or "")

    def _retry(self, request: Request, reason: str | Exception) -> Request | None:
        assert self.crawler.spider is not None
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
        )

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)

    def backoff_for(self, request: Request) -> float:
        """The exponential backoff before the next retry of ``request`` (with ±25 % jitter)."""
        tries = int(request.meta.get("retry_times", 0))
        wait = min(self.backoff * (2**tries), self.backoff_max)
        return wait * random.uniform(0.75, 1.25)

    async def process_request(self, request: Request) -> None:
        """Hold a request while its host is paused after a 429/503."""
        until = self.paused_until.get(self._host(request))
        if until is not None:
            wait = until - time.monotonic()
            if wait > 0:
                await sleep(wait)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        """Retry a retryable status after the wait the site asked for (or a backoff)."""
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        asked = retry_after(response)
        if asked is not None and asked > self.max_wait:
            self._inc("grapevine/retry_after_too_long")
            self.report(
                f"rate limited (HTTP {response.status}): the site asked to wait {asked:.0f} s, "
                f"more than the {self.max_wait:.0f} s allowed",
                response,
            )
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        wait = asked if asked is not None else self.backoff_for(request)
        if asked is not None:
            self._inc("grapevine/retry_after_honoured")
            host = self._host(request)
            self.paused_until[host] = max(self.paused_until.get(host, 0.0), time.monotonic() + wait)
        await self.wait(wait)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Any:
        """Retry a network error (timeout, refused connection...) after a backoff."""
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self.wait(self.backoff_for(request))
        return retry

    async def wait(self, seconds: float) -> None:
        """Sleep without blocking the reactor; the waits are summed in the stats."""
        if seconds > 0:
            self._inc("grapevine/retry_wait_ms", round(seconds * 1000))
            await sleep(seconds)

    def report(self, message: str, response: Response) -> None:
        """Tell the spider (its CrawlRun shows it) or, for a plain spider, log it."""
        spider = self.crawler.spider
        reporter = getattr(spider, "report_problem", None)
        if callable(reporter):
            reporter(response, message)
        elif spider is not None:
            spider.logger.warning("%s (%s)", message, response.url)


class PageCountMiddleware:
    """Count the responses that reach a spider callback (after HTTP error filtering)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "PageCountMiddleware":
        """Build from the crawler."""
        return cls(crawler)

    def process_spider_input(self, response: Response) -> None:
        """One more page read by the spider."""
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("grapevine/pages_parsed")
