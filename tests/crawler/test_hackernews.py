"""The Hacker News spider on recorded Algolia answers: stories, comments, trees, paging."""

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

from crawler_sites import HN_ITEM, HN_SEARCH, hn_hits_from_item, load
from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply

BRANDS = [{"name": "SSH", "terms": ["SSH"], "exclusions": [], "is_competitor": False}]


def as_json(data: object) -> Reply:
    return Reply(json.dumps(data), content_type="application/json; charset=utf-8")


def search(path: str) -> Reply:
    """Page 0: the recorded stories (2 pages in all); page 1: recorded comments."""
    query = parse_qs(urlparse(path).query)
    if query.get("query") == ["ssh"]:
        if query.get("page") == ["1"]:
            return as_json({**hn_hits_from_item(), "page": 1, "nbPages": 2})
        return as_json({**load(HN_SEARCH), "nbPages": 2})
    return as_json({"hits": [], "nbHits": 0, "page": 0, "nbPages": 0})


def routes() -> dict[str, object]:
    stories = [hit["objectID"] for hit in load(HN_SEARCH)["hits"]]
    trees: dict[str, object] = {f"/api/v1/items/{i}": Reply(b"{}") for i in stories}
    trees["/api/v1/items/8828543"] = Reply.fixture(HN_ITEM)
    return {"/api/v1/search_by_date": search, **trees}


def test_stories_comments_pages_and_trees() -> None:
    with LocalServer(routes()) as server:  # type: ignore[arg-type]
        results = crawl(
            [
                {"name": "hn", "type": "hackernews", "query": "ssh", "base_url": server.base_url},
                {
                    "name": "hn-trees",
                    "type": "hackernews",
                    "query": "ssh",
                    "comments": True,
                    "max_pages": 1,
                    "base_url": server.base_url,
                },
                {
                    "name": "hn-quiet",
                    "type": "hackernews",
                    "query": "nothing",
                    "base_url": server.base_url,
                },
            ],
            {"GRAPEVINE_BRANDS": BRANDS},
        )
        asked = list(server.requests)
    by_name = {r["name"]: r for r in results}
    hn = by_name["hn"]
    assert hn["status"] == "ok", hn["error"]
    items = {i["external_id"]: i for i in hn["items"]}
    assert len(items) == 4 + 30  # the stories of page 0 and the comments of page 1
    story = items["8828543"]
    assert story["title"] == "Why aren’t we using SSH for everything?"
    assert story["url"] == "https://news.ycombinator.com/item?id=8828543"
    assert story["author"] == "dkua" and story["author_handle"] == "dkua" and story["reach"] == 270
    assert (
        story["metrics"]["link"] == "https://medium.com/@shazow/ssh-how-does-it-even-9e43586e4ffc"
    )
    assert story["published_at"] == datetime(2015, 1, 2, 21, 5, 46, tzinfo=UTC)
    comments = [i for i in hn["items"] if i["metrics"]["kind"] == "comment"]
    assert all("<" not in c["text"] for c in comments)  # HTML turned into text
    assert all(c["metrics"]["story"] == story["title"] for c in comments)
    first = parse_qs(urlparse(next(p for p in asked if "query=ssh" in p)).query)
    assert first["tags"] == ["(story,comment)"] and first["hitsPerPage"] == ["100"]

    trees = by_name["hn-trees"]
    # one tree is the recorded one; the other stories' answers have no tree: reported
    assert trees["status"] == "partial" and "not an Algolia item tree" in trees["error"]
    tree_comments = [i for i in trees["items"] if i["metrics"]["kind"] == "comment"]
    assert len(tree_comments) >= 90  # the recorded tree (104 nodes, deleted ones left out)
    reply = {i["external_id"]: i for i in tree_comments}["8829186"]
    assert reply["text"].startswith("Somewhat relevant: I think Mosh solves")
    assert "https://news.ycombinator.com/item?id=8252093" in reply["text"]

    quiet = by_name["hn-quiet"]
    assert quiet["status"] == "ok" and quiet["items"] == []  # nothing said is not an error
