"""Recorded responses (tests/fixtures) and variants derived from them, for the spider tests.

Variants change only what a test needs (ids, dates, a pagination field, an edit) so that the
spiders still read the real recorded formats.
"""

import copy
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TRUSTPILOT = "trustpilot/review_calo.app_en_2026-02.html"
APPSTORE_JSON = "appstore/rss_customerreviews_jp_id375380948_2015-06.json"
APPSTORE_XML = "appstore/rss_customerreviews_jp_id375380948_2015-09.xml"
REDDIT_NEW = "reddit/r_askreddit_new_limit100_2016-03.json"
REDDIT_THREAD = "reddit/comments_3hahrw_limit10_2017-03.json"
HN_SEARCH = "hackernews/algolia_search_url-restricted_2020.json"
HN_ITEM = "hackernews/algolia_items_8828543_2020.json"
MASTODON_1 = "mastodon/timelines_tag_page1_localhost-testinstance.json"
MASTODON_2 = "mastodon/timelines_tag_page2_localhost-testinstance.json"
BLUESKY = "bluesky/searchPosts_q-redistricting_2025-05-19.json"
ALERTS = "rss/google_alerts_atom_slack.xml"
MICRODATA = "schemaorg/schemaorg_eg-0010_product_reviews_microdata.html"

_NEXT = re.compile(r'(<script id="__NEXT_DATA__"[^>]*>)(.*?)(</script>)', re.DOTALL)


def text(relative: str) -> str:
    """A fixture's text."""
    return (FIXTURES / relative).read_text(encoding="utf-8")


def load(relative: str) -> Any:
    """A JSON fixture, parsed."""
    return json.loads(text(relative))


def iso_shift(value: str | None, days: int) -> str | None:
    """An ISO time ``days`` earlier (``None`` stays ``None``)."""
    if not value:
        return value
    when = datetime.fromisoformat(value.replace("Z", "+00:00")) - timedelta(days=days)
    return when.isoformat().replace("+00:00", "Z")


def trustpilot_next_data(html: str) -> dict[str, Any]:
    """The ``__NEXT_DATA__`` of a Trustpilot page."""
    match = _NEXT.search(html)
    assert match
    return json.loads(match.group(2))


def trustpilot_with(html: str, data: dict[str, Any]) -> str:
    """The page with another ``__NEXT_DATA__``."""
    return _NEXT.sub(lambda m: m.group(1) + json.dumps(data) + m.group(3), html, count=1)


def trustpilot_page2() -> str:
    """Page 2 (the last): the same reviews two months older, new ids, one ``pending`` (old key)."""
    html = text(TRUSTPILOT)
    data = trustpilot_next_data(html)
    props = data["props"]["pageProps"]
    for review in props["reviews"]:
        review["id"] = review["id"][:-4] + "beef"
        for key in ("publishedDate", "experiencedDate"):
            review["dates"][key] = iso_shift(review["dates"][key], 60)
        if review.get("reply"):
            review["reply"]["publishedDate"] = iso_shift(review["reply"]["publishedDate"], 60)
    old = props["reviews"][0]
    del old["isPending"]
    old["pending"] = True
    props["filters"]["pagination"].update(currentPage=2, totalPages=2)
    return trustpilot_with(html, data)


def trustpilot_page1(*, total_pages: int = 2, edit_first: str | None = None) -> str:
    """Page 1 with ``total_pages`` pages; ``edit_first`` rewrites the newest review's text."""
    html = text(TRUSTPILOT)
    data = trustpilot_next_data(html)
    props = data["props"]["pageProps"]
    props["filters"]["pagination"]["totalPages"] = total_pages
    if edit_first is not None:
        first = props["reviews"][0]
        first["text"] = edit_first
        first["rating"] = 2
        first["dates"]["updatedDate"] = "2026-02-12T09:00:00.000Z"
    return trustpilot_with(html, data)


def trustpilot_jsonld_only() -> str:
    """The page without ``__NEXT_DATA__`` (the JSON-LD fallback must read it)."""
    return _NEXT.sub("", text(TRUSTPILOT), count=1)


