"""RSS and Atom feeds: Google Alerts (redirect links unwrapped), news, blogs, forum feeds.

Options: ``urls`` (the feeds). A general feed lists everything, so entries are matched
against the brand terms; a Google Alerts feed is already a search for the brand, so its
entries are kept as they are (``match_terms`` overrides either way).

Feeds differ: RSS 0.9x-2.0 or Atom, with or without dates (undated entries get the fetch time,
flagged as estimated), with or without ids (then the link, else a hash of the entry), and
sometimes with whitespace before the XML declaration — all are read. An entry's ``updated``
time after its ``published`` time marks an edit.
"""

import calendar
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import feedparser
import scrapy
from scrapy.http import Response

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
        feed = feedparser.parse(response.body.lstrip(b"\xef\xbb\xbf \t\r\n"))
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
