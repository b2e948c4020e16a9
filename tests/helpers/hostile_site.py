"""A hostile web site on 127.0.0.1 (port 0): one route per fault class a crawler meets.

``with HostileSite() as site: site.url("/feed/hostile.xml")``. Every request is recorded in
``site.requests`` (method and path). The routes:

``/feed/hostile.xml``
    RSS 2.0 whose entries carry NUL and other C0 control characters in every field (guid,
    link, author, title, description), a lone surrogate written as a character reference
    (``&#xD800;``), invalid UTF-8 bytes in one entry, and one entry with an over-long author
    (1,000 characters), title (5,000) and guid (2,000). ``HOSTILE_FEED_IDS`` lists the guids
    as served (four entries); the feed spider stores them with the characters XML forbids
    replaced by U+FFFD.
``/feed/bad-utf8.xml``
    A clean UTF-8 RSS feed (declared ``encoding="utf-8"``) of four entries with accented text,
    where only the entry ``bad-2`` carries invalid UTF-8 bytes (``\\xff\\xfe`` and a
    truncated sequence). ``GOOD_ENTRIES`` maps the guid of every other entry to its exact
    ``(title, description)``: those must come out exactly so, without mojibake.
``/hn/api/v1/search_by_date``
    An Algolia (Hacker News) search answer, so a ``hackernews`` source with
    ``base_url=site.url("/hn")`` reads it: hits with NUL and control characters in every
    field, lone surrogates as JSON escapes (``"\\ud800"``), raw invalid UTF-8 in one hit and
    over-long author/title/objectID. ``HOSTILE_HIT_IDS`` lists the objectIDs served.
``/bomb.xml``
    A gzip decompression bomb: ``Content-Encoding: gzip``, about 1 MB on the wire that
    inflates to 1 GiB of zeros (``BOMB_INFLATED``). Built at start-up from one repeated
    full-flush deflate block, so neither the server nor its start-up ever holds the inflated
    data (about 0.3 s, 1 MB of memory).
``/huge.xml``
    A page larger than the crawler's size limit: ``huge_mb`` MiB (default 40) announced in
    ``Content-Length``, streamed in 64 KiB chunks. ``/huge-unannounced.xml`` streams the same
    without a ``Content-Length`` (the limit must then stop it while it downloads).
``/redirect/loop``
    A redirect loop: ``/redirect/loop`` -> ``/redirect/loop-b`` -> ``/redirect/loop`` ...
``/refresh/loop``
    An HTML page whose ``<meta http-equiv="refresh">`` sends the browser back to itself.
``/redirect/chain/<n>``
    A redirect chain: ``/redirect/chain/30`` redirects 30 times (to ``.../29`` ... ``.../0``)
    before ``/redirect/chain/0`` serves the bad-UTF-8 feed; longer than Scrapy's default of 20.
``/trickle``
    GET or POST (the body of a POST is read first): status 200 and headers at once,
    announcing ``trickle_bytes`` bytes (default 64), then one byte every ``trickle_interval``
    seconds (default 2) — a receiver or a page that never quite finishes. Stops when the
    client goes away.
``/robots.txt``
    Allows everything.
"""

import json
import threading
import time
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOMB_INFLATED = 1 << 30  # 1 GiB of zeros once inflated
_BOMB_CHUNK = 1 << 20
LONG_AUTHOR = "A" * 1000
LONG_TITLE = "Slack " + "T" * 4994
LONG_ID = "urn:long:" + "i" * 1991
CONTROL = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f"

# --- the clean feed with one bad entry ---------------------------------------------------

GOOD_ENTRIES: dict[str, tuple[str, str]] = {
    "good-1": ("Café Slack review", "Slack is très bien — naïve me loved it. Straße, smörgåsbord."),
    "good-3": ("Slack ½ price", "Paid 5 € for Slack… “fair”, says Zoë. 日本語も大丈夫."),
    "good-4": ("Slack in Ελληνικά", "Η εφαρμογή Slack δουλεύει — ÅÄÖ åäö ñ ç."),
}
BAD_ENTRY = "bad-2"


def _rss(items: list[bytes], encoding: str = "utf-8") -> bytes:
    head = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        "<title>Hostile feed</title><link>http://hostile.example/</link>"
        "<description>entries that break crawlers</description>"
    ).encode()
    return head + b"".join(items) + b"</channel></rss>\n"