def appstore_json_newer() -> dict[str, Any]:
    """The 2015 JSON feed as newer feeds are: no app entry, an ``updated`` per review."""
    data = load(APPSTORE_JSON)
    entries = [e for e in data["feed"]["entry"] if "im:rating" in e]
    start = datetime.fromisoformat("2015-06-18T07:00:00-07:00")
    for index, entry in enumerate(entries):
        entry["updated"] = {"label": (start - timedelta(hours=index)).isoformat()}
    data["feed"]["entry"] = entries
    return data


def reddit_page(after: str | None, *, shift_days: int = 0, prefix: str = "") -> dict[str, Any]:
    """The recorded r/AskReddit listing, optionally older and with other ids."""
    data = copy.deepcopy(load(REDDIT_NEW))
    data["data"]["after"] = after
    for child in data["data"]["children"]:
        post = child["data"]
        post["created_utc"] -= shift_days * 86400
        if prefix:
            post["id"] = prefix + post["id"]
            post["name"] = "t3_" + post["id"]
    return data


def hn_hits_from_item(limit: int = 30) -> dict[str, Any]:
    """A ``search_by_date`` answer holding comments of the recorded item tree, newest first."""
    tree = load(HN_ITEM)
    comments: list[dict[str, Any]] = []

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node.get("type") == "comment" and node.get("text"):
                comments.append(node)
            walk(node.get("children") or [])

    walk(tree["children"])
    comments.sort(key=lambda n: n["created_at_i"], reverse=True)
    hits = [
        {
            "created_at": n["created_at"],
            "created_at_i": n["created_at_i"],
            "author": n["author"],
            "comment_text": n["text"],
            "story_id": n["story_id"],
            "story_title": tree["title"],
            "parent_id": n["parent_id"],
            "points": None,
            "_tags": ["comment", f"author_{n['author']}", f"story_{n['story_id']}"],
            "objectID": str(n["id"]),
        }
        for n in comments[:limit]
    ]
    return {"hits": hits, "nbHits": len(hits), "page": 0, "nbPages": 1, "hitsPerPage": 100}


def appstore_xml_older(days: int, id_prefix: str) -> str:
    """The XML feed page with every review ``days`` older and other ids."""
    body = text(APPSTORE_XML)

    def shift(match: re.Match[str]) -> str:
        when = datetime.fromisoformat(match.group(1)) - timedelta(days=days)
        return f"<updated>{when.isoformat()}</updated>"

    body = re.sub(r"<updated>([^<]+)</updated>", shift, body)
    return re.sub(r"<id>(\d+)</id>", lambda m: f"<id>{id_prefix}{m.group(1)}</id>", body)


APPSTORE_EMPTY_XML = (
    '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns:im="http://itunes.apple.com/rss" '
    'xmlns="http://www.w3.org/2005/Atom" xml:lang="ja"><id>x</id><title>iTunes Store</title>'
    "</feed>"
)


def reddit_thread_comments() -> list[dict[str, Any]]:
    """Every t1 comment of the recorded thread, flattened."""
    thread = load(REDDIT_THREAD)
    out: list[dict[str, Any]] = []

    def walk(children: list[dict[str, Any]]) -> None:
        for child in children:
            if child["kind"] == "t1":
                out.append(child["data"])
                if child["data"]["replies"]:
                    walk(child["data"]["replies"]["data"]["children"])

    walk(thread[1]["data"]["children"])
    return out


def reddit_morechildren(count: int = 3) -> dict[str, Any]:
    """A ``/api/morechildren`` answer: recorded comments under new ids, plus one more stub."""
    things: list[dict[str, Any]] = []
    for index, comment in enumerate(reddit_thread_comments()[:count]):
        data = {**comment, "id": f"more{index}", "name": f"t1_more{index}", "replies": ""}
        things.append({"kind": "t1", "data": data})
    things.append({"kind": "more", "data": {"count": 0, "children": [], "id": "_"}})
    return {"json": {"errors": [], "data": {"things": things}}}


def reddit_comment_listing() -> dict[str, Any]:
    """``/r/<sub>/comments.json``: the recorded comments as a listing of t1 things."""
    children = []
    for comment in reddit_thread_comments():
        data = {**comment, "replies": "", "link_title": "Ba Dum Tsss"}
        children.append({"kind": "t1", "data": data})
    return {"kind": "Listing", "data": {"children": children, "after": None, "before": None}}


MASTODON_ARRIVALS = "mastodon/timelines_tag_larkwood_arrivals_synthetic.json"


