"""A local site in the shapes of the real sources, for the crawl benchmark.

Every page is generated up front (deterministically, from a seed) and served as bytes by a
threaded HTTP server on 127.0.0.1, so the server is never the bottleneck of the crawl it
serves. The shapes follow the recorded responses in tests/fixtures: Trustpilot review pages
(``__NEXT_DATA__``), Apple's customer-review XML feed, Reddit listings (``after``), Algolia's
``search_by_date`` (``page``), Mastodon hashtag timelines (``Link: rel=next``), Bluesky
``searchPosts`` (``cursor``), RSS feeds and schema.org JSON-LD pages (``rel=next``).
"""

import json
import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

BRAND = "Larkwood"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
OPENERS = [
    "Ordered the house blend from Larkwood",
    "Larkwood Coffee delivery",
    "My Larkwood subscription",
    "Tried the new Larkwood espresso",
    "Support at Larkwood",
    "A friend recommended the beans",
]
MIDDLES = [
    "arrived two days late and the bag was torn",
    "tastes wonderful, rich and smooth",
    "still waiting for my refund, three weeks now",
    "was charged twice this month",
    "came quickly and the packaging was lovely",
    "the app keeps logging me out",
    "is fine, nothing special",
    "the grinder setting advice was spot on",
]
CLOSERS = [
    "Will order again.",
    "Very disappointed.",
    "Please fix this.",
    "Five stars from me!",
    "Not sure I will stay.",
    "",
]


def _text(rng: random.Random, brand_share: float = 1.0) -> str:
    opener = rng.choice(OPENERS)
    if rng.random() > brand_share:
        opener = opener.replace("Larkwood Coffee", "The shop").replace("Larkwood", "the shop")
    sentences = [f"{opener} {rng.choice(MIDDLES)}.", rng.choice(CLOSERS)]
    if rng.random() < 0.5:
        sentences.append(f"{rng.choice(MIDDLES).capitalize()}.")
    return " ".join(s for s in sentences if s)


@dataclass
class Site:
    """All pages of the benchmark site, by path-with-query, and the sources that read them."""

    pages: dict[str, tuple[bytes, str, dict[str, str]]] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)

    def add(self, path: str, body: str, ctype: str, headers: dict[str, str] | None = None) -> None:
        """One page."""
        self.pages[path] = (body.encode("utf-8"), ctype, headers or {})


def _time(chain: int, index: int) -> datetime:
    return NOW - timedelta(minutes=7 * index + chain)


def build(scale: int = 1, seed: int = 7) -> Site:
    """The site: about 2,400 pages at ``scale`` 1."""
    rng = random.Random(seed)
    site = Site()
    _trustpilot(site, rng, domains=5 * scale, pages=60)
    _appstore(site, rng, countries=30 * scale)
    _reddit(site, rng, subs=4 * scale, pages=75)
    _hackernews(site, rng, queries=3 * scale, pages=100)
    _mastodon(site, rng, tags=3 * scale, pages=100)
    _bluesky(site, rng, queries=3 * scale, pages=100)
    _feeds(site, rng, feeds=150 * scale)
    _schemaorg(site, rng, chains=3 * scale, pages=50)
    return site


def _trustpilot(site: Site, rng: random.Random, domains: int, pages: int) -> None:
    for d in range(domains):
        domain = f"shop{d}.example"
        for page in range(1, pages + 1):
            reviews = []
            for k in range(20):
                i = (page - 1) * 20 + k
                reply = (
                    {"message": "Sorry to hear that, we are on it.", "publishedDate": None}
                    if rng.random() < 0.3
                    else None
                )
                reviews.append(
                    {
                        "id": f"{d:04d}{i:020x}",
                        "isPending": False,
                        "text": _text(rng),
                        "title": rng.choice(MIDDLES).capitalize(),
                        "rating": rng.randint(1, 5),
                        "likes": rng.randint(0, 9),
                        "language": "en",
                        "dates": {"publishedDate": _time(d, i).isoformat(), "updatedDate": None},
                        "consumer": {
                            "id": f"c{i}",
                            "displayName": f"Reviewer {i}",
                            "countryCode": "GB",
                        },
                        "reply": reply,
                    }
                )
            data = {
                "props": {
                    "pageProps": {
                        "reviews": reviews,
                        "filters": {"pagination": {"currentPage": page, "totalPages": pages}},
                    }
                }
            }
            query = {"languages": "all", "page": page if page > 1 else None, "sort": "recency"}
            path = f"/review/{domain}?" + urlencode({k: v for k, v in query.items() if v})
            body = (
                '<!DOCTYPE html><html><head><script id="__NEXT_DATA__" type="application/json">'
                + json.dumps(data)
                + "</script></head><body><h1>Reviews</h1></body></html>"
            )
            site.add(path, body, "text/html; charset=utf-8")
        site.sources.append({"name": f"tp-{d}", "type": "trustpilot", "domain": domain})