def _item(guid: bytes, title: bytes, description: bytes, author: bytes = b"") -> bytes:
    return (
        b'<item><guid isPermaLink="false">' + guid + b"</guid>"
        b"<link>http://hostile.example/" + guid + b"</link>"
        b"<title>"
        + title
        + b"</title>"
        + (b"<author>" + author + b"</author>" if author else b"")
        + b"<description>"
        + description
        + b"</description>"
        b"<pubDate>Mon, 30 Nov 2026 10:00:00 GMT</pubDate></item>"
    )


def bad_utf8_feed() -> bytes:
    """The clean feed of :data:`GOOD_ENTRIES` plus the one entry with invalid UTF-8."""
    items = []
    for guid in ("good-1", BAD_ENTRY, "good-3", "good-4"):
        if guid == BAD_ENTRY:
            items.append(
                _item(
                    guid.encode(),
                    b"Slack bad \xff\xfe bytes",
                    b"Slack entry with broken bytes \xc3 here and \xe2\x82 there",
                )
            )
        else:
            title, text = GOOD_ENTRIES[guid]
            items.append(_item(guid.encode(), title.encode(), text.encode()))
    return _rss(items)


def _c(text: str) -> bytes:
    """UTF-8 with the control characters put in (XML text, not escaped)."""
    return text.encode("utf-8", "surrogatepass")


HOSTILE_FEED_IDS = [f"ctl-{CONTROL}-1", "ctl-2", "bad-utf8-3", LONG_ID]


def hostile_feed() -> bytes:
    """RSS whose entries carry control characters, a surrogate, bad bytes, over-long fields."""
    items = [
        _item(
            _c(HOSTILE_FEED_IDS[0]),
            _c(f"Slack{CONTROL}title"),
            _c("Slack text with NUL\x00 and bell\x07 and escape\x1b"),
            _c(f"author{CONTROL}@example.com (Ctl Author)"),
        ),
        _item(
            b"ctl-2",
            b"Slack surrogate &#xD800; title",
            b"Slack lone surrogate &#xD800; and &#0; in text",
            b"x@example.com (Surrogate &#xD800;)",
        ),
        _item(b"bad-utf8-3", b"Slack \xff\xfe title", b"Slack bytes \xc3\x28 bad", b"\xff\xfe"),
        _item(
            _c(LONG_ID),
            _c(LONG_TITLE),
            b"Slack entry with over-long fields",
            _c(f"x@example.com ({LONG_AUTHOR})"),
        ),
    ]
    return _rss(items)


HOSTILE_HIT_IDS = [f"nul\x00{CONTROL}1", "surrogate-2", "bad-utf8-3", LONG_ID]


def _hit(object_id: str, author: str, title: str, text: str, at: int) -> str:
    return json.dumps(
        {
            "objectID": object_id,
            "author": author,
            "title": title,
            "story_text": text,
            "url": f"http://hostile.example/{object_id}",
            "created_at_i": at,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(at)),
            "points": 3,
            "num_comments": 0,
            "_tags": ["story"],
        }
    )


def hostile_json() -> bytes:
    """The Algolia answer of :data:`HOSTILE_HIT_IDS` (see the module docstring)."""
    at = 1_764_496_800  # 2025-11-30 10:00 UTC
    hits = [
        _hit(
            HOSTILE_HIT_IDS[0],
            f"nul\x00{CONTROL}",
            f"Slack\x00{CONTROL}",
            f"Slack\x00 t{CONTROL}",
            at,
        ),
        # json.dumps escapes a lone surrogate as "\ud800": the JSON text itself is ASCII.
        _hit(
            "surrogate-2", "au\ud800thor", "Slack \udfff title", "Slack text \ud800 here", at - 60
        ),
        "BADUTF8",
        _hit(LONG_ID, LONG_AUTHOR, LONG_TITLE, "Slack with over-long fields", at - 180),
    ]
    bad = _hit("bad-utf8-3", "bad", "Slack bad", "Slack BADBYTES text", at - 120)
    body = '{"hits": [' + ", ".join(hits) + '], "nbHits": 4, "page": 0, "nbPages": 1}'
    out = body.replace("BADUTF8", bad, 1).encode()
    return out.replace(b"BADBYTES", b"\xff\xfe\xc3\x28")


