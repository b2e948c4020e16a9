"""Mastodon: an instance's hashtag timelines, and status search where the instance allows it.

Options: ``base_url`` (the instance), ``hashtags`` (``/api/v1/timelines/tag/<tag>``, paging
with the ``Link`` header's ``next``; a hashtag lists everything, so only statuses naming a
brand are kept), ``query`` (``/api/v2/search?type=statuses``, paging by ``offset``; kept as
returned) and ``token`` (an access token, from the environment through ``token_env``; most
instances only search statuses for signed-in users). Boosts are read as the boosted status.
"""

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlparse

import scrapy
from scrapy.http import Response

from crawler.items import MentionItem
from crawler.parsing import as_int, link_header, with_query
from crawler.spiders.base import PageScan, SourceSpider, coverage_rules

PAGE_SIZE = 40


class MastodonSpider(SourceSpider):
    """Read hashtag timelines and status search results of one instance."""

    name = "mastodon"
    custom_settings = coverage_rules(author_handle=1.0)
    default_base_url = "https://mastodon.social"
    lists_everything = True
    list_options = ("hashtags",)
    default_max_pages = 10

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._token = self.options.pop("token", None)
        self.host = urlparse(self.base_url).netloc

    def request(self, url: str, **kwargs: Any) -> scrapy.Request:
        """A request, signed with the access token when there is one (never cached then)."""
        headers = {"Accept": "application/json"}
        meta: dict[str, Any] = {}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
            meta["dont_cache"] = True
        return scrapy.Request(url, headers=headers, meta=meta, **kwargs)

    async def start(self) -> AsyncIterator[Any]:
        """The first page of each hashtag timeline and of the search."""
        tags = [t.lstrip("#").strip() for t in self.options.get("hashtags") or [] if t.strip()]
        query = self.options.get("query")
        if not tags and not query:
            self.report_problem(None, "no hashtags or query configured")
        for tag in tags:
            url = self.url(with_query(f"/api/v1/timelines/tag/{quote(tag)}", limit=PAGE_SIZE))
            yield self.request(url, callback=self.parse, cb_kwargs={"page": 1}, dont_filter=True)
        if query:
            yield self.request(
                self.search_url(0), callback=self.parse_search, cb_kwargs={"offset": 0, "page": 1}
            )

    def search_url(self, offset: int) -> str:
        """A page of status search results."""
        return self.url(
            with_query(
                "/api/v2/search",
                q=self.options.get("query"),
                type="statuses",
                limit=PAGE_SIZE,
                offset=offset or None,
            )
        )

    def parse(self, response: Response, page: int = 1, **kwargs: Any) -> Any:
        """Yield a timeline page's statuses; follow ``Link: rel=next`` while they are new."""
        data = self.read_json(response)
        if data is None:
            return
        if not isinstance(data, list):
            error = data.get("error") if isinstance(data, dict) else None
            self.report_problem(response, f"not a Mastodon timeline ({error or 'no list'})")
            return
        fresh = yield from self.statuses(data, listing=True)
        next_url = link_header(response, "next")
        if fresh and next_url and page < self.max_pages:
            yield self.request(
                response.urljoin(next_url), callback=self.parse, cb_kwargs={"page": page + 1}
            )

    def parse_search(
        self, response: Response, offset: int = 0, page: int = 1, **kwargs: Any
    ) -> Any:
        """Yield a search page's statuses; page by ``offset`` while they are new."""
        data = self.read_json(response)
        if data is None:
            return
        statuses = data.get("statuses") if isinstance(data, dict) else None
        if not isinstance(statuses, list):
            self.report_problem(response, "not a Mastodon search answer (no statuses)")
            return
        fresh = yield from self.statuses(statuses, listing=False)
        if fresh and len(statuses) >= PAGE_SIZE and page < self.max_pages:
            yield self.request(
                self.search_url(offset + len(statuses)),
                callback=self.parse_search,
                cb_kwargs={"offset": offset + len(statuses), "page": page + 1},
            )

    def statuses(self, data: list[Any], *, listing: bool) -> Any:
        """Yield the new statuses of a page; return whether the next page may have more."""
        if not data:
            self.empty_result()
            return False
        self.saw_entries(len(data))
        scan = PageScan(self, edits=True)
        for _, item in scan.new(data, lambda s: self.status_item(s, listing=listing)):
            yield item
        return scan.more

    def status_item(self, status: Any, *, listing: bool) -> MentionItem | None:
        """One status (a boost is read as the status it boosts)."""
        if not isinstance(status, dict):
            return None
        if isinstance(status.get("reblog"), dict):
            status = status["reblog"]
        account = status.get("account") or {}
        acct = account.get("acct") or account.get("username")
        handle = acct if not acct or "@" in acct else f"{acct}@{self.host}"
        followers = as_int(account.get("followers_count"))
        spoiler = status.get("spoiler_text") or ""
        content = status.get("content") or ""
        return self.item(
            listing=listing,
            external_id=status.get("uri") or status.get("id"),
            url=status.get("url") or status.get("uri"),
            author=account.get("display_name") or account.get("username"),
            author_handle=handle,
            text=f"<p>{spoiler}</p>{content}" if spoiler else content,
            text_is_html=True,
            published_at=status.get("created_at"),
            edited_at=status.get("edited_at"),
            language=status.get("language"),
            reach=followers,
            metrics={
                "followers": followers,
                "replies": as_int(status.get("replies_count")),
                "reblogs": as_int(status.get("reblogs_count")),
                "favourites": as_int(status.get("favourites_count")),
                "quotes": as_int(status.get("quotes_count")),
            },
            raw={"id": status.get("id"), "in_reply_to_id": status.get("in_reply_to_id")},
        )
