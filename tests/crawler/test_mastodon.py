"""The Mastodon spider on the recorded hashtag timeline pages (Link-header paging) and search."""

import json
from datetime import UTC, datetime

from crawler_sites import MASTODON_1, MASTODON_2, load
from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply

TAG = "/api/v1/timelines/tag/gvtest"
BRANDS = [
    {"name": "Tooter", "terms": ["toot"], "exclusions": ["Toot number 21"], "is_competitor": False}
]


def routes(base: str) -> dict[str, Reply]:
    def page(fixture: str, next_max: str, prev_min: str) -> Reply:
        link = (
            f'<{base}{TAG}?limit=40&max_id={next_max}>; rel="next", '
            f'<{base}{TAG}?limit=40&min_id={prev_min}>; rel="prev"'
        )
        return Reply.fixture(fixture, headers={"Link": link})

    statuses = load(MASTODON_1)
    boost = {**statuses[1], "id": "999", "uri": "http://x/boost", "reblog": statuses[0]}
    return {
        f"{TAG}?limit=40": page(MASTODON_1, "117020582177108552", "117020582251615632"),
        f"{TAG}?limit=40&max_id=117020582177108552": page(
            MASTODON_2, "117020582097668259", "117020582169338211"
        ),
        f"{TAG}?limit=40&max_id=117020582097668259": Reply("[]", content_type="application/json"),
        "/api/v2/search": Reply(
            json.dumps({"accounts": [], "hashtags": [], "statuses": [boost, *statuses[2:5]]}),
            content_type="application/json",
        ),
    }


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
    [asked] = [r for r in log if r.path.startswith("/api/v2/search")]
    assert "q=numbers" in asked.path and "type=statuses" in asked.path
    assert asked.headers.get("Authorization") == "Bearer tok-123"
    texts = sorted(i["text"] for i in search["items"])
    assert len(texts) == 4 and texts[-1].startswith("Toot number 29!")  # the boost, unwrapped
