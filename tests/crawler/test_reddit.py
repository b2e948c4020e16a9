"""The Reddit spider on recorded listings and a recorded comment tree."""

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

from crawler_sites import (
    REDDIT_THREAD,
    load,
    reddit_comment_listing,
    reddit_morechildren,
    reddit_page,
)
from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply

BRANDS = [{"name": "Acme", "terms": ["people"], "exclusions": [], "is_competitor": False}]


def as_json(data: object) -> Reply:
    return Reply(json.dumps(data), content_type="application/json; charset=UTF-8")


def new_posts(path: str) -> Reply:
    """Three pages, chained by ``after``."""
    after = parse_qs(urlparse(path).query).get("after")
    if after == ["t3_48f6io"]:
        return as_json(reddit_page("t3_x2", shift_days=3, prefix="x"))
    if after == ["t3_x2"]:
        return as_json(reddit_page(None, shift_days=6, prefix="y"))
    return as_json(reddit_page("t3_48f6io"))


def routes() -> dict[str, object]:
    thread = load(REDDIT_THREAD)
    return {
        "/search.json": as_json(thread[0]),  # the recorded submission, as a one-post listing
        "/comments/3hahrw.json": as_json(thread),
        "/api/morechildren.json": as_json(reddit_morechildren()),
        "/r/AskReddit/new.json": new_posts,
        "/r/AskReddit/comments.json": as_json(reddit_comment_listing()),
    }


def sources(server: LocalServer) -> list[dict[str, object]]:
    return [
        {
            "name": "reddit-search",
            "type": "reddit",
            "query": "ba dum tsss",
            "comments": True,
            "more_comments": 1,
            "base_url": server.base_url,
        },
        {
            "name": "reddit-subs",
            "type": "reddit",
            "subreddits": ["AskReddit"],
            "comments": True,
            "base_url": server.base_url,
        },
    ]


def test_search_threads_subreddits_and_comments() -> None:
    with LocalServer(routes()) as server:  # type: ignore[arg-type]
        results = crawl(sources(server), {"GRAPEVINE_BRANDS": BRANDS})
        asked = list(server.requests)
    by_name = {r["name"]: r for r in results}
    search = by_name["reddit-search"]
    assert search["status"] == "ok", search["error"]
    items = {i["external_id"]: i for i in search["items"]}
    post = items["t3_3hahrw"]
    assert post["title"] == "Ba Dum Tsss" and post["text"] == "Ba Dum Tsss"  # a link post
    assert post["url"] == "https://www.reddit.com/r/funny/comments/3hahrw/ba_dum_tsss/"
    assert post["author"] == "your_local_librarian" and post["reach"] == 29790
    assert post["metrics"]["comments"] == 537 and post["metrics"]["link"].endswith(".gifv")
    assert post["published_at"] == datetime.fromtimestamp(1439797480, UTC)
    # the whole tree: top-level comments and nested replies, kept without brand matching
    nested = items["t1_cu5tgzu"]
    assert nested["metrics"]["depth"] == 2 and nested["reach"] == 230
    assert nested["text"].startswith(">I have a glandular problem!")
    assert nested["url"] == "https://www.reddit.com/r/funny/comments/3hahrw/_/cu5tgzu/"
    assert (
        items["t1_cu5th6m"]["author"] == "[deleted]" and "author_handle" not in items["t1_cu5th6m"]
    )
    assert len([i for i in items if i.startswith("t1_cu")]) == 10
    # one morechildren request expanded the first 100 of the 200 stub ids
    more = [p for p in asked if p.startswith("/api/morechildren.json")]
    assert (
        len(more) == 1 and len(parse_qs(urlparse(more[0]).query)["children"][0].split(",")) == 100
    )
    assert {"t1_more0", "t1_more1", "t1_more2"} <= set(items)

    subs = by_name["reddit-subs"]
    assert subs["status"] == "ok", subs["error"]
    assert sum("/r/AskReddit/new.json" in p for p in asked) == 3  # followed ``after`` twice
    titles = [i["title"] for i in subs["items"] if i["external_id"].startswith("t3_")]
    # a subreddit lists everything: only posts naming the brand ("people") are kept
    assert len(titles) == 18
    assert all("people" in (i["title"] + i["text"]).lower() for i in subs["items"])
    assert all(i["brand"] == "Acme" for i in subs["items"])