def _appstore(site: Site, rng: random.Random, countries: int) -> None:
    for c in range(countries):
        cc = f"c{c}"
        for page in range(1, 11):
            entries = []
            for k in range(50):
                i = (page - 1) * 50 + k
                entries.append(
                    f"<entry><updated>{_time(c, i).isoformat()}</updated><id>{c}{i:07d}</id>"
                    f"<title>{escape(rng.choice(MIDDLES))}</title>"
                    f'<content type="text">{escape(_text(rng))}</content>'
                    f"<im:voteSum>0</im:voteSum><im:voteCount>{rng.randint(0, 5)}</im:voteCount>"
                    f"<im:rating>{rng.randint(1, 5)}</im:rating><im:version>4.2</im:version>"
                    f"<author><name>user{i}</name><uri>https://example/u{i}</uri></author></entry>"
                )
            body = (
                '<?xml version="1.0" encoding="utf-8"?>\n'
                '<feed xmlns:im="http://itunes.apple.com/rss"'
                ' xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
                "<id>x</id><title>Reviews</title>"
                f'<link rel="last" href="https://x/{cc}/rss/customerreviews/page=10/id=1/sortby=mostrecent/xml"/>'
                + "".join(entries)
                + "</feed>"
            )
            path = f"/{cc}/rss/customerreviews/page={page}/id=1/sortby=mostrecent/xml"
            site.add(path, body, "application/xml")
    site.sources.append(
        {
            "name": "apps",
            "type": "appstore",
            "app_id": "1",
            "countries": [f"c{c}" for c in range(countries)],
        }
    )


def _reddit(site: Site, rng: random.Random, subs: int, pages: int) -> None:
    for s in range(subs):
        sub = f"sub{s}"
        for page in range(pages):
            children = []
            for k in range(25):
                i = page * 25 + k
                children.append(
                    {
                        "kind": "t3",
                        "data": {
                            "id": f"{sub}{i}",
                            "name": f"t3_{sub}{i}",
                            "title": rng.choice(OPENERS),
                            "selftext": _text(rng, brand_share=0.6),
                            "author": f"redditor{i}",
                            "score": rng.randint(0, 500),
                            "num_comments": rng.randint(0, 40),
                            "permalink": f"/r/{sub}/comments/{i}/post/",
                            "created_utc": _time(s, i).timestamp(),
                            "is_self": True,
                            "subreddit": sub,
                        },
                    }
                )
            after = f"t3_{sub}p{page + 1}" if page + 1 < pages else None
            body = json.dumps({"kind": "Listing", "data": {"children": children, "after": after}})
            query = {"limit": 100, "raw_json": 1}
            if page:
                query["after"] = f"t3_{sub}p{page}"  # type: ignore[assignment]
            site.add(f"/r/{sub}/new.json?" + urlencode(query), body, "application/json")
        site.sources.append({"name": f"reddit-{s}", "type": "reddit", "subreddits": [sub]})


def _hackernews(site: Site, rng: random.Random, queries: int, pages: int) -> None:
    for q in range(queries):
        query = f"larkwood{q}"
        for page in range(pages):
            hits = []
            for k in range(20):
                i = page * 20 + k
                when = _time(q, i)
                hits.append(
                    {
                        "objectID": f"{q}{i:06d}",
                        "created_at": when.isoformat(),
                        "created_at_i": int(when.timestamp()),
                        "author": f"hacker{i}",
                        "comment_text": f"<p>{escape(_text(rng))}</p>",
                        "story_title": "Ask HN: coffee subscriptions?",
                        "_tags": ["comment"],
                    }
                )
            body = json.dumps({"hits": hits, "page": page, "nbPages": pages, "hitsPerPage": 20})
            params = {
                "query": query,
                "tags": "(story,comment)",
                "hitsPerPage": 100,
                "page": page,
            }
            site.add("/api/v1/search_by_date?" + urlencode(params), body, "application/json")
        site.sources.append({"name": f"hn-{q}", "type": "hackernews", "query": query})


