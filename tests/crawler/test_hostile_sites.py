"""The real crawler against the hostile site (tests/helpers/hostile_site.py).

One crawl, one source per fault: a gzip bomb and a page over the size limit (announced and
not) end ``failed`` with the size reason while the crawl process stays small; a redirect loop
and a 30-redirect chain are failures that say "redirect"; a trickling page ends at the
download timeout; a feed with one entry of invalid UTF-8 stores every other entry exactly; the
feed and the JSON page full of control characters, surrogates and over-long fields still
yield every entry.

Memory bound: the crawl child's peak resident size (``ru_maxrss``) stays under 400 MB; an
idle crawl process is ~150 MB, so 400 MB leaves room for a 32 MB page and its copies but not
for a 1 GiB inflated bomb (main took ~5 GB).
"""

import multiprocessing
import resource
from pathlib import Path
from typing import Any

from helpers.crawl import _child, crawl
from helpers.hostile_site import (
    BAD_ENTRY,
    GOOD_ENTRIES,
    HOSTILE_FEED_IDS,
    HOSTILE_HIT_IDS,
    HostileSite,
)

from grapevine.config import load_config
from grapevine.wiring import scrapy_settings
from storage import make_engine, upgrade
from storage.queries import status_summary

BRANDS = [{"name": "Slack", "terms": ["Slack"], "exclusions": [], "is_competitor": False}]
PEAK_MB = 400
DEFAULTS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "RETRY_TIMES": 1,
    "DOWNLOAD_TIMEOUT": 20,
    "GRAPEVINE_RETRY_BACKOFF": 0.05,
    "GRAPEVINE_ANALYSIS_WORKERS": 0,
}


class _Relay:
    """Stands in for the queue ``_child`` answers on, to add the child's peak memory."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue

    def put(self, message: Any) -> None:
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.queue.put((*message, peak_kb))


def _measured_child(queue: Any, sources: list[dict[str, Any]], settings: dict[str, Any]) -> None:
    _child(_Relay(queue), sources, settings, False)


def measured_crawl(
    sources: list[dict[str, Any]], settings: dict[str, Any]
) -> tuple[list[dict[str, Any]], float]:
    """(results, the crawl process's peak resident memory in MB) of a crawl in a child."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_measured_child, args=(queue, sources, {**DEFAULTS, **settings}))
    proc.start()
    try:
        kind, payload, peak_kb = queue.get(timeout=120)
    finally:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.kill()
    assert kind == "ok", payload
    return payload, peak_kb / 1024


def feed(name: str, url: str) -> dict[str, Any]:
    """A feed source on one URL (every entry names the brand, so all are kept)."""
    return {"name": name, "type": "feed", "urls": [url]}


def test_hostile_pages_fail_loudly_and_memory_stays_bounded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with HostileSite(huge_mb=40) as site:
        sources = [
            feed("bomb", site.url("/bomb.xml")),
            feed("huge", site.url("/huge.xml")),
            feed("unannounced", site.url("/huge-unannounced.xml")),
            feed("loop", site.url("/redirect/loop")),
            feed("refresh", site.url("/refresh/loop")),
            feed("chain", site.url("/redirect/chain/30")),
            feed("short-chain", site.url("/redirect/chain/3")),
            feed("utf8", site.url("/feed/bad-utf8.xml")),
            feed("hostile", site.url("/feed/hostile.xml")),
            feed("trickle", site.url("/trickle")),
            {"name": "hn", "type": "hackernews", "query": "Slack", "base_url": site.url("/hn")},
        ]
        results, peak_mb = measured_crawl(
            sources,
            {"GRAPEVINE_DATABASE_URL": url, "GRAPEVINE_BRANDS": BRANDS, "DOWNLOAD_TIMEOUT": 4},
        )
    by_name = {r["name"]: r for r in results}
    status = {r["name"]: r["status"] for r in results}
    errors = {r["name"]: r["error"] for r in results}
    assert status == {
        "bomb": "failed",
        "huge": "failed",
        "unannounced": "failed",
        "loop": "failed",
        "refresh": "failed",
        "chain": "failed",
        "short-chain": "ok",
        "utf8": "ok",
        "hostile": "ok",
        "trickle": "failed",
        "hn": "ok",
    }, errors
    limit = "page larger than 32 MB"
    assert f"{limit} once decompressed: {site.url('/bomb.xml')}" in errors["bomb"]
    assert errors["huge"] == f"{limit}: {site.url('/huge.xml')}"  # said once, in words
    assert f"{limit}: {site.url('/huge-unannounced.xml')}" in errors["unannounced"]
    assert "redirect loop" in errors["loop"]
    assert "/redirect/loop -> " in errors["loop"]
    assert "redirect loop" in errors["refresh"]
    assert "too many redirects (more than 20)" in errors["chain"]
    assert peak_mb < PEAK_MB, f"the crawl process peaked at {peak_mb:.0f} MB"
    # a page that sends one byte every 2 s ends at the download timeout (the whole download)
    assert "timed out" in errors["trickle"]

    # one entry with invalid UTF-8 does not change how the others decode
    utf8 = {i["external_id"]: i for i in by_name["utf8"]["items"]}
    assert set(utf8) == {*GOOD_ENTRIES, BAD_ENTRY}
    for guid, (title, text) in GOOD_ENTRIES.items():
        assert (utf8[guid]["title"], utf8[guid]["text"]) == (title, text)
    assert "\ufffd" in utf8[BAD_ENTRY]["title"]
    assert utf8[BAD_ENTRY]["title"].startswith("Slack bad ")

    # the short chain (3 redirects) is followed to the same feed
    assert by_name["short-chain"]["items_new"] == len(GOOD_ENTRIES) + 1

    # every hostile entry is kept (the storage layer cleans what the database refuses)
    assert len(by_name["hostile"]["items"]) == len(HOSTILE_FEED_IDS)
    assert "\ufffd" in by_name["hostile"]["items"][0]["external_id"]  # NUL & co. marked
    # the JSON API page with NUL, surrogates, bad bytes and over-long fields: all read
    assert len(by_name["hn"]["items"]) == len(HOSTILE_HIT_IDS)

    # what `grapevine status` shows
    summary = {s["name"]: s for s in status_summary(engine)["sources"]}
    assert limit in summary["bomb"]["error"]
    assert "redirect" in summary["loop"]["error"]


def test_max_page_mb_in_the_config_is_the_limit(tmp_path: Path) -> None:
    config = tmp_path / "grapevine.toml"
    config.write_text(
        '[brand]\nname = "Slack"\nterms = ["Slack"]\n\n[crawl]\nmax_page_mb = 1.5\n',
        encoding="utf-8",
    )
    wired = scrapy_settings(load_config(config))
    assert wired["DOWNLOAD_MAXSIZE"] == 1536 * 1024
    limits = {k: wired[k] for k in ("DOWNLOAD_MAXSIZE", "DOWNLOAD_WARNSIZE")}
    with HostileSite(huge_mb=2) as site:
        [huge, fine] = crawl(
            [feed("huge", site.url("/huge.xml")), feed("fine", site.url("/feed/bad-utf8.xml"))],
            {"GRAPEVINE_BRANDS": BRANDS, **limits},
        )
    assert huge["status"] == "failed"
    assert huge["error"] == f"page larger than 1.5 MB: {site.url('/huge.xml')}"
    assert fine["status"] == "ok", fine["error"]