class MastodonTimeline:
    """A hashtag timeline served as a Mastodon instance serves it, for a route of LocalServer.

    Statuses are kept in id order (newest first, as ``TagFeed#get``): ``max_id`` and
    ``since_id`` bound the page (``id < max_id``, ``id > since_id``), ``min_id`` gives the
    statuses just above it, ``limit`` is capped at ``cap`` (Mastodon caps it at 40). A page
    that is not empty carries ``Link`` ``next`` (``max_id`` = its last id) and ``prev``
    (``min_id`` = its first id) with ``limit`` only, like ``Api::V1::Timelines::TagController``
    — the server's links drop ``since_id``. :meth:`arrive` adds statuses as they reach the
    instance; each keeps the id the instance gave it.
    """

    def __init__(self, base: str, tag: str, statuses: list[dict[str, Any]], cap: int = 40):
        self.base = base
        self.path = f"/api/v1/timelines/tag/{tag}"
        self.statuses: list[dict[str, Any]] = []
        self.cap = cap
        self.arrive(statuses)

    def arrive(self, statuses: list[dict[str, Any]]) -> None:
        """Statuses that reached the instance (federated, backfilled or posted)."""
        self.statuses = sorted([*self.statuses, *statuses], key=lambda s: -int(s["id"]))

    def __call__(self, path: str) -> Any:
        from urllib.parse import parse_qs, urlparse

        from helpers.httpserver import Reply

        query = {k: v[0] for k, v in parse_qs(urlparse(path).query).items()}
        limit = min(int(query.get("limit", 20)), self.cap)
        rows = self.statuses
        if "max_id" in query:
            rows = [s for s in rows if int(s["id"]) < int(query["max_id"])]
        if "since_id" in query:
            rows = [s for s in rows if int(s["id"]) > int(query["since_id"])]
        if "min_id" in query:
            rows = [s for s in rows if int(s["id"]) > int(query["min_id"])][-limit:]
        page = rows[:limit]
        headers = {}
        if page:
            url = f"{self.base}{self.path}?limit={query.get('limit', 20)}"
            headers["Link"] = (
                f'<{url}&max_id={page[-1]["id"]}>; rel="next", '
                f'<{url}&min_id={page[0]["id"]}>; rel="prev"'
            )
        return Reply(json.dumps(page), headers=headers, content_type="application/json")


def trustpilot_reviews(count: int, newest: datetime, every: timedelta) -> list[dict[str, Any]]:
    """``count`` reviews cloned from the recorded page (new ids), ``every`` apart, newest first."""
    recorded = trustpilot_next_data(text(TRUSTPILOT))["props"]["pageProps"]["reviews"]
    reviews = []
    for n in range(count):
        review = copy.deepcopy(recorded[n % len(recorded)])
        review["id"] = f"{n:024x}"
        when = (newest - n * every).isoformat().replace("+00:00", "Z")
        review["dates"] = {**review["dates"], "publishedDate": when, "updatedDate": None}
        reviews.append(review)
    return reviews


class TrustpilotSite:
    """A company's review pages as Trustpilot serves them, 20 a page by publication (newest
    first), ``filters.pagination`` filled in; :meth:`publish` adds reviews as they appear
    (a review held for moderation appears late, under its own publication date)."""

    def __init__(self, reviews: list[dict[str, Any]]) -> None:
        self.html = text(TRUSTPILOT)
        self.reviews: list[dict[str, Any]] = []
        self.publish(reviews)

    def publish(self, reviews: list[dict[str, Any]]) -> None:
        """Reviews that became visible."""
        both = [*self.reviews, *reviews]
        self.reviews = sorted(both, key=lambda r: r["dates"]["publishedDate"], reverse=True)

    def __call__(self, path: str) -> Any:
        from urllib.parse import parse_qs, urlparse

        from helpers.httpserver import Reply

        page = int(parse_qs(urlparse(path).query).get("page", ["1"])[0])
        data = trustpilot_next_data(self.html)
        props = data["props"]["pageProps"]
        props["reviews"] = self.reviews[(page - 1) * 20 : page * 20]
        pages = max(1, -(-len(self.reviews) // 20))
        props["filters"]["pagination"].update(
            currentPage=page, totalPages=pages, totalCount=len(self.reviews)
        )
        return Reply(trustpilot_with(self.html, data))
