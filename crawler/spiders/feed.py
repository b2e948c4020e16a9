"""RSS and Atom feeds: Google Alerts (redirect links unwrapped), news, blogs, forum feeds.

Options: ``urls`` (the feeds). A general feed lists everything, so entries are matched
against the brand terms; a Google Alerts feed is already a search for the brand, so its
entries are kept as they are (``match_terms`` overrides either way).

Feeds differ: RSS 0.9x-2.0 or Atom, with or without dates (undated entries get the fetch time,
flagged as estimated), with or without ids (then the link, else a hash of the entry), and
sometimes with whitespace before the XML declaration — all are read. An entry's ``updated``
time after its ``published`` time marks an edit.

Decoding is ours, before feedparser (:func:`clean_feed`): given bytes that are not valid in
their encoding, feedparser decodes the *whole* feed with another codec (cp1252, latin-2...),
so one bad entry garbles every other one. Instead the body is decoded in its own encoding (a
BOM, else the XML declaration, else the HTTP charset, else UTF-8 as XML defines; a declared
US-ASCII is read as UTF-8, its superset) with bad bytes replaced by U+FFFD, characters XML
forbids (NUL and the other C0 controls, and character references to them or to surrogates,
which make feedparser raise) are replaced by U+FFFD too, and feedparser gets valid UTF-8.
An entry with replaced characters is still stored: the U+FFFD marks show where its bytes
were bad (``grapevine/feed_chars_replaced`` counts them). A declared encoding Python does
not know is left to feedparser.
"""

import calendar
import codecs
import hashlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import feedparser
import scrapy
from scrapy.http import Response
from w3lib.encoding import http_content_type_encoding

from crawler.spiders.base import SourceSpider


def unwrap_redirect(url: str) -> str:
    """The real address behind a Google redirect link (``google.com/url?...&url=<real>``)."""
    parsed = urlparse(url)
    if parsed.netloc.endswith("google.com") and parsed.path == "/url":
        query = parse_qs(parsed.query)
        for key in ("url", "q"):
            if query.get(key):
                return query[key][0]
    return url


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_DECLARATION = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _allowed_in_xml(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def feed_encoding(body: bytes, charset: str | None = None) -> tuple[str, int]:
    """(encoding, length of the BOM) of a feed: its BOM, XML declaration, HTTP charset, UTF-8."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, len(bom)
    if body.startswith(b"<\x00?\x00"):
        return "utf-16-le", 0
    if body.startswith(b"\x00<\x00?"):
        return "utf-16-be", 0
    declared = _DECLARED.match(body[:512])
    name = declared.group(1).decode("ascii") if declared else charset or "utf-8"
    try:
        found = codecs.lookup(name).name
    except LookupError:
        return name, 0
    return ("utf-8" if found == "ascii" else found), 0  # "ASCII" feeds often carry UTF-8


def clean_feed(body: bytes, charset: str | None = None) -> tuple[bytes, int]:
    """(the feed as valid UTF-8 XML, characters replaced by U+FFFD); see the module docstring.

    A declared encoding that Python does not know: the body as it came (feedparser decides).
    """
    encoding, bom = feed_encoding(body, charset)
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        return body, 0
    text = codec.decode(body[bom:], "replace")[0]
    try:
        already = body.count("\ufffd".encode(codec.name))  # U+FFFD the feed itself had
    except UnicodeEncodeError:
        already = 0

    def char_ref(match: re.Match[str]) -> str:
        digits = match.group(1) or match.group(2)
        code = int(digits, 16 if match.group(1) else 10)
        return match.group(0) if _allowed_in_xml(code) else "\ufffd"

    text = _CHAR_REF.sub(char_ref, text)
    text = _FORBIDDEN.sub("\ufffd", text)
    text = _DECLARATION.sub(r"\1\2utf-8\2", text, count=1)
    return text.lstrip(" \t\r\n").encode("utf-8"), text.count("\ufffd") - already


def _time(entry: Any, *names: str) -> datetime | None:
    for name in names:
        value = entry.get(f"{name}_parsed")
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


def _digest(feed_url: str, entry: Any) -> str | None:
    """A stable id for an entry that has neither an id nor a link."""
    title, summary = entry.get("title") or "", entry.get("summary") or ""
    if not title and not summary:
        return None
    digest = hashlib.sha1(  # noqa: S324 - an identifier, not security
        "\x1f".join([feed_url, title, summary[:500]]).encode()
    ).hexdigest()[:16]
    return f"{feed_url}#{digest}"


class FeedSpider(SourceSpider):
    """Read RSS/Atom feeds with feedparser."""

    name = "feed"
    lists_everything = True
    list_options = ("urls",)

    async def start(self) -> AsyncIterator[Any]:
        """One request per configured feed URL."""
        urls = self.options.get("urls") or []
        if not urls:
            self.report_problem(None, "no feed urls configured")
        for url in urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: Response, **kwargs: Any) -> Any:
        """Yield one item per feed entry."""
        content_type = response.headers.get(b"Content-Type")
        charset = http_content_type_encoding(
            content_type.decode("latin-1") if content_type else None
        )
        body, replaced = clean_feed(response.body.lstrip(b" \t\r\n"), charset)
        if replaced:
            self.stat_inc("grapevine/feed_chars_replaced", replaced)
        feed = feedparser.parse(body)
        if not feed.entries and (feed.bozo or not feed.get("version")):
            reason = feed.get("bozo_exception") or "no feed elements"
            self.report_problem(response, f"not an RSS/Atom feed ({reason})")
            return
        if not feed.entries:
            self.empty_result()
            return
        self.saw_entries(len(feed.entries))
        is_alert = "/alerts/feeds/" in response.url or "Google Alert" in feed.feed.get("title", "")
        for entry in feed.entries:
            link = unwrap_redirect(entry.get("link") or "")
            published = _time(entry, "published", "created") or _time(entry, "updated")
            updated = _time(entry, "updated")
            edited = updated if updated and published and updated > published else None
            if not self.is_new(published, edited):
                continue
            content = entry.get("content") or []
            text = content[0].get("value") if content else entry.get("summary")
            author = (entry.get("author") or "").strip() or urlparse(link).netloc or None
            key = entry.get("id") or link or _digest(response.url, entry)
            yield self.item(
                listing=not is_alert,
                external_id=key,
                url=link or None,
                author=author,
                title=entry.get("title"),
                text=text or entry.get("title"),
                text_is_html=True,
                published_at=published,
                edited_at=edited,
                language=entry.get("language") or feed.feed.get("language"),
                raw={"feed": response.url, "id": entry.get("id"), "link": entry.get("link")},
            )