# --- the decompression bomb ---------------------------------------------------------------


def gzip_bomb(inflated: int = BOMB_INFLATED) -> bytes:
    """A gzip member that inflates to ``inflated`` zero bytes (a multiple of 1 MiB).

    After a full flush the deflate state is empty, so the block compressing the next MiB of
    zeros is the same bytes every time: it is computed once and repeated.
    """
    chunk = bytes(_BOMB_CHUNK)
    count = inflated // _BOMB_CHUNK
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    final_empty_block = b"\x03\x00"  # a final fixed-Huffman block with no data
    trailer = crc.to_bytes(4, "little") + (inflated & 0xFFFFFFFF).to_bytes(4, "little")
    return first + block * (count - 1) + final_empty_block + trailer


# --- the server ---------------------------------------------------------------------------


class HostileSite:
    """``with HostileSite() as site: site.url("/bomb.xml")`` — see the module docstring."""

    def __init__(
        self,
        *,
        huge_mb: int = 40,
        trickle_interval: float = 2.0,
        trickle_bytes: int = 64,
    ) -> None:
        self.huge_bytes = huge_mb << 20
        self.trickle_interval = trickle_interval
        self.trickle_bytes = trickle_bytes
        self.bomb = gzip_bomb()
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with site._lock:
                    site.requests.append((self.command, self.path))
                try:
                    site.route(self.path)(self)
                except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                    self.close_connection = True

            do_POST = do_GET  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def route(self, path: str) -> Callable[[BaseHTTPRequestHandler], None]:
        """The handler writing the answer for ``path``."""
        bare = path.split("?", 1)[0]
        fixed = {
            "/robots.txt": (b"User-agent: *\nAllow: /\n", "text/plain", {}),
            "/feed/hostile.xml": (hostile_feed(), "application/rss+xml", {}),
            "/feed/bad-utf8.xml": (bad_utf8_feed(), "application/rss+xml", {}),
            "/hn/api/v1/search_by_date": (hostile_json(), "application/json", {}),
            "/bomb.xml": (self.bomb, "application/rss+xml", {"Content-Encoding": "gzip"}),
        }
        if bare in fixed:
            body, kind, headers = fixed[bare]
            return lambda h: self._send(h, 200, body, kind, headers)
        if bare == "/redirect/loop":
            return lambda h: self._send(h, 302, b"", "text/plain", {"Location": "/redirect/loop-b"})
        if bare == "/refresh/loop":
            page = b'<html><head><meta http-equiv="refresh" content="0; url=/refresh/loop">'
            return lambda h: self._send(h, 200, page + b"</head></html>", "text/html", {})
        if bare == "/redirect/loop-b":
            return lambda h: self._send(h, 302, b"", "text/plain", {"Location": "/redirect/loop"})
        if bare.startswith("/redirect/chain/") and bare.rsplit("/", 1)[1].isdigit():
            left = int(bare.rsplit("/", 1)[1])
            if left == 0:
                return lambda h: self._send(h, 200, bad_utf8_feed(), "application/rss+xml", {})
            target = {"Location": f"/redirect/chain/{left - 1}"}
            return lambda h: self._send(h, 302, b"", "text/plain", target)
        if bare in ("/huge.xml", "/huge-unannounced.xml"):
            return lambda h: self._huge(h, announce=bare == "/huge.xml")
        if bare == "/trickle":
            return self._trickle
        return lambda h: self._send(h, 404, b"not found", "text/plain", {})

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str],
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def _huge(self, handler: BaseHTTPRequestHandler, *, announce: bool) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        if announce:
            handler.send_header("Content-Length", str(self.huge_bytes))
        else:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        chunk = b"<!-- " + b"x" * (65536 - 9) + b" -->\n"
        sent = 0
        while sent < self.huge_bytes and not self._closing.is_set():
            part = chunk[: self.huge_bytes - sent]
            handler.wfile.write(part)
            sent += len(part)

    def _trickle(self, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(self.trickle_bytes))
        handler.end_headers()
        handler.wfile.flush()
        for _ in range(self.trickle_bytes):
            if self._closing.wait(self.trickle_interval):
                break
            handler.wfile.write(b".")
            handler.wfile.flush()
        handler.close_connection = True

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this site."""
        return self.base_url + path

    def __enter__(self) -> "HostileSite":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()
