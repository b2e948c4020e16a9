"""Per-domain politeness across a cluster: a request slot per domain, kept in Redis.

Scrapy keeps ``DOWNLOAD_DELAY`` per crawl and process, so two workers crawling the same site
would each keep their own delay and together go twice as fast. With ``GRAPEVINE_REDIS_URL``
set (``[crawl] redis_url``, or a Redis broker in ``[cluster]``), this downloader middleware
reserves the domain's next free slot in Redis before every request: one atomic script reads
the time the domain is free again, moves it one delay further and answers how long this
request waits (0 when the domain is free). Every worker, process and machine sharing the
Redis therefore keeps one delay per domain between any two requests, and so at most
``1 / delay`` requests per second to it. Without the setting it is off (``NotConfigured``).

A domain is the host with its port (``127.0.0.1:8001`` and ``127.0.0.1:8002`` are two sites,
as they are in a test or a benchmark). The delay is ``GRAPEVINE_CLUSTER_DELAY``, else
``DOWNLOAD_DELAY``; keys are ``<GRAPEVINE_REDIS_PREFIX>politeness:<domain>`` and expire a
minute after their last slot. The wait is non-blocking (the reactor goes on); the reservation
itself is one short Redis round trip. Stats: ``grapevine/cluster_wait_ms``.
"""

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached

# KEYS[1] the domain's key; ARGV[1] the delay in ms. Returns the ms this request waits.
_RESERVE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(t, free)
local delay = tonumber(ARGV[1])
redis.call('SET', KEYS[1], slot + delay, 'PX', slot + delay - t + 60000)
return slot - t
"""


class ClusterPolitenessMiddleware:
    """Hold each request until its domain's shared slot in Redis comes up."""

    def __init__(self, crawler: Crawler, client: Any, prefix: str, delay: float) -> None:
        self.crawler, self.client, self.prefix = crawler, client, prefix
        self.delay_ms = max(0, round(delay * 1000))
        self.reserve = client.register_script(_RESERVE)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ClusterPolitenessMiddleware":
        """Build from ``GRAPEVINE_REDIS_URL``; off (``NotConfigured``) without it."""
        settings = crawler.settings
        url = settings.get("GRAPEVINE_REDIS_URL")
        if not url:
            raise NotConfigured("no GRAPEVINE_REDIS_URL: politeness is per process")
        delay = settings.getfloat(
            "GRAPEVINE_CLUSTER_DELAY", settings.getfloat("DOWNLOAD_DELAY", 0.0)
        )
        if delay <= 0:
            raise NotConfigured("no download delay to share")
        import redis

        client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
        prefix = settings.get("GRAPEVINE_REDIS_PREFIX") or "grapevine:"
        return cls(crawler, client, prefix, delay)

    def domain(self, request: Request) -> str:
        """The politeness key's domain: host and port."""
        parsed = urlparse_cached(request)
        return f"{parsed.hostname or ''}:{parsed.port or parsed.scheme}"

    async def process_request(self, request: Request) -> None:
        """Wait for the domain's next slot across the cluster."""
        key = f"{self.prefix}politeness:{self.domain(request)}"
        wait_ms = int(self.reserve(keys=[key], args=[self.delay_ms]))
        if wait_ms > 0:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("grapevine/cluster_wait_ms", wait_ms)
            await sleep(wait_ms / 1000)
