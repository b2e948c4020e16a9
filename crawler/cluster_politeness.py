"""Per-domain politeness across a cluster: a request slot and a concurrency lease per domain,
kept in Redis.

Scrapy keeps ``DOWNLOAD_DELAY`` and ``CONCURRENT_REQUESTS_PER_DOMAIN`` per crawl and process,
so two workers crawling the same site would together go twice as fast and twice as wide. With
``GRAPEVINE_REDIS_URL`` set (``[crawl] redis_url``, or a Redis broker in ``[cluster]``), this
downloader middleware, before every request:

1. takes one of the domain's ``GRAPEVINE_CLUSTER_CONCURRENCY`` leases (default
   ``CONCURRENT_REQUESTS_PER_DOMAIN``): a member of a Redis sorted set scored by its expiry,
   given back when the response (or the error) comes, and expiring by itself after
   ``DOWNLOAD_TIMEOUT`` + 30 s when its worker died mid-request; it waits (polling every
   20 ms, without blocking the reactor) while all are out;
2. reserves the domain's next free slot: one atomic script reads the time the domain is free
   again, moves it one delay further and answers how long this request waits.

So every worker, process and machine sharing the Redis keeps one delay per domain between any
two requests (at most ``1 / delay`` requests per second to it) and at most the configured
number of requests to it in flight. Without the setting it is off (``NotConfigured``).

A domain is the host with its port (``127.0.0.1:8001`` and ``127.0.0.1:8002`` are two sites,
as they are in a test or a benchmark). The delay is ``GRAPEVINE_CLUSTER_DELAY``, else
``DOWNLOAD_DELAY``; keys are ``<GRAPEVINE_REDIS_PREFIX>politeness:<domain>`` (the slot) and
``…:inflight`` (the leases), and expire a minute after their last use. Stats:
``grapevine/cluster_wait_ms`` (delay), ``grapevine/cluster_lease_wait_ms`` (concurrency).
"""

import time
import uuid
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
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
# KEYS[1] the domain's leases; ARGV: limit, lease seconds, token. 1: taken, 0: all are out.
_LEASE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[3])
  redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 60)
  return 1
end
return 0
"""
_LEASE_META = "grapevine_cluster_lease"


class ClusterPolitenessMiddleware:
    """Hold each request until its domain has a free lease and its shared slot comes up."""

    def __init__(
        self, crawler: Crawler, client: Any, prefix: str, delay: float, concurrency: int
    ) -> None:
        self.crawler, self.client, self.prefix = crawler, client, prefix
        self.delay_ms = max(0, round(delay * 1000))
        self.concurrency = concurrency
        self.lease_seconds = crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 180) + 30
        self.reserve = client.register_script(_RESERVE)
        self.lease = client.register_script(_LEASE)

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
        concurrency = settings.getint(
            "GRAPEVINE_CLUSTER_CONCURRENCY", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 0)
        )
        import redis

        client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
        prefix = settings.get("GRAPEVINE_REDIS_PREFIX") or "grapevine:"
        return cls(crawler, client, prefix, delay, concurrency)

    def domain(self, request: Request) -> str:
        """The politeness key's domain: host and port."""
        parsed = urlparse_cached(request)
        return f"{parsed.hostname or ''}:{parsed.port or parsed.scheme}"

    def _inc(self, key: str, value: int) -> None:
        if self.crawler.stats is not None and value > 0:
            self.crawler.stats.inc_value(key, value)

    async def process_request(self, request: Request) -> None:
        """Take a lease of the domain, then wait for its next slot, across the cluster."""
        key = f"{self.prefix}politeness:{self.domain(request)}"
        if self.concurrency > 0:
            token = uuid.uuid4().hex
            started = time.monotonic()
            # at most one lease time: a lost release must not stall the crawl for longer
            while not self.lease(
                keys=[key + ":inflight"], args=[self.concurrency, self.lease_seconds, token]
            ):
                if time.monotonic() - started > self.lease_seconds:
                    break
                await sleep(0.02)
            request.meta[_LEASE_META] = (key + ":inflight", token)
            self._inc("grapevine/cluster_lease_wait_ms", round((time.monotonic() - started) * 1000))
        if self.delay_ms:
            wait_ms = int(self.reserve(keys=[key], args=[self.delay_ms]))
            if wait_ms > 0:
                self._inc("grapevine/cluster_wait_ms", wait_ms)
                await sleep(wait_ms / 1000)

    def _release(self, request: Request) -> None:
        lease = request.meta.pop(_LEASE_META, None)
        if lease:
            self.client.zrem(*lease)

    def process_response(self, request: Request, response: Response) -> Response:
        """Give the domain's lease back."""
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """Give the domain's lease back (the error goes on to the other middlewares)."""
        self._release(request)
