"""The Mastodon spider on the recorded hashtag timeline pages (Link-header paging) and search."""

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

from crawler_sites import MASTODON_1, MASTODON_2, MASTODON_ARRIVALS, MastodonTimeline, load
from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply

TAG = "/api/v1/timelines/tag/gvtest"
BRANDS = [
    {"name": "Tooter", "terms": ["toot"], "exclusions": ["Toot number 21"], "is_competitor": False}
]


def routes(base: str) -> dict[str, Any]:
    """The recorded 20 statuses as the test instance served them (pages of 10), and search."""
    statuses = load(MASTODON_1)
    boost = {
        **statuses[1],
        "id": "117020582260000000",
        "uri": "http://x/boost",
        "reblog": statuses[0],
    }
    return {
        TAG: MastodonTimeline(base, "gvtest", [*statuses, *load(MASTODON_2)], cap=10),
        "/api/v2/search": lambda path: search_reply(path, [boost, *statuses[2:5]]),
    }


def search_reply(path: str, statuses: list[Any]) -> Reply:
    """``/api/v2/search``: the statuses below ``max_id`` (Mastodon's id range filter)."""
    query = parse_qs(urlparse(path).query)
    below = int(query["max_id"][0]) if "max_id" in query else None
    found = [s for s in statuses if below is None or int(s["id"]) < below]
    return Reply(
        json.dumps({"accounts": [], "hashtags": [], "statuses": found}),
        content_type="application/json",
    )


def sources(base: str) -> list[dict[str, object]]:
    return [
        {"name": "toots", "type": "mastodon", "base_url": base, "hashtags": ["#gvtest"]},
        {
            "name": "toot-search",
            "type": "mastodon",
            "base_url": base,
            "query": "numbers",
            "token": "tok-123",
        },
    ]


def test_hashtag_pages_matching_and_signed_in_search() -> None:
    with LocalServer() as server:
        server.routes.update(routes(server.base_url))
        results = crawl(sources(server.base_url), {"GRAPEVINE_BRANDS": BRANDS})
        log = list(server.log)
    by_name = {r["name"]: r for r in results}
    toots = by_name["toots"]
    assert toots["status"] == "ok", toots["error"]
    assert sum(TAG in r.path for r in log) == 3  # two pages, then an empty one
    items = {i["text"]: i for i in toots["items"]}
    # 20 statuses; "Toot number 21" is an exclusion
    assert len(items) == 19 and not any(t.startswith("Toot number 21!") for t in items)
    first = items["Toot number 29! #fgiztsshwiaqqiztpmmjbtvmescsculuvmgjgopwoeidbcrixp"]
    assert first["external_id"].startswith("http://localhost:3000/ap/users/117020566092212359/")
    assert first["url"] == "http://localhost:3000/@mastodonpy_test_2/117020582251615632"
    assert (
        first["author_handle"] == "mastodonpy_test_2@127.0.0.1:" + server.base_url.rsplit(":", 1)[1]
    )
    assert first["language"] == "ja" and first["reach"] == 0
    assert first["metrics"] == {
        "followers": 0,
        "replies": 0,
        "reblogs": 0,
        "favourites": 0,
        "quotes": 0,
    }
    assert first["published_at"] == datetime(2026, 8, 1, 13, 53, 0, 550000, tzinfo=UTC)

    search = by_name["toot-search"]
    assert search["status"] == "ok", search["error"]
    # newest first, then below the last id read (an empty page ends the search)
    asked, after = [r for r in log if r.path.startswith("/api/v2/search")]
    assert "q=numbers" in asked.path and "type=statuses" in asked.path
    assert "max_id=" not in asked.path and "max_id=" in after.path
    # below the second after the last status (Mastodon 4 searches before:"<that second>")
    last = int(load(MASTODON_1)[4]["id"])
    assert f"max_id={((last >> 16) + 1000) << 16}" in after.path
    assert asked.headers.get("Authorization") == "Bearer tok-123"
    texts = sorted(i["text"] for i in search["items"])
    assert len(texts) == 4 and texts[-1].startswith("Toot number 29!")  # the boost, unwrapped


def test_content_warning_stays_text_and_a_search_the_server_cannot_do_is_reported() -> None:
    run1 = load(MASTODON_ARRIVALS)["run1"]
    brands = [{"name": "Larkwood", "terms": ["larkwood"], "exclusions": [], "is_competitor": False}]
    empty = json.dumps({"accounts": [], "hashtags": [], "statuses": []})
    with LocalServer() as server:
        base = server.base_url
        server.routes.update(
            {
                "/api/v1/timelines/tag/larkwood": MastodonTimeline(base, "larkwood", run1),
                # Mastodon without Elasticsearch: an answer, and never a status
                "/api/v2/search": Reply(empty, content_type="application/json"),
                "/locked/api/v2/search": Reply(
                    json.dumps({"error": "This action is not allowed"}),
                    status=403,
                    content_type="application/json",
                ),
            }
        )
        common = {"type": "mastodon", "token": "tok"}
        results = crawl(
            [
                {**common, "name": "tag", "base_url": base, "hashtags": ["larkwood"]},
                {**common, "name": "no-fts", "base_url": base, "query": "larkwood refund"},
                {**common, "name": "locked", "base_url": base + "/locked", "query": "larkwood"},
                {**common, "name": "hash", "base_url": base, "query": "#larkwood"},
            ],
            {"GRAPEVINE_BRANDS": brands},
        )
    by_name = {r["name"]: r for r in results}
    [warned] = [i for i in by_name["tag"]["items"] if "charged me twice" in i["text"]]
    # the content warning is text: "<support>" is kept, not dropped as a tag
    assert "Refund <support> thread" in warned["text"]
    assert "<em>" not in warned["text"] and "waiting on support" in warned["text"]
    for name in ("no-fts", "locked", "hash"):
        assert by_name[name]["status"] == "failed", name
        assert "this server cannot search statuses; use hashtags" in by_name[name]["error"]
    assert "HTTP 403" in by_name["locked"]["error"]
    assert "never found a status" in by_name["no-fts"]["error"]


def test_max_items_stops_between_pages_and_says_so() -> None:
    backlog = load(MASTODON_ARRIVALS)["backlog"]  # 25 statuses, pages of 10
    brands = [{"name": "Larkwood", "terms": ["larkwood"], "exclusions": [], "is_competitor": False}]
    with LocalServer() as server:
        timeline = MastodonTimeline(server.base_url, "larkwood", backlog, cap=10)
        server.routes[timeline.path] = timeline
        spec = {"name": "lark", "type": "mastodon", "base_url": server.base_url}
        [result] = crawl(
            [{**spec, "hashtags": ["larkwood"], "max_items": 15}], {"GRAPEVINE_BRANDS": brands}
        )
    # the cap is checked between pages: page 2 is read whole, page 3 waits for the next run
    assert result["status"] == "partial" and len(result["items"]) == 20
    assert result["error"] == "stopped at max_items=15; the rest continues next run"
