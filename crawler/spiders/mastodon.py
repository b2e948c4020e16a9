"""Mastodon: an instance's hashtag timelines, and status search where the instance allows it.

Options: ``base_url`` (the instance), ``hashtags`` (``/api/v1/timelines/tag/<tag>``; a hashtag
lists everything, so only statuses naming a brand are kept), ``query`` (``/api/v2/search
?type=statuses``; kept as returned) and ``token`` (an access token, from the environment
through ``token_env``; Mastodon only searches statuses for a signed-in account). Boosts are
read as the boosted status.

Paging is by status id, the cursor of the Mastodon API: newest first with ``max_id`` (the id
of the last status read, which is what the ``Link: rel=next`` address carries) down to a
``since_id``. A Mastodon id is a time-ordered snowflake (milliseconds << 16), and a status that
reaches the instance late — federated after newer ones, or backfilled — gets the id of its
*publication* time (``Mastodon::Snowflake::Callbacks``), so it lands below statuses already
read. Each run therefore reads down to ``since_id`` = the id of (what the last run covered −
the overlap), and the upsert keeps each status once. We build the next page's address
ourselves: the server's ``next`` link drops ``since_id``. Search pages are ordered by id too
(Mastodon 4: ``order(id: desc)``), but the server turns ``max_id``/``min_id`` into
``before:``/``after:`` times to the second, so the next search page asks below the *next*
second and skips the statuses it already gave. A pass stopped by ``max_pages``
keeps its ``max_id`` in the cursor (``{"tag:larkwood": {"top": ..., "gap": {"resume":
"<max_id>", "floor": ...}}}``) and the next run continues from it.

A search the server cannot perform is a problem, not a quiet day: Mastodon answers
``statuses: []`` without an error when it has no full-text search (Elasticsearch), when the
request is not signed in, or for a ``#tag``/``@account`` query. So an HTTP error, or a search
that has never found a single status, is reported with the hint to use hashtags.
"""

from collections.abc import AsyncIterator
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import quote, urlparse

import scrapy
from scrapy.http import Response

from crawler.items import MentionItem
from crawler.parsing import as_int, link_header, with_query
from crawler.spiders.base import Listing, SourceSpider, coverage_rules

PAGE_SIZE = 40
CANNOT_SEARCH = "this server cannot search statuses; use hashtags"
_SEARCH_ERRORS = [400, 401, 403, 404, 410, 422, 429, 500, 501, 502, 503]


