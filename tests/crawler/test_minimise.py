"""Minimised raw payloads and quiet logs: a real crawl (``grapevine crawl -v``, INFO) of
recorded pages stores only the raw fields the product uses, and its log holds no review
text, email or phone number."""

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from crawler_sites import ALERTS, BLUESKY, MICRODATA, trustpilot_page1
from helpers.httpserver import LocalServer, Reply
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.minimise import (
    DEFAULT_FIELDS,
    RAW_FIELDS,
    MinimisePipeline,
    minimise_raw,
    minimised,
)
from grapevine.config import parse_config
from grapevine.wiring import scrapy_settings

CONFIG = """
[brand]
name = "Calo"
terms = ["Calo", "redistricting", "microwave", "Kenmore"]

[crawl]
download_delay = 0
autothrottle = false
retries = 0

[retention]
keep_raw = {keep_raw}

[[sources]]
name = "trustpilot"
type = "trustpilot"
domain = "calo.app"
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
urls = ["{base}/product"]
"""
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def crawl(tmp_path: Path, *, keep_raw: bool = False) -> tuple[str, list[tuple[str, str, dict]]]:
    routes = {
        "/review/calo.app?languages=all&sort=recency": Reply(trustpilot_page1(total_pages=1)),
        "/xrpc/com.atproto.server.createSession": Reply(
            '{"accessJwt": "jwt-min"}', content_type="application/json"
        ),
        "/xrpc/app.bsky.feed.searchPosts": Reply.fixture(BLUESKY),
        "/alerts/feeds/1/2": Reply.fixture(ALERTS),
        "/product": Reply.fixture(MICRODATA),
    }
    env = {
        **os.environ,
        "GV_TEST_BSKY_HANDLE": "me.bsky.social",
        "GV_TEST_BSKY_PASSWORD": "pw-min",
    }
    with LocalServer(routes) as server:
        config = CONFIG.format(base=server.base_url, keep_raw=str(keep_raw).lower())
        (tmp_path / "grapevine.toml").write_text(config)
        for args in (["db", "upgrade"], ["crawl", "-v"]):
            run = subprocess.run(
                [sys.executable, "-m", "grapevine", *args],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=240,
                env=env,
            )
    with sqlite3.connect(tmp_path / "grapevine.db") as db:
        rows = [
            (t, text, json.loads(raw))
            for t, text, raw in db.execute("SELECT source_type, text, raw FROM mention")
        ]
    return run.stdout + run.stderr, rows


def test_a_crawl_keeps_only_the_raw_ids_and_logs_no_review_text(tmp_path: Path) -> None:
    log, rows = crawl(tmp_path, keep_raw=False)
    assert "INFO" in log and "Traceback" not in log, log[-2000:]
    assert {t for t, _, _ in rows} == {"trustpilot", "bluesky", "feed", "schemaorg"}, log[-2000:]
    for source_type, _, raw in rows:
        assert set(raw) <= RAW_FIELDS[source_type], (source_type, raw)
    assert any(raw for t, _, raw in rows if t == "bluesky")  # the reply connector's uri/cid
    texts = [text for _, text, _ in rows if len(text) >= 30]
    assert len(texts) >= 20
    leaked = [text[:60] for text in texts if text[:30] in log or text[-30:] in log]
    assert not leaked, leaked
    assert not EMAIL.findall(log)


def test_keep_raw_switches_the_pipeline_off(tmp_path: Path) -> None:
    base = {"brand": {"name": "Calo"}}
    for keep in (False, True):
        cfg = parse_config({**base, "retention": {"keep_raw": keep}}, tmp_path / "g.toml", env={})
        settings = scrapy_settings(cfg)
        assert settings["GRAPEVINE_KEEP_RAW"] is keep
        crawler = get_crawler(settings_dict=settings)
        if keep:
            with pytest.raises(NotConfigured):
                MinimisePipeline.from_crawler(crawler)
        else:
            assert isinstance(MinimisePipeline.from_crawler(crawler), MinimisePipeline)


def test_the_allow_list() -> None:
    raw = {"id": "t1", "consumer_id": "c9", "author_url": "https://x/u/ann", "source": ""}
    assert minimise_raw("trustpilot", raw) == {"id": "t1"}
    assert minimise_raw("brand-new-type", {"uri": "at://1", "handle": "ann"}) == {"uri": "at://1"}
    assert minimise_raw("schemaorg", {"@id": "#r1", "reviewBody": "Cold coffee"}) == {"@id": "#r1"}
    assert {"id", "uri", "cid"} >= DEFAULT_FIELDS
    item = {"source_type": "trustpilot", "text": "Cold", "raw": raw}
    assert minimised(item) == {**item, "raw": {"id": "t1"}} and item["raw"] is raw
