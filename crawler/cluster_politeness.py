"""Per-domain politeness across a cluster: a request slot and a concurrency lease per domain,
kept in Redis.

Scrapy keeps ``DOWNLOAD_DELAY`` and ``CONCURRENT_REQUESTS_PER_DOMAIN`` per crawl and process,
so two workers crawling the same site would together go twice as fast and twice as wide. With
``GRAPEVINE_REDIS_URL`` set (``[crawl] redis_url``, or a Redis broker in ``[cluster]``), this
downloader middleware, before every request:

1. takes one of the domain's ``GRAPEVINE_CLUSTER_CONCURRENCY`` leases (default
   ``CONCURRENT_REQUESTS_PER_DOMAIN``): a member of a Redis sorted set scored by its expiry,
   given back when the response (or the error) comes. A lease lives
   ``GRAPEVINE_CLUSTER_LEASE_SECONDS`` (10 s) and the crawl renews its leases every third of
   that while it runs, so the leases of a crawl or machine that died free up within 10 s; a
   crawl killed by its parent (over its time limit) has them given back at once
   (:func:`release_leases`). It waits (polling every 20 ms, without blocking the reactor)
   while all are out, at most ``DOWNLOAD_TIMEOUT`` + 30 s;
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

import os
import socket
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
# KEYS[1] the domain's leases; ARGV: lease seconds, tokens...: their expiry moved on (renewal).
_RENEW = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', t + tonumber(ARGV[1]), ARGV[i])
end
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1])) + 60)
return 1
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


def lease_owner(pid: int) -> str:
    """The prefix of the leases process ``pid`` of this machine takes."""
    return f"{socket.gethostname()}:{pid}:"


def release_leases(redis_url: str, prefix: str, pid: int) -> int:
    """Give back every lease a crawl process left when it was killed (its parent calls this);
    how many there were. Leases of a machine that went away expire on their own."""
    import redis

    owner = lease_owner(pid)
    client = redis.Redis.from_url(redis_url, socket_timeout=10, socket_connect_timeout=10)
    released = 0
    try:
        for key in client.scan_iter(match=f"{prefix}politeness:*:inflight", count=1000):
            mine = [m for m, _ in client.zscan_iter(key) if m.decode().startswith(owner)]
            if mine:
                released += int(client.zrem(key, *mine))
    finally:
        client.close()
    return released


class ClusterPolitenessMiddleware:
    """Hold each request until its domain has a free lease and its shared slot comes up."""

    def __init__(
        self, crawler: Crawler, client: Any, prefix: str, delay: float, concurrency: int
    ) -> None:
        self.crawler, self.client, self.prefix = crawler, client, prefix
        self.delay_ms = max(0, round(delay * 1000))
        self.concurrency = concurrency
        self.lease_seconds = crawler.settings.getfloat("GRAPEVINE_CLUSTER_LEASE_SECONDS", 10.0)
        self.max_wait = crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 180) + 30
        self.reserve = client.register_script(_RESERVE)
        self.lease = client.register_script(_LEASE)
        self.renew_script = client.register_script(_RENEW)
        self.inflight: dict[str, str] = {}  # token -> the domain's lease key
        self._renewal: Any = None

    def start_renewal(self) -> None:
        """Renew this crawl's leases every third of their life while it runs."""
        from twisted.internet import task

        if self.concurrency > 0 and self._renewal is None:
            self._renewal = task.LoopingCall(self.renew)
            self._renewal.start(self.lease_seconds / 3, now=False)

    def stop_renewal(self) -> None:
        """The crawl is over: no more renewals (its leases were given back)."""
        if self._renewal is not None and self._renewal.running:
            self._renewal.stop()
        self._renewal = None

    def renew(self) -> None:
        """Move the expiry of every lease still out one lease time on."""
        by_key: dict[str, list[str]] = {}
        for token, key in list(self.inflight.items()):
            by_key.setdefault(key, []).append(token)
        try:
            for key, tokens in by_key.items():
                self.renew_script(keys=[key], args=[self.lease_seconds, *tokens])
        except Exception:  # Redis away for a moment: the next renewal tries again
            return

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ClusterPolitenessMiddleware":
        """Build from ``GRAPEVINE_REDIS_URL``; off (``NotConfigured``) without it."""
        settings = crawler.settings
        url = settings.get("GRAPEVINE_REDIS_URL")
        if not url:
            raise NotConfigured()  # silently: no GRAPEVINE_REDIS_URL, politeness is per process
        delay = settings.getfloat(
            "GRAPEVINE_CLUSTER_DELAY", settings.getfloat("DOWNLOAD_DELAY", 0.0)
        )
        concurrency = settings.getint(
            "GRAPEVINE_CLUSTER_CONCURRENCY", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 0)
        )
        import redis

        client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
        prefix = settings.get("GRAPEVINE_REDIS_PREFIX") or "grapevine:"
        mw = cls(crawler, client, prefix, delay, concurrency)
        from scrapy import signals

        crawler.signals.connect(mw.start_renewal, signal=signals.spider_opened)
        crawler.signals.connect(mw.stop_renewal, signal=signals.spider_closed)
        return mw

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
            token = f"{lease_owner(os.getpid())}{uuid.uuid4().hex}"
            started = time.monotonic()
            # at most one lease time: a lost release must not stall the crawl for longer
            while not self.lease(
                keys=[key + ":inflight"], args=[self.concurrency, self.lease_seconds, token]
            ):
                if time.monotonic() - started > self.max_wait:
                    break
                await sleep(0.02)
            request.meta[_LEASE_META] = (key + ":inflight", token)
            self.inflight[token] = key + ":inflight"
            self._inc("grapevine/cluster_lease_wait_ms", round((time.monotonic() - started) * 1000))
        if self.delay_ms:
            wait_ms = int(self.reserve(keys=[key], args=[self.delay_ms]))
            if wait_ms > 0:
                self._inc("grapevine/cluster_wait_ms", wait_ms)
                await sleep(wait_ms / 1000)

    def _release(self, request: Request) -> None:
        lease = request.meta.pop(_LEASE_META, None)
        if lease:
            self.inflight.pop(lease[1], None)
            self.client.zrem(*lease)

    def process_response(self, request: Request, response: Response) -> Response:
        """Give the domain's lease back."""
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """Give the domain's lease back (the error goes on to the other middlewares)."""
        self._release(request)