def snowflake(moment: datetime) -> str:
    """The lowest Mastodon status id minted at ``moment`` (``Snowflake.id_at``)."""
    return str(max(int(moment.timestamp() * 1000), 0) << 16)


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
        self.search_seen: set[str] = set()

    def request(self, url: str, **kwargs: Any) -> scrapy.Request:
        """A request, signed with the access token when there is one (never cached then)."""
        headers = {"Accept": "application/json"}
        meta: dict[str, Any] = kwargs.pop("meta", {})
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
            meta["dont_cache"] = True
        return scrapy.Request(url, headers=headers, meta=meta, dont_filter=True, **kwargs)

    async def start(self) -> AsyncIterator[Any]:
        """The first page of each pass of each hashtag timeline and of the search."""
        tags = [t.lstrip("#").strip() for t in self.options.get("hashtags") or [] if t.strip()]
        query = str(self.options.get("query") or "").strip()
        if not tags and not query:
            self.report_problem(None, "no hashtags or query configured")
        for tag in tags:
            listing = Listing(self, f"tag:{tag.lower()}")
            for kind in self.passes(listing):
                yield self.page(listing, kind, tag=tag)
        if query:
            if (query.startswith("#") or "@" in query) and " " not in query:
                self.report_problem(
                    None, f"Mastodon does not search statuses for {query!r}: {CANNOT_SEARCH}"
                )
                return
            listing = Listing(self, f"search:{query.lower()}")
            for kind in self.passes(listing):
                yield self.page(listing, kind, query=query)

    def passes(self, listing: Listing) -> list[str]:
        """``new``, and ``gap`` when an earlier run left part of the listing unread."""
        return ["new", "gap"] if listing.gap is not None else ["new"]

    def page(
        self,
        listing: Listing,
        kind: str,
        *,
        tag: str | None = None,
        query: str | None = None,
        max_id: str | None = None,
        page: int = 1,
    ) -> scrapy.Request:
        """A page of a pass: below ``max_id`` (the gap's resume point at first), above the
        id of the pass's low end."""
        low = listing.low(listing.top if kind == "new" else listing.gap_floor)
        if kind == "gap" and page == 1:
            max_id = str(listing.gap_stop) if listing.gap_stop else None
        since_id = snowflake(low) if low is not None else None
        cb_kwargs = {"listing": listing, "kind": kind, "tag": tag, "query": query, "page": page}
        if tag is not None:
            path = f"/api/v1/timelines/tag/{quote(tag)}"
            url = with_query(path, limit=PAGE_SIZE, max_id=max_id, since_id=since_id)
            return self.request(self.url(url), callback=self.parse, cb_kwargs=cb_kwargs)
        url = with_query(
            "/api/v2/search",
            q=query,
            type="statuses",
            limit=PAGE_SIZE,
            max_id=max_id,
            min_id=since_id,
        )
        return self.request(
            self.url(url),
            callback=self.parse_search,
            cb_kwargs=cb_kwargs,
            meta={"handle_httpstatus_list": _SEARCH_ERRORS},
        )

    def parse(self, response: Response, listing: Listing, kind: str, **kwargs: Any) -> Any:
        """Yield a timeline page's statuses; request the next page while the pass goes on."""
        data = self.read_json(response)
        if data is None:
            return
        if not isinstance(data, list):
            error = data.get("error") if isinstance(data, dict) else None
            self.report_problem(response, f"not a Mastodon timeline ({error or 'no list'})")
            return
        more = bool(data) and link_header(response, "next") is not None
        yield from self.statuses(data, listing, kind, more=more, listing_kind=True, **kwargs)

    def parse_search(
        self, response: Response, listing: Listing, kind: str, page: int = 1, **kwargs: Any
    ) -> Any:
        """Yield a search page's statuses; a search the server cannot do is a problem."""
        if response.status >= 400:
            self.report_problem(
                response, f"the status search failed (HTTP {response.status}): {CANNOT_SEARCH}"
            )
            return
        data = self.read_json(response)
        if data is None:
            return
        statuses = data.get("statuses") if isinstance(data, dict) else None
        if not isinstance(statuses, list):
            self.report_problem(
                response, f"not a Mastodon search answer (no statuses): {CANNOT_SEARCH}"
            )
            return
        if not statuses and page == 1 and kind == "new" and listing.top is None:
            signed = "" if self._token else " (and the search was not signed in: set token_env)"
            self.report_problem(
                response, f"the status search has never found a status{signed}: {CANNOT_SEARCH}"
            )
            return
        yield from self.statuses(
            statuses, listing, kind, more=bool(statuses), listing_kind=False, page=page, **kwargs
        )

    def statuses(
        self,
        data: list[Any],
        listing: Listing,
        kind: str,
        *,
        more: bool,
        listing_kind: bool,
        page: int = 1,
        **kwargs: Any,
    ) -> Any:
        """Yield the statuses of a page above the pass's low end; then the next page."""
        if not data and page == 1 and kind == "new":
            self.empty_result()
        self.saw_entries(len(data))
        scan = listing.scan(kind, edits=True)
        to_item = lambda s: self.status_item(s, listing=listing_kind)  # noqa: E731
        seen = set(self.search_seen) if not listing_kind else set()
        for status, item in scan.new(data, to_item, when=lambda s: _get(s, "created_at")):
            if str(_get(status, "id")) not in seen:  # a search page read again (see below)
                yield item
        last = _get(data[-1], "id") if data else None
        resume = str(last) if more and last else None
        if resume and not listing_kind:
            # Mastodon 4.x turns max_id into ``before:"<its second>"`` (StatusesSearchService):
            # ask below the next second, so statuses of the last one are not skipped, and end
            # the pass on a page that brought no status not already read in this run
            ids = {str(_get(status, "id")) for status in data}
            unseen = ids - self.search_seen
            self.search_seen |= ids
            resume = str(((int(resume) >> 16) + 1000) << 16) if unseen else None
        if scan.follow(page, resume):
            yield self.page(listing, kind, max_id=resume, page=page + 1, **kwargs)

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
            # the content warning is plain text: escaped, so "<support>" in it stays text
            text=f"<p>{escape(spoiler)}</p>{content}" if spoiler else content,
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


def _get(entry: Any, key: str) -> Any:
    return entry.get(key) if isinstance(entry, dict) else None
