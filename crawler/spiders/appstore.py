"""Apple App Store customer reviews: the iTunes customer-reviews feed, JSON or XML.

Options: ``app_id``, ``countries`` (store fronts, ``us`` by default) and ``format`` (``xml``,
which carries each review's date, or ``json``, which carries it only in newer feeds). Pages are
``/<cc>/rss/customerreviews/page=N/id=<app_id>/sortby=mostrecent/<format>``, newest first, up
to the feed's last page (Apple serves at most 10). The first entry of older feeds describes the
app itself and is skipped; a feed whose ``entry`` is a single object is read too.

The feed pages by number and holds no id to page by, so each run reads down to what the last
run covered less the overlap (``overlap_days``), and a country's feed stopped by
``max_pages`` keeps the next page in the cursor (``{"reviews:jp": {"top": ..., "gap":
{"resume": N, ...}}}``); the next run starts the gap one page earlier (not counted), in case
the pages moved up.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawler.items import MentionItem
from crawler.parsing import as_int, dig, label, response_text
from crawler.spiders.base import Listing, SourceSpider, coverage_rules

NAMESPACES = {"a": "http://www.w3.org/2005/Atom", "im": "http://itunes.apple.com/rss"}
APPLE_MAX_PAGES = 10
APPLE_PAGE_SIZE = 50


class AppStoreSpider(SourceSpider):
    """Read an app's customer-review feed in every configured country."""

    name = "appstore"
    custom_settings = coverage_rules(rating=1.0)
    default_base_url = "https://itunes.apple.com"
    list_options = ("countries",)

    def page_url(self, country: str, page: int) -> str:
        """The feed page ``page`` of store front ``country``."""
        fmt = "json" if str(self.options.get("format", "xml")).lower() == "json" else "xml"
        app_id = self.options.get("app_id")
        return self.url(
            f"/{country}/rss/customerreviews/page={page}/id={app_id}/sortby=mostrecent/{fmt}"
        )

    async def start(self) -> AsyncIterator[Any]:
        """Page 1 of each country's feed."""
        if not self.options.get("app_id"):
            self.report_problem(None, "no app_id configured")
            return
        for country in self.options.get("countries") or ["us"]:
            country = country.lower()
            listing = Listing(self, f"reviews:{country}")
            yield self.page_request(country, 1, "new", 1)
            if listing.gap is not None:
                start = max(1, (as_int(listing.gap_stop) or 2) - 1)
                yield self.page_request(country, start, "gap", 0)  # a re-read: not counted

    def page_request(self, country: str, page: int, kind: str, read: int) -> scrapy.Request:
        """Page ``page`` of a pass over a country's feed (``read``: pages counted so far)."""
        return scrapy.Request(
            self.page_url(country, page),
            cb_kwargs={"country": country, "page": page, "kind": kind, "read": read},
            dont_filter=True,
        )

    def parse(
        self,
        response: Response,
        country: str = "us",
        page: int = 1,
        kind: str = "new",
        read: int = 1,
        **kwargs: Any,
    ) -> Any:
        """Yield one page's reviews; follow the next page while it brings new ones."""
        text = response_text(response).lstrip()
        if text.startswith("{"):
            parsed = self.json_page(response, country)
        elif text.startswith("<") and "<feed" in text[:2000]:
            parsed = self.xml_page(response, text, country)
        else:
            self.read_json(response)  # reports HTML, truncated or malformed JSON
            return
        if parsed is None:
            return
        items, last_page = parsed
        if not items and page == 1 and kind == "new":
            self.empty_result()
        self.saw_entries(len(items))
        scan = self.listings[f"reviews:{country}"].scan(kind)
        for _, item in scan.new(items, lambda i: i):
            yield item
        last = min(last_page or APPLE_MAX_PAGES, APPLE_MAX_PAGES)
        if len(items) < APPLE_PAGE_SIZE:  # a short page is the last one
            last = page
        if scan.follow(read, page + 1 if page < last else None):
            yield self.page_request(country, page + 1, kind, read + 1)

    def json_page(
        self, response: Response, country: str
    ) -> tuple[list[MentionItem], int | None] | None:
        """(items, last page) of a JSON feed page."""
        data = self.read_json(response)
        if data is None:
            return None
        feed = data.get("feed") if isinstance(data, dict) else None
        if not isinstance(feed, dict):
            self.report_problem(response, "not an iTunes customer-reviews feed (no 'feed' object)")
            return None
        entries = feed.get("entry") or []
        entries = [entries] if isinstance(entries, dict) else entries
        links = feed.get("link") or []
        links = [links] if isinstance(links, dict) else links
        last = None
        for link in links:
            attrs = link.get("attributes", {}) if isinstance(link, dict) else {}
            if attrs.get("rel") == "last":
                last = _page_number(attrs.get("href", ""))
        items = [
            self.json_item(entry, country)
            for entry in entries
            if isinstance(entry, dict) and "im:rating" in entry
        ]
        return items, last

    def json_item(self, entry: dict[str, Any], country: str) -> MentionItem:
        """One review from the JSON feed."""
        votes = as_int(label(entry, "im:voteCount"))
        return self.item(
            external_id=label(entry, "id"),
            url=dig(entry, "link", "attributes", "href") or self.review_page(country),
            author=label(entry, "author", "name"),
            title=label(entry, "title"),
            text=label(entry, "content"),
            rating=label(entry, "im:rating"),
            published_at=label(entry, "updated"),
            reach=votes,
            metrics={
                "votes": votes,
                "vote_sum": as_int(label(entry, "im:voteSum")),
                "version": label(entry, "im:version"),
                "country": country,
            },
            raw={"id": label(entry, "id"), "author_uri": label(entry, "author", "uri")},
        )

    def xml_page(
        self, response: Response, text: str, country: str
    ) -> tuple[list[MentionItem], int | None] | None:
        """(items, last page) of an Atom XML feed page."""
        try:
            sel = Selector(text=text, type="xml")
        except ValueError as exc:
            self.report_problem(response, f"unreadable XML feed ({exc})")
            return None
        for prefix, uri in NAMESPACES.items():
            sel.register_namespace(prefix, uri)
        if not sel.xpath("/a:feed"):
            self.report_problem(response, "not an iTunes customer-reviews feed (no Atom feed)")
            return None
        language = sel.xpath("/a:feed/@xml:lang").get()
        last = _page_number(sel.xpath("/a:feed/a:link[@rel='last']/@href").get() or "")
        items = list(self.xml_items(sel, country, language))
        return items, last

    def xml_items(self, sel: Selector, country: str, language: str | None) -> Iterator[MentionItem]:
        """The reviews of an XML page (entries without a rating describe the app)."""
        for entry in sel.xpath("/a:feed/a:entry[im:rating]"):
            review_id = entry.xpath("a:id/text()").get()
            votes = as_int(entry.xpath("im:voteCount/text()").get())
            text = entry.xpath("a:content[@type='text']/text()").get()
            html = None if text else entry.xpath("a:content[@type='html']/text()").get()
            yield self.item(
                external_id=review_id.strip() if review_id else None,
                url=entry.xpath("a:link/@href").get() or self.review_page(country),
                author=entry.xpath("a:author/a:name/text()").get(),
                title=entry.xpath("a:title/text()").get(),
                text=text or html,
                text_is_html=bool(html),
                rating=entry.xpath("im:rating/text()").get(),
                published_at=entry.xpath("a:updated/text()").get(),
                language=language,
                reach=votes,
                metrics={
                    "votes": votes,
                    "vote_sum": as_int(entry.xpath("im:voteSum/text()").get()),
                    "version": entry.xpath("im:version/text()").get(),
                    "country": country,
                },
                raw={"id": review_id, "author_uri": entry.xpath("a:author/a:uri/text()").get()},
            )

    def review_page(self, country: str) -> str:
        """The app's public review page in ``country``."""
        return (
            f"https://apps.apple.com/{country}/app/id{self.options.get('app_id')}?see-all=reviews"
        )


def _page_number(href: str) -> int | None:
    marker = "/page="
    if marker not in href:
        return None
    return as_int(href.split(marker, 1)[1].split("/", 1)[0])
