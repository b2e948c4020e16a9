"""The Bluesky spider on the recorded searchPosts answer: public and signed-in, cursor paging."""

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from crawler_sites import BLUESKY, load
from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply

from storage import make_engine, upgrade

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
SESSION = "/xrpc/com.atproto.server.createSession"
PASSWORD = "app-pass-7f3k-q9zz"
BRANDS = [{"name": "Maps", "terms": ["redistricting"], "exclusions": [], "is_competitor": False}]


def older_page() -> dict[str, object]:
    data = load(BLUESKY)
    for post in data["posts"]:
        post["uri"] += "x"
        post["record"]["createdAt"] = post["record"]["createdAt"].replace(
            "2025-05-19", "2025-05-12"
        )
    data.pop("cursor")
    return data


def search(path: str) -> Reply:
    query = parse_qs(urlparse(path).query)
    body = older_page() if query.get("cursor") == ["25"] else load(BLUESKY)
    return Reply(json.dumps(body), content_type="application/json")


def session(path: str) -> Reply:
    return Reply(
        json.dumps({"accessJwt": "jwt-abc", "did": "did:plc:me"}), content_type="application/json"
    )


def test_public_and_signed_in_search(capfd: pytest.CaptureFixture[str]) -> None:
    with LocalServer({SEARCH: search, SESSION: session}) as server:  # type: ignore[dict-item]
        results = crawl(
            [
                {
                    "name": "sky",
                    "type": "bluesky",
                    "query": "redistricting",
                    "base_url": server.base_url,
                },
                {
                    "name": "sky-signed-in",
                    "type": "bluesky",
                    "query": "redistricting",
                    "handle": "me.bsky.social",
                    "password": PASSWORD,
                    "max_pages": 1,
                    "base_url": server.base_url,
                },
            ],
            {"GRAPEVINE_BRANDS": BRANDS, "LOG_LEVEL": "DEBUG"},
            scrapy_logging=True,
        )
        log = list(server.log)
    by_name = {r["name"]: r for r in results}
    sky = by_name["sky"]
    assert sky["status"] == "ok", sky["error"]
    assert len(sky["items"]) == 50  # 25 posts, then the cursor's 25 older ones
    [post] = [
        i for i in sky["items"] if i["external_id"].endswith("/app.bsky.feed.post/3lpica7sxmk2u")
    ]
    assert post["url"] == "https://bsky.app/profile/mcpli.bsky.social/post/3lpica7sxmk2u"
    assert post["author_handle"] == "mcpli.bsky.social" and post["language"] == "en"
    assert post["reach"] == 58 and post["metrics"]["likes"] == 58
    assert post["published_at"] == datetime(2025, 5, 19, 0, 16, 50, 191000, tzinfo=UTC)
    public = [r for r in log if r.path.startswith(SEARCH) and "Authorization" not in r.headers]
    assert "sort=latest" in public[0].path and "q=redistricting" in public[0].path

    signed = by_name["sky-signed-in"]
    # max_pages=1 with a cursor to more: partial, with the reason
    assert signed["status"] == "partial" and len(signed["items"]) == 25
    assert signed["error"] == "stopped at max_pages=1; the rest continues next run"
    [login] = [r for r in log if r.path == SESSION]
    assert login.method == "POST" and json.loads(login.body)["identifier"] == "me.bsky.social"
    assert any(r.headers.get("Authorization") == "Bearer jwt-abc" for r in log)
    # the app password never reaches a log line, even at DEBUG
    out = capfd.readouterr()
    assert "Crawled (200)" in out.err + out.out and PASSWORD not in out.err + out.out


def test_refusals_are_reported_with_a_hint(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    upgrade(make_engine(url))
    routes = {
        SEARCH: Reply('{"error":"AuthMissing"}', status=403, content_type="application/json"),
        SESSION: Reply(
            '{"error":"AuthenticationRequired"}', status=401, content_type="application/json"
        ),
    }
    with LocalServer(routes) as server:
        results = crawl(
            [
                {"name": "a", "type": "bluesky", "query": "x", "base_url": server.base_url},
                {
                    "name": "b",
                    "type": "bluesky",
                    "query": "x",
                    "handle": "me",
                    "password": "wrong",
                    "base_url": server.base_url,
                },
            ],
            {"GRAPEVINE_DATABASE_URL": url, "GRAPEVINE_BRANDS": BRANDS},
        )
    by_name = {r["name"]: r for r in results}
    assert by_name["a"]["status"] == "failed"
    assert "HTTP 403" in by_name["a"]["error"] and "handle_env" in by_name["a"]["error"]
    assert by_name["b"]["status"] == "failed" and "sign-in refused" in by_name["b"]["error"]
