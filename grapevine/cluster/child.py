"""The crawl of one source in a child process, forked from the worker's task.

A Twisted reactor runs once per process, so a long-lived worker never crawls itself: each
task forks a child (the worker has imported Scrapy and the spiders already, so the child
starts in milliseconds, not the second a new interpreter takes), which crawls the one source
and sends its :class:`crawler.runner.SourceResult` back through a pipe. The child dies with
the worker process (``PR_SET_PDEATHSIG``); a child over its time limit is killed.
"""

import contextlib
import json
import logging
import multiprocessing
import os
import select
import signal
import time
from typing import Any

from crawler.analysis_pool import set_parent_death_signal
from crawler.cluster_politeness import release_leases
from crawler.runner import run_sources
from crawler.shared_queue import shared_settings
from grapevine.cluster.engines import forget_engines
from grapevine.config import Settings
from grapevine.wiring import scrapy_settings, source_specs

log = logging.getLogger(__name__)


class CrawlCrashed(Exception):
    """The child ended without a result (killed, crashed, over its time limit)."""


def shared_key(settings: Settings, day_id: str, source: str) -> str:
    """The Redis key prefix of a shared source's queue on one day."""
    return f"{settings.cluster.key_prefix}shared:{day_id}:{source}:"


def crawl_settings(
    settings: Settings, source: str, day_id: str, *, deadline: float
) -> dict[str, Any]:
    """Scrapy settings of one source's crawl in the cluster (a shared queue where asked)."""
    values = scrapy_settings(settings, log_level="WARNING")
    # the cluster runs many crawls side by side: each analyses its items in its own process
    values["GRAPEVINE_ANALYSIS_WORKERS"] = 0
    if settings.redis_url:  # the delay and concurrency are kept in Redis across workers
        # (cluster_politeness), just before the request goes out: a local delay after the
        # reservation would bunch requests
        values["GRAPEVINE_CLUSTER_DELAY"] = settings.crawl.download_delay
        values["DOWNLOAD_DELAY"] = 0
        values["GRAPEVINE_CLUSTER_CONCURRENCY"] = settings.crawl.concurrency_per_domain
    if settings.source(source).shared_queue:
        if not settings.redis_url:
            raise ValueError(f"source {source!r}: shared_queue needs Redis ([crawl] redis_url)")
        values.update(
            shared_settings(
                settings.redis_url, shared_key(settings, day_id, source), deadline=deadline
            )
        )
    return values


def preload(settings: Settings) -> None:
    """In the worker, before any fork: import every crawl component and build the analyser
    and the language detector once, so each crawl's child starts with them in memory."""
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.misc import load_object

    from crawler.analysis_worker import analyzer_for
    from crawler.runner import project_settings
    from sentiment.language import warm

    values = crawl_settings(settings, settings.sources[0].name, "-", deadline=60) if (
        settings.sources
    ) else scrapy_settings(settings)  # fmt: skip
    project = project_settings(values)
    for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES", "EXTENSIONS"):
        for path, order in project.getwithbase(name).items():
            if order is not None:
                load_object(path)
    for path in ("DOWNLOAD_HANDLERS",):
        for handler in project.getwithbase(path).values():
            if handler:
                load_object(handler)
    loader = SpiderLoader.from_settings(project)
    for spider in loader.list():
        loader.load(spider)
    analyzer_for(
        dict(values["GRAPEVINE_LEXICON"]),
        dict(values["GRAPEVINE_ASPECTS"]),
        values["GRAPEVINE_UNSCORED_LANGUAGES"],
        values.get("GRAPEVINE_DATABASE_URL"),  # the registry's active models, as the crawl
    )
    warm()
    from crawler.db import engine_for

    engine_for(settings.database_url)  # the driver and dialect loaded, no connection made:
    # a pooled connection here would be one socket shared by every forked crawl


def _crawl(write: int, parent: int, settings: Settings, source: str, day_id: str,
           timeout: float) -> None:  # fmt: skip
    """In the forked child: crawl, write the result as JSON to ``write``, exit."""
    code = 0
    try:
        set_parent_death_signal(signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)
        # a Celery pool process is "daemonic" for multiprocessing; this child is not (the
        # crawl's analysis workers are its children, and die with it)
        multiprocessing.process._current_process._config.pop("daemon", None)  # type: ignore[attr-defined]
        from crawler.db import engine_for

        forget_engines()  # the worker's pooled connections are not ours
        engine_for(settings.database_url).dispose(close=False)
        specs = source_specs(settings, [source])
        values = crawl_settings(settings, source, day_id, deadline=max(1.0, timeout - 30))
        results = run_sources(specs, values, incremental=True, install_root_handler=False)
        data = json.dumps(results[0].as_dict(), default=str)
    except BaseException as exc:  # noqa: BLE001 - the parent reports it
        data = json.dumps({"crash": f"{type(exc).__name__}: {exc}"})
        code = 1
    try:
        with os.fdopen(write, "wb") as out:
            out.write(data.encode())
    finally:
        os._exit(code)


def _give_back_leases(settings: Settings, pid: int) -> None:
    """The killed crawl's per-domain leases (crawler.cluster_politeness), given back."""
    if not settings.redis_url:
        return
    try:
        released = release_leases(settings.redis_url, settings.cluster.key_prefix, pid)
    except Exception as exc:  # they expire on their own
        log.warning("could not give back the killed crawl's domain leases: %s", exc)
        return
    if released:
        log.info("gave back %d domain leases of the killed crawl %d", released, pid)


def crawl_source(settings: Settings, source: str, *, day_id: str, timeout: float) -> dict[str, Any]:
    """Crawl ``source`` in a child process; its result as a dict. Raises :class:`CrawlCrashed`."""
    read, write = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        _crawl(write, parent, settings, source, day_id, timeout)
    os.close(write)
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    status: int | None = None
    try:
        with os.fdopen(read, "rb", buffering=0) as pipe:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CrawlCrashed(f"the crawl ran longer than {timeout:.0f} s: stopped")
                ready, _, _ = select.select([pipe], [], [], min(left, 1.0))
                if ready:
                    chunk = pipe.read(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
        pid = 0
    finally:
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            _give_back_leases(settings, pid)
    if not chunks:
        raise CrawlCrashed(f"the crawl process ended without a result (status {status})")
    result: dict[str, Any] = json.loads(b"".join(chunks))
    if "crash" in result:
        raise CrawlCrashed(result["crash"])
    return result
