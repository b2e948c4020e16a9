"""`grapevine crawl` with all eight source types in one config, then `grapevine status --json`."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from crawler_sites import (
    ALERTS,
    APPSTORE_XML,
    BLUESKY,
    HN_SEARCH,
    MASTODON_1,
    MICRODATA,
    REDDIT_NEW,
    load,
    trustpilot_page1,
)
from helpers.httpserver import LocalServer, Reply
from test_mastodon import search_reply

CONFIG = """
[brand]
name = "Calo"
terms = ["Calo", "people", "toot"]

[[competitors]]
name = "Kenmore"
terms = ["Kenmore"]

[crawl]
download_delay = 0
autothrottle = false
retries = 0
progress_interval = 0.2

[[sources]]
name = "trustpilot"
type = "trustpilot"
domain = "calo.app"
base_url = "{base}"

[[sources]]
name = "app-reviews"
type = "appstore"
app_id = "375380948"
countries = ["jp"]
base_url = "{base}"
max_pages = 1

[[sources]]
name = "askreddit"
type = "reddit"
subreddits = ["askreddit"]
base_url = "{base}"
max_pages = 1

[[sources]]
name = "hn"
type = "hackernews"
query = "ssh"
base_url = "{base}"

[[sources]]
name = "toots"
type = "mastodon"
hashtags = ["gv"]
query = "calo"
token_env = "GV_TEST_MASTODON_TOKEN"
base_url = "{base}"

[[sources]]
name = "sky"
type = "bluesky"
query = "redistricting"
handle_env = "GV_TEST_BSKY_HANDLE"
password_env = "GV_TEST_BSKY_PASSWORD"
base_url = "{base}"
max_pages = 1

[[sources]]
name = "alerts"
type = "feed"
urls = ["{base}/alerts/feeds/1/2"]

[[sources]]
name = "microwaves"
type = "schemaorg"
brand = "Kenmore"
urls = ["{base}/product"]
"""


def grapevine(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grapevine", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, **env},
    )


def test_all_source_types_in_one_crawl(tmp_path: Path) -> None:
    routes: dict[str, Reply] = {
        "/review/calo.app?languages=all&sort=recency": Reply(trustpilot_page1(total_pages=1)),
        "/jp/rss/customerreviews/page=1/id=375380948/sortby=mostrecent/xml": Reply.fixture(
            APPSTORE_XML
        ),
        "/r/askreddit/new.json": Reply.fixture(REDDIT_NEW),
        "/api/v1/search_by_date": Reply.fixture(HN_SEARCH),
        "/api/v1/timelines/tag/gv": Reply.fixture(MASTODON_1),
        # the search finds a status the timeline has too (a search that never finds one is
        # reported: the server cannot search statuses)
        "/api/v2/search": lambda path: search_reply(path, load(MASTODON_1)[:1]),
        "/xrpc/com.atproto.server.createSession": Reply(
            '{"accessJwt": "jwt-e2e"}', content_type="application/json"
        ),
        "/xrpc/app.bsky.feed.searchPosts": Reply.fixture(BLUESKY),
        "/alerts/feeds/1/2": Reply.fixture(ALERTS),
        "/product": Reply.fixture(MICRODATA),
    }
    env = {
        "GV_TEST_MASTODON_TOKEN": "tok-e2e",
        "GV_TEST_BSKY_HANDLE": "me.bsky.social",
        "GV_TEST_BSKY_PASSWORD": "pw-e2e-secret",
    }
    with LocalServer(routes) as server:
        (tmp_path / "grapevine.toml").write_text(CONFIG.format(base=server.base_url))
        assert grapevine("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
        run = grapevine("crawl", "-v", cwd=tmp_path, env=env)
        log = list(server.log)
    output = run.stdout + run.stderr
    # three sources stop at max_pages=1 with more to read: partial (so exit 1), and they say so
    assert run.returncode == 1, output
    assert output.count("stopped at max_pages=1; the rest continues next run") >= 3, output
    assert "Traceback" not in output and "pw-e2e-secret" not in output
    assert "8 sources:" in run.stdout
    assert "  … " in run.stdout and " pages/" in run.stdout  # progress lines
    assert any(r.headers.get("Authorization") == "Bearer tok-e2e" for r in log)  # token_env
    assert any(r.headers.get("Authorization") == "Bearer jwt-e2e" for r in log)  # signed in

    status = grapevine("status", "--json", cwd=tmp_path, env=env)
    data = json.loads(status.stdout)
    sources = {s["name"]: s for s in data["sources"]}
    capped = ["app-reviews", "askreddit", "sky"]
    assert {name: s["last_status"] for name, s in sources.items()} == {
        **dict.fromkeys(["trustpilot", "hn", "toots", "alerts", "microwaves"], "ok"),
        **dict.fromkeys(capped, "partial"),
    }
    totals = {name: s["items_total"] for name, s in sources.items()}
    assert totals == {
        "trustpilot": 20,
        "app-reviews": 50,
        "askreddit": 6,  # "people" in the listing
        "hn": 4,
        "toots": 10,  # "toot" in the hashtag timeline
        "sky": 25,
        "alerts": 20,
        "microwaves": 2,
    }
    assert data["mentions"] == sum(totals.values())
    assert all(s["monitors"] == "5 checks passed" for s in sources.values()), sources
    assert data["open_cases"] >= 1
    # analysis and storage ran in the worker process (not the in-process fallback)
    with sqlite3.connect(tmp_path / "grapevine.db") as db:
        offloaded = [
            json.loads(stats).get("grapevine/batches_offloaded", 0)
            for (stats,) in db.execute("SELECT stats FROM crawl_run")
        ]
    assert len(offloaded) == 8
    assert all(n >= 1 for n in offloaded) or (os.cpu_count() or 1) < 2
