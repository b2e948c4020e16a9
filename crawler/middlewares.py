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
* :class:`DownloadFailureMiddleware` and :class:`BoundedCompressionMiddleware` (in place of
  Scrapy's ``HttpCompressionMiddleware``) make a page over ``DOWNLOAD_MAXSIZE`` a problem of
  the source ("page larger than 32 MB: <url>"), whether the download was cancelled for its
  size (announced or received) or the body grew past the limit while it was decompressed (a
  decompression bomb: Scrapy stops inflating at the limit, so memory stays bounded). Scrapy
  drops both with a warning only, which left the source ``ok``. Both count
  ``grapevine/pages_too_large``. Any other download failure that no retry covers is reported
  too, in words ("download failed: <url>").
* :class:`LoudRedirectMiddleware` and :class:`LoudMetaRefreshMiddleware` (in place of
  Scrapy's) report a redirect loop (a URL redirecting back to one already on its chain) and
  a chain longer than ``REDIRECT_MAX_TIMES`` as problems; Scrapy discards those requests with
  a debug line, so a blocked source looked like one with nothing new.

Settings: ``GRAPEVINE_RETRY_BACKOFF`` (first wait in seconds, doubled per retry; 1),
``GRAPEVINE_RETRY_BACKOFF_MAX`` (60), ``GRAPEVINE_MAX_RETRY_WAIT`` (120).
"""

import random
import time
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object
from scrapy.utils.response import response_status_message

from crawler.health import EXCEPTION_WORDS


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
        report(self.crawler, message, response)


def report(crawler: Crawler, message: str, response: Response | None = None) -> None:
    """Tell the crawl's spider about a problem (its CrawlRun shows it); else log it."""
    spider = crawler.spider
    reporter = getattr(spider, "report_problem", None)
    if callable(reporter):
        reporter(response, message)
    elif spider is not None:
        where = f" ({response.url})" if response is not None else ""
        spider.logger.warning("%s%s", message, where)


def is_robots_txt(request: Request) -> bool:
    """Whether ``request`` is the robots.txt fetch Scrapy makes on its own (not a page of the
    source: a failure there means "no rules", as Scrapy treats it)."""
    first = (request.meta.get("redirect_urls") or [request.url])[0]
    return bool(request.meta.get("dont_obey_robotstxt")) and first.endswith("/robots.txt")


def megabytes(size: int) -> str:
    """``33554432`` -> ``"32 MB"`` (MiB, as the setting is given)."""
    return f"{size / 1048576:.3g} MB"


def too_large(limit: int, url: str, *, decompressed: bool = False) -> str:
    """The problem line of a page over the size limit."""
    once = " once decompressed" if decompressed else ""
    return f"page larger than {megabytes(limit)}{once}: {url}"


class DownloadFailureMiddleware:
    """Make a download that failed for good a problem of the source.

    Sits just below the retry middleware, so it sees the exceptions that were not retried:
    those the retry rules do not cover (with retries on; the retried ones that ran out are
    counted by the retry middleware as ``retry/max_reached``), or every one with retries off.
    ``DownloadCancelledError`` is how Scrapy's handler stops a page over ``DOWNLOAD_MAXSIZE``
    (announced in ``Content-Length`` or received so far; it is not retried, the page would be
    as large again): it is reported as "page larger than 32 MB: <url>". ``IgnoreRequest``
    (robots.txt, offsite) has its own stats and is left alone.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.max_size = settings.getint("DOWNLOAD_MAXSIZE")
        self.retried: tuple[type[BaseException], ...] = ()
        if settings.getbool("RETRY_ENABLED"):
            self.retried = tuple(
                load_object(x) if isinstance(x, str) else x
                for x in settings.getlist("RETRY_EXCEPTIONS")
            )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "DownloadFailureMiddleware":
        """Build from the crawler's settings."""
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception) -> None:
        """Report the failure; let the exception go on (stats, logs)."""
        if isinstance(exception, (IgnoreRequest, *self.retried)) or is_robots_txt(request):
            return
        if isinstance(exception, DownloadCancelledError):
            limit = int(request.meta.get("download_maxsize", self.max_size))
            report(self.crawler, too_large(limit, request.url))
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("grapevine/pages_too_large")
            return
        name = type(exception).__name__
        report(self.crawler, f"{EXCEPTION_WORDS.get(name, name)}: {request.url}")


class BoundedCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression (bounded by ``DOWNLOAD_MAXSIZE`` since Scrapy 2.11), made loud.

    Scrapy inflates in chunks and stops once the output passes the limit, then ignores the
    response with a warning; here the source is told too, so it is not ``ok``.
    """

    def __init__(self, stats: Any = None, *, crawler: Crawler | None = None) -> None:
        super().__init__(stats, crawler=crawler)
        self.crawler = crawler

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        """Decompress, reporting a body that would inflate past the limit."""
        try:
            return super().process_response(request, response)
        except IgnoreRequest:
            limit = int(request.meta.get("download_maxsize", self._max_size))
            if self.crawler is not None and not is_robots_txt(request):
                report(self.crawler, too_large(limit, response.url, decompressed=True))
                if self.stats is not None:
                    self.stats.inc_value("grapevine/pages_too_large")
            raise


class _LoudRedirects:
    """Report redirect loops and over-long redirect chains instead of dropping them quietly.

    Hooks ``BaseRedirectMiddleware._redirect``, the one place both Scrapy redirect
    middlewares pass every redirect through (a private method: tests/crawler/test_hostile_sites
    fails if a Scrapy upgrade changes it).
    """

    crawler: Crawler
    max_redirect_times: int

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        quiet = is_robots_txt(request)
        if redirected.url in chain and redirected.method == request.method:
            loop = " -> ".join([*chain[chain.index(redirected.url) :], redirected.url])
            if not quiet:
                report(self.crawler, f"redirect loop: {loop}")
            raise IgnoreRequest("redirect loop")
        try:
            return super()._redirect(redirected, request, reason)  # type: ignore[misc]
        except IgnoreRequest:
            if not quiet:
                report(
                    self.crawler,
                    f"too many redirects (more than {self.max_redirect_times}) from {chain[0]}",
                )
            raise


class LoudRedirectMiddleware(_LoudRedirects, RedirectMiddleware):
    """Scrapy's 3xx redirects; loops and long chains are problems of the source."""


class LoudMetaRefreshMiddleware(_LoudRedirects, MetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv=refresh>`` redirects; loops and long chains reported."""


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
