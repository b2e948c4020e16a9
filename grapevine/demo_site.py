"""The bundled demo site: realistic reviews and mentions of a fictional brand, on 127.0.0.1.

It serves, in the shapes of real sources:

* ``/reviews/larkwood?page=N`` — a review site's pages with schema.org ``Review`` JSON-LD
  and ``rel=next`` pagination (the ``schemaorg`` source type);
* ``/feeds/mentions.xml`` — an Atom feed of forum posts and news (the ``feed`` type), some
  about the brand, some about its competitor and some about neither (brand matching drops
  those);
* ``/r/coffee/new.json`` — a forum's newest posts as a Reddit JSON listing (the ``reddit``
  type), naming the brand, its competitor or neither;
* ``/robots.txt`` allowing everything.

Dates are relative to the moment the site starts, so the demo always looks current. Review
text is served exactly as written, including one deliberately hostile review (script tags,
a fake link) that the dashboard must show as plain text.
"""

import json
import threading
from datetime import UTC, datetime, timedelta
from functools import cached_property
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape as xml_escape

PER_PAGE = 8


def load_demo_data() -> dict[str, Any]:
    """The bundled demo reviews and mentions."""
    text = resources.files("grapevine").joinpath("demo_data/reviews.json").read_text("utf-8")
    return json.loads(text)


class DemoContent:
    """Renders the demo pages from the data, with dates relative to ``now``."""

    def __init__(self, data: dict[str, Any], now: datetime | None = None) -> None:
        self.data = data
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)

    def when(self, days_ago: float) -> datetime:
        """The time ``days_ago`` days before the site started (whole seconds)."""
        return (self.now - timedelta(days=days_ago)).replace(microsecond=0)

    @cached_property
    def pages(self) -> int:
        """How many review pages there are."""
        return max(1, -(-len(self.data["reviews"]) // PER_PAGE))

    def review_page(self, page: int, base: str) -> str:
        """One review page with JSON-LD and a ``rel=next`` link."""
        reviews = self.data["reviews"][(page - 1) * PER_PAGE : page * PER_PAGE]
        graph = {
            "@context": "https://schema.org",
            "@type": "Product",
            "name": self.data["product"],
            "brand": {"@type": "Brand", "name": self.data["brand"]},
            "review": [
                {
                    "@type": "Review",
                    "@id": f"urn:larkwood-reviews:{r['id']}",
                    "url": f"{base}/reviews/larkwood/{r['id']}",
                    "author": {"@type": "Person", "name": r["author"]},
                    "datePublished": self.when(r["days_ago"]).isoformat(),
                    "name": r["title"],
                    "reviewBody": r["body"],
                    "inLanguage": "en",
                    "reviewRating": {
                        "@type": "Rating",
                        "ratingValue": r["rating"],
                        "bestRating": 5,
                        "worstRating": 1,
                    },
                }
                for r in reviews
            ],
        }
        # "</" must not appear inside a <script> element
        blob = json.dumps(graph, indent=1).replace("</", "<\\/")
        cards = "\n".join(
            f'<article class="review"><h3>{escape(r["title"])}</h3>'
            f'<p class="stars">{"★" * r["rating"]}</p><p>{escape(r["body"])}</p>'
            f"<footer>{escape(r['author'])}</footer></article>"
            for r in reviews
        )
        links = ""
        if page < self.pages:
            links += f'<link rel="next" href="/reviews/larkwood?page={page + 1}">'
        return (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Larkwood Coffee reviews, page {page}</title>{links}"
            f'<script type="application/ld+json">{blob}</script></head>'
            f"<body><h1>Reviews of {escape(str(self.data['brand']))}</h1>{cards}"
            + (
                f'<a rel="next" href="/reviews/larkwood?page={page + 1}">Next</a>'
                if page < self.pages
                else ""
            )
            + "</body></html>"
        )

    def feed(self, base: str) -> str:
        """The Atom feed of forum posts and news."""
        entries = []
        for n in self.data["news"]:
            when = self.when(n["days_ago"]).isoformat().replace("+00:00", "Z")
            link = f"https://{n['source']}/posts/{n['id']}"
            entries.append(
                "<entry>"
                f"<id>tag:{n['source']},2026:{n['id']}</id>"
                f'<title type="text">{xml_escape(n["title"])}</title>'
                f'<link href="{xml_escape(link)}"/>'
                f"<published>{when}</published><updated>{when}</updated>"
                f"<author><name>{xml_escape(n['author'])}</name></author>"
                f'<content type="text">{xml_escape(n["body"])}</content>'
                "</entry>"
            )
        now = self.now.isoformat().replace("+00:00", "Z")
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{base}/feeds/mentions.xml</id><title>Coffee forums and news</title>"
            f"<updated>{now}</updated>" + "".join(entries) + "</feed>"
        )

    def reddit_listing(self) -> str:
        """The subreddit's newest posts, as Reddit's ``/r/<sub>/new.json`` answers."""
        children = [
            {
                "kind": "t3",
                "data": {
                    "id": p["id"],
                    "name": f"t3_{p['id']}",
                    "title": p["title"],
                    "selftext": p["body"],
                    "author": p["author"],
                    "score": p["score"],
                    "num_comments": p["comments"],
                    "subreddit": "coffee",
                    "permalink": f"/r/coffee/comments/{p['id']}/",
                    "created_utc": self.when(p["days_ago"]).timestamp(),
                    "is_self": True,
                },
            }
            for p in self.data.get("reddit", [])
        ]
        listing = {"kind": "Listing", "data": {"children": children, "after": None}}
        return json.dumps(listing)


class _Handler(BaseHTTPRequestHandler):
    content: DemoContent
    server_version = "GrapevineDemo/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the demo prints its own summary."""

    def _send(self, status: int, body: str, content_type: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        """Route a GET request."""
        url = urlparse(self.path)
        base = f"http://{self.headers.get('Host', '127.0.0.1')}"
        if url.path == "/robots.txt":
            self._send(200, "User-agent: *\nAllow: /\n", "text/plain")
        elif url.path == "/reviews/larkwood":
            try:
                page = int(parse_qs(url.query).get("page", ["1"])[0])
            except ValueError:
                page = 0
            if not 1 <= page <= self.content.pages:
                self._send(404, "no such page", "text/plain")
                return
            self._send(200, self.content.review_page(page, base), "text/html; charset=utf-8")
        elif url.path == "/feeds/mentions.xml":
            self._send(200, self.content.feed(base), "application/atom+xml; charset=utf-8")
        elif url.path == "/r/coffee/new.json":
            self._send(200, self.content.reddit_listing(), "application/json; charset=utf-8")
        elif url.path == "/":
            self._send(
                200,
                "<a href='/reviews/larkwood'>Reviews</a> "
                "<a href='/feeds/mentions.xml'>Mentions feed</a>",
                "text/html",
            )
        else:
            self._send(404, "not found", "text/plain")


class DemoSite:
    """The demo site in a background thread; ``with DemoSite() as site: site.base_url``."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1", *, fallback: bool = True) -> None:
        """Bind ``host:port``; when it is taken, another free port if ``fallback``, else the
        ``OSError``."""
        handler = type("DemoHandler", (_Handler,), {"content": DemoContent(load_demo_data())})
        try:
            self.server = ThreadingHTTPServer((host, port), handler)
        except OSError:
            if port == 0 or not fallback:
                raise
            self.server = ThreadingHTTPServer((host, 0), handler)  # the port is taken
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "DemoSite":
        """Start serving."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "DemoSite":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
