"""One big source crawled by several workers at once: a request queue and duplicate filter in
Redis (scrapy-redis), so each page is fetched once whichever worker takes it.

:func:`shared_settings` gives the Scrapy settings of one source's shared crawl (the caller,
the cluster's crawl task, adds them for a source with ``shared_queue = true``): scrapy-redis's
scheduler and duplicate filter under a per-day key prefix, kept after a worker closes
(``SCHEDULER_PERSIST``: the others are still reading them; the fan-in deletes them).

* :class:`SharedScheduler` filters every first request through the shared duplicate filter,
  start requests included (spiders send those with ``dont_filter=True``, which would have each
  worker fetch them again); only retries pass unfiltered.
* :class:`SharedIdleClose`: a spider on a shared queue waits while the queue is empty but
  another worker is still busy (it may push more pages); it closes once nothing happened on
  the source for ``GRAPEVINE_SHARED_IDLE_SECONDS`` (3 s), or at the total deadline
  ``GRAPEVINE_SHARED_DEADLINE`` (seconds from its start). Scrapy re-checks an idle spider
  every 5 s, so a worker closes 5–10 s after the last page.
"""

import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request
from scrapy_redis.scheduler import Scheduler


def shared_settings(redis_url: str, key: str, *, deadline: float) -> dict[str, Any]:
    """The Scrapy settings of a shared crawl whose Redis keys start with ``key``."""
    return {
        "SCHEDULER": "crawler.shared_queue.SharedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.FifoQueue",
        "SCHEDULER_QUEUE_KEY": f"{key}requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{key}dupefilter",
        "REDIS_URL": redis_url,
        "GRAPEVINE_SHARED_QUEUE": key,
        "GRAPEVINE_SHARED_DEADLINE": deadline,
    }


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler; first requests always go through the shared filter."""

    def enqueue_request(self, request: Request) -> bool:
        """Queue ``request`` in Redis unless some worker already queued it."""
        if request.dont_filter and not request.meta.get("retry_times"):
            request = request.replace(dont_filter=False)
        return bool(super().enqueue_request(request))


class SharedIdleClose:
    """Keep an idle spider on a shared queue open while the other workers are busy."""

    def __init__(self, crawler: Crawler, key: str, idle: float, deadline: float) -> None:
        import redis

        self.crawler, self.key, self.idle, self.deadline = crawler, key, idle, deadline
        self.client = redis.Redis.from_url(
            crawler.settings.get("REDIS_URL"), socket_timeout=10, socket_connect_timeout=10
        )
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedIdleClose":
        """Only for a crawl on a shared queue (``GRAPEVINE_SHARED_QUEUE``)."""
        key = crawler.settings.get("GRAPEVINE_SHARED_QUEUE")
        if not key:
            raise NotConfigured()  # silently: not a shared queue (the usual case)
        ext = cls(
            crawler,
            key,
            crawler.settings.getfloat("GRAPEVINE_SHARED_IDLE_SECONDS", 3.0),
            crawler.settings.getfloat("GRAPEVINE_SHARED_DEADLINE", 1800.0),
        )
        crawler.signals.connect(ext.busy, signal=signals.response_received)
        crawler.signals.connect(ext.busy, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        return ext

    def busy(self, *args: Any, **kwargs: Any) -> None:
        """Note that some worker did something on the source just now."""
        self.client.set(f"{self.key}active", f"{time.time():.3f}", ex=3600)

    def spider_idle(self) -> None:
        """Close only when the source was quiet for a while (or the deadline passed)."""
        if time.monotonic() - self.started > self.deadline:
            return
        raw = self.client.get(f"{self.key}active")
        last = float(raw) if raw else 0.0
        if time.time() - last < self.idle:
            raise DontCloseSpider("another worker is still crawling the shared source")
