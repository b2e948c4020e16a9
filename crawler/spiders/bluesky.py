"""Bluesky post search: ``/xrpc/app.bsky.feed.searchPosts?q=…&sort=latest``, paging by cursor.

Options: ``query``, and ``handle``/``password`` (an app password) when the service requires
sign-in — they come from the environment (``handle_env``/``password_env`` in the config) and
are never logged or cached. Signed in, the spider opens a session with
``com.atproto.server.createSession`` and searches with its token on the same service
(``https://bsky.social`` by default); without credentials it uses the public AppView
(``https://public.api.bsky.app``). Results page by the service's ``cursor`` within a time
window: ``since`` what the last run covered less the overlap (a post can be indexed after newer
ones, under its own creation time). A run stopped by ``max_pages`` keeps the creation time of
the last post it read (cursor ``{"search": {"top": ..., "gap": {"resume": <time>, "floor":
...}}}``) and the next run reads ``until`` it — not the cursor itself, an offset that new
posts would shift.
"""

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.items import MentionItem
from crawler.normalise import parse_time
from crawler.parsing import as_int, dig, with_query
from crawler.spiders.base import Listing, SourceSpider, coverage_rules

PUBLIC_API = "https://public.api.bsky.app"
SIGNED_IN_API = "https://bsky.social"
PAGE_SIZE = 100
_AUTH_CODES = [400, 401, 403]


class BlueskySpider(SourceSpider):
    """Search Bluesky posts, newest first."""

    name = "bluesky"
    custom_settings = coverage_rules(author_handle=1.0)
    default_base_url = PUBLIC_API
    default_max_pages = 10

    def __init__(self, base_url: str | None = None, **kwargs: Any) -> None:
        self._identifier = kwargs.pop("handle", None) or None
        self._password = kwargs.pop("password", None) or None
        if base_url is None and self._identifier and self._password:
            base_url = SIGNED_IN_API
        super().__init__(base_url=base_url, **kwargs)
        self._token: str | None = None

    async def start(self) -> AsyncIterator[Any]:
        """Sign in when credentials are given, then the first search page."""
        if not self.options.get("query"):
            self.report_problem(None, "no query configured")
            return
        if bool(self._identifier) != bool(self._password):
            self.report_problem(None, "only one of handle and password is set in the environment")
            return
        if self._identifier and self._password:
            yield scrapy.Request(
                self.url("/xrpc/com.atproto.server.createSession"),
                method="POST",
                body=json.dumps({"identifier": self._identifier, "password": self._password}),
                headers={"Content-Type": "application/json"},
                callback=self.signed_in,
                meta={"dont_cache": True, "handle_httpstatus_list": _AUTH_CODES},
                dont_filter=True,
            )
            return
        for request in self.first_pages():
            yield request

    def first_pages(self) -> Any:
        """Page 1 of the new pass, and of the gap an earlier run left."""
        listing = Listing(self, "search")
        for kind in ["new", "gap"] if listing.gap is not None else ["new"]:
            yield self.search(None, 1, kind)

    def signed_in(self, response: Response, **kwargs: Any) -> Any:
        """Keep the session token and start searching."""
        if response.status in _AUTH_CODES:
            self.report_problem(
                response,
                f"Bluesky sign-in refused (HTTP {response.status}): "
                "check the handle and app password in the environment",
            )
            return
        data = self.read_json(response)
        token = data.get("accessJwt") if isinstance(data, dict) else None
        if not token:
            self.report_problem(response, "Bluesky sign-in answered without a session token")
            return
        self._token = str(token)
        yield from self.first_pages()

    def search(self, cursor: str | None, page: int, kind: str = "new") -> scrapy.Request:
        """A request for one page of search results of a pass."""
        listing = self.listings["search"]
        low = listing.low(listing.top if kind == "new" else listing.gap_floor)
        below = parse_time(listing.gap_stop) if kind == "gap" else None
        until = below + timedelta(milliseconds=1) if below is not None else None  # exclusive
        url = self.url(
            with_query(
                "/xrpc/app.bsky.feed.searchPosts",
                q=self.options.get("query"),
                sort="latest",
                limit=PAGE_SIZE,
                since=_stamp(low),
                until=_stamp(until),
                cursor=cursor,
            )
        )
        headers = {"Accept": "application/json"}
        meta: dict[str, Any] = {"handle_httpstatus_list": _AUTH_CODES}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
            meta["dont_cache"] = True
        return scrapy.Request(
            url,
            headers=headers,
            meta=meta,
            cb_kwargs={"page": page, "kind": kind},
            dont_filter=True,
        )

    def parse(self, response: Response, page: int = 1, kind: str = "new", **kwargs: Any) -> Any:
        """Yield a page's posts; follow the cursor while pages bring new ones."""
        if response.status in _AUTH_CODES:
            hint = (
                ""
                if self._token
                else " (the service may require sign-in: set handle_env and password_env)"
            )
            self.report_problem(
                response, f"Bluesky refused the search (HTTP {response.status}){hint}"
            )
            return
        data = self.read_json(response)
        if data is None:
            return
        posts = data.get("posts") if isinstance(data, dict) else None
        if not isinstance(posts, list):
            self.report_problem(response, "not a searchPosts answer (no posts)")
            return
        if not posts and page == 1 and kind == "new":
            self.empty_result()
        self.saw_entries(len(posts))
        scan = self.listings["search"].scan(kind)
        for _, item in scan.new(posts, self.post_item):
            yield item
        dated = [t for t in scan.published if t is not None]
        last = min(dated).isoformat() if dated else None
        cursor = data.get("cursor")
        resume = last if posts and cursor else None
        if scan.follow(page, resume):
            yield self.search(str(cursor), page + 1, kind)

    def post_item(self, post: Any) -> MentionItem | None:
        """One post view."""
        if not isinstance(post, dict):
            return None
        record = post.get("record") or {}
        author = post.get("author") or {}
        handle = author.get("handle")
        uri = str(post.get("uri") or "")
        rkey = uri.rsplit("/", 1)[-1] if uri else None
        likes = as_int(post.get("likeCount"))
        langs = record.get("langs") or []
        return self.item(
            external_id=uri or None,
            url=f"https://bsky.app/profile/{handle or author.get('did')}/post/{rkey}"
            if rkey
            else None,
            author=author.get("displayName") or handle,
            author_handle=handle,
            text=record.get("text"),
            published_at=record.get("createdAt") or post.get("indexedAt"),
            language=langs[0] if langs else None,
            reach=likes,
            metrics={
                "likes": likes,
                "reposts": as_int(post.get("repostCount")),
                "replies": as_int(post.get("replyCount")),
                "quotes": as_int(post.get("quoteCount")),
                "reply_to": dig(record, "reply", "parent", "uri"),
            },
            raw={"uri": uri, "cid": post.get("cid"), "did": author.get("did")},
        )


def _stamp(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if moment is not None else None