def _mastodon(site: Site, rng: random.Random, tags: int, pages: int) -> None:
    for t in range(tags):
        tag = f"coffee{t}"
        previous = ""
        for page in range(pages):
            statuses: list[dict[str, Any]] = []
            for k in range(20):
                i = page * 20 + k
                statuses.append(
                    {
                        # newest first, ids falling with age (time-ordered, as Mastodon's)
                        "id": f"{t + 1}{10**8 - i:09d}",
                        "uri": f"https://masto.example/statuses/{t}-{i}",
                        "url": f"https://masto.example/@u{i}/{t}-{i}",
                        "created_at": _time(t, i).isoformat(),
                        "content": f"<p>{escape(_text(rng, brand_share=0.6))} #{tag}</p>",
                        "language": "en",
                        "account": {
                            "acct": f"u{i}",
                            "display_name": f"U {i}",
                            "followers_count": i,
                        },
                        "replies_count": 0,
                        "reblogs_count": 1,
                        "favourites_count": 2,
                    }
                )
            headers = {}
            base = f"/api/v1/timelines/tag/{tag}?limit=40"
            # paged by max_id = the oldest id of the page before, as the real API is
            if page + 1 < pages:
                headers["Link"] = f'<{base}&max_id={statuses[-1]["id"]}>; rel="next"'
            path = base if page == 0 else f"{base}&max_id={previous}"
            site.add(path, json.dumps(statuses), "application/json", headers)
            previous = str(statuses[-1]["id"])
        site.sources.append({"name": f"masto-{t}", "type": "mastodon", "hashtags": [tag]})


def _bluesky(site: Site, rng: random.Random, queries: int, pages: int) -> None:
    for q in range(queries):
        query = f"larkwood {q}"
        for page in range(pages):
            posts = []
            for k in range(25):
                i = page * 25 + k
                posts.append(
                    {
                        "uri": f"at://did:plc:u{i}/app.bsky.feed.post/{q}k{i}",
                        "author": {"did": f"did:plc:u{i}", "handle": f"u{i}.bsky.social"},
                        "record": {
                            "text": _text(rng),
                            "createdAt": _time(q, i).isoformat(),
                            "langs": ["en"],
                        },
                        "likeCount": rng.randint(0, 50),
                        "repostCount": 0,
                        "replyCount": 0,
                    }
                )
            body: dict[str, Any] = {"posts": posts}
            if page + 1 < pages:
                body["cursor"] = str(page + 1)
            params = {"q": query, "sort": "latest", "limit": 100}
            if page:
                params["cursor"] = str(page)
            site.add(
                "/xrpc/app.bsky.feed.searchPosts?" + urlencode(params),
                json.dumps(body),
                "application/json",
            )
        site.sources.append({"name": f"sky-{q}", "type": "bluesky", "query": query})


def _feeds(site: Site, rng: random.Random, feeds: int) -> None:
    urls = []
    for f in range(feeds):
        items = "".join(
            f"<item><title>{escape(rng.choice(OPENERS))}</title><link>https://news.example/{f}/{i}</link>"
            f"<guid>https://news.example/{f}/{i}</guid>"
            f"<description>{escape(_text(rng, 0.6))}</description>"
            f"<pubDate>{_time(f, i).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
            for i in range(15)
        )
        body = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
            f"<link>https://news.example/</link>{items}</channel></rss>"
        )
        site.add(f"/feeds/{f}.xml", body, "application/rss+xml")
        urls.append(f"/feeds/{f}.xml")
    site.sources.append({"name": "feeds", "type": "feed", "urls": urls})


def _schemaorg(site: Site, rng: random.Random, chains: int, pages: int) -> None:
    for c in range(chains):
        for page in range(pages):
            reviews = [
                {
                    "@type": "Review",
                    "author": {"@type": "Person", "name": f"Buyer {page}-{k}"},
                    "datePublished": _time(c, page * 5 + k).isoformat(),
                    "reviewBody": _text(rng),
                    "name": rng.choice(MIDDLES),
                    "reviewRating": {"@type": "Rating", "ratingValue": rng.randint(1, 5)},
                }
                for k in range(5)
            ]
            data = {
                "@context": "https://schema.org",
                "@type": "Product",
                "name": "Beans",
                "review": reviews,
            }
            nxt = f'<link rel="next" href="/shop/{c}/{page + 1}">' if page + 1 < pages else ""
            body = (
                f'<html><head>{nxt}<script type="application/ld+json">{json.dumps(data)}</script>'
                "</head><body>Beans</body></html>"
            )
            site.add(f"/shop/{c}/{page}", body, "text/html; charset=utf-8")
        site.sources.append({"name": f"shop-{c}", "type": "schemaorg", "urls": [f"/shop/{c}/0"]})


class SiteServer:
    """Serve a :class:`Site` on 127.0.0.1 (port 0) from a background thread."""

    def __init__(self, site: Site) -> None:
        pages = site.pages
        self.hits = 0

        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:  # noqa: N802
                server.hits += 1
                if self.path == "/robots.txt":
                    body, ctype, headers = b"User-agent: *\nAllow: /\n", "text/plain", {}
                    status = 200
                else:
                    found = pages.get(self.path) or pages.get(_canonical(self.path))
                    status = 200 if found else 404
                    body, ctype, headers = found or (b"not found", "text/plain", {})
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "SiteServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _canonical(path: str) -> str:
    """The path with its query parameters in the order the site stored them, if known."""
    parsed = urlparse(path)
    query = parse_qs(parsed.query)
    return parsed.path + ("?" + urlencode({k: v[0] for k, v in query.items()}) if query else "")
