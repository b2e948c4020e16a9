"""Broken sources fail with a readable reason in their CrawlRun, and the others go on.

One crawl, many sources: HTTP 500, 429 with Retry-After (honoured, then too long), a timeout,
truncated and malformed JSON, an HTML page in place of JSON, a dropped connection, and a
healthy source beside them.
"""

from pathlib import Path

from crawler_sites import ALERTS, HN_SEARCH, MASTODON_1, REDDIT_NEW, text
from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply
from sqlalchemy import select

from storage import make_engine, upgrade
from storage.models import CrawlRun
from storage.queries import status_summary

BRANDS = [{"name": "Slack", "terms": ["Slack"], "exclusions": [], "is_competitor": False}]
JSON = "application/json"


def test_each_failure_is_recorded_with_its_reason(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    engine = make_engine(url)
    upgrade(engine)
    routes: dict[str, object] = {
        "/r/down/new.json": Reply("oops", status=500, content_type="text/plain"),
        "/busy/api/v1/timelines/tag/x": [
            Reply('{"error":"Too many requests"}', status=429, headers={"Retry-After": "1"}),
            Reply.fixture(MASTODON_1),
        ],
        "/slow/api/v1/search_by_date": Reply("{}", status=429, headers={"Retry-After": "3600"}),
        "/jp/rss/customerreviews/page=1/id=1/sortby=mostrecent/json": Reply(
            "{}", delay=5, content_type=JSON
        ),
        "/cut/api/v1/search_by_date": Reply(text(HN_SEARCH)[:1500], content_type=JSON),
        "/xrpc/app.bsky.feed.searchPosts": Reply(
            "<!DOCTYPE html><html><body>Sign in to continue</body></html>"
        ),
        "/r/mangled/new.json": Reply('{"kind": Listing, "data": {}}', content_type=JSON),
        "/r/dropped/new.json": Reply(text(REDDIT_NEW), content_type=JSON, truncate_at=4000),
        "/alerts/feeds/1/2": Reply.fixture(ALERTS),
    }
    with LocalServer(routes) as server:  # type: ignore[arg-type]
        base = server.base_url
        sources = [
            {"name": "down", "type": "reddit", "subreddits": ["down"]},
            {"name": "busy", "type": "mastodon", "hashtags": ["x"], "base_url": base + "/busy"},
            {"name": "slow", "type": "hackernews", "query": "q", "base_url": base + "/slow"},
            {
                "name": "stuck",
                "type": "appstore",
                "app_id": "1",
                "countries": ["jp"],
                "format": "json",
            },
            {"name": "cut", "type": "hackernews", "query": "q", "base_url": base + "/cut"},
            {"name": "walled", "type": "bluesky", "query": "q"},
            {"name": "mangled", "type": "reddit", "subreddits": ["mangled"]},
            {"name": "dropped", "type": "reddit", "subreddits": ["dropped"]},
            {"name": "alerts", "type": "feed", "urls": [base + "/alerts/feeds/1/2"]},
        ]
        for source in sources:
            source.setdefault("base_url", base)
        results = crawl(
            sources,
            {"GRAPEVINE_DATABASE_URL": url, "GRAPEVINE_BRANDS": BRANDS, "DOWNLOAD_TIMEOUT": 2},
        )
        log = list(server.log)
    by_name = {r["name"]: r for r in results}
    status = {r["name"]: r["status"] for r in results}
    assert status == {
        "down": "failed",
        "busy": "ok",
        "slow": "failed",
        "stuck": "failed",
        "cut": "failed",
        "walled": "failed",
        "mangled": "failed",
        "dropped": "failed",
        "alerts": "ok",
    }, {r["name"]: r["error"] for r in results}
    assert "HTTP 500 ×1" in by_name["down"]["error"]
    assert "gave up after retries" in by_name["down"]["error"]
    # 429 with Retry-After: 1 — waited a second, then read the page
    busy = [r.at for r in log if r.path.startswith("/busy/api/")]
    assert len(busy) == 2 and busy[1] - busy[0] >= 0.95
    assert by_name["busy"]["error"] is None
    assert "asked to wait 3600 s" in by_name["slow"]["error"]
    assert "HTTP 429 (rate limited)" in by_name["slow"]["error"]
    assert "timed out" in by_name["stuck"]["error"]
    assert "truncated JSON" in by_name["cut"]["error"]
    assert "an HTML page where JSON was expected" in by_name["walled"]["error"]
    assert "malformed JSON" in by_name["mangled"]["error"]
    assert "response cut short" in by_name["dropped"]["error"]
    assert "gave up after retries" in by_name["dropped"]["error"]
    assert by_name["alerts"]["items_new"] == 20

    # what `grapevine status` and the dashboard read
    summary = {s["name"]: s for s in status_summary(engine)["sources"]}
    assert "truncated JSON" in summary["cut"]["error"]
    assert summary["alerts"]["monitors"] == "5 checks passed"
    with engine.connect() as conn:
        runs = {r.source: r for r in conn.execute(select(CrawlRun.__table__))}  # type: ignore[attr-defined]
    assert any("Error count" in m for m in runs["walled"].monitors["failed"])
    assert runs["busy"].stats["grapevine/retry_after_honoured"] == 1


def test_a_download_error_no_retry_covers_fails_the_source() -> None:
    """Scrapy counts such an error in its stats and logs it; the source used to stay ok."""
    [result] = crawl(
        [{"name": "gopher", "type": "feed", "urls": ["gopher://127.0.0.1:9/feed"]}],
        {"GRAPEVINE_BRANDS": BRANDS},
    )
    assert result["status"] == "failed"
    assert "unsupported URL scheme: gopher://127.0.0.1:9/feed" in result["error"]
