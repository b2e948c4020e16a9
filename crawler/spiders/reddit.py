"""Reddit: search results and subreddits' new posts, and comments where configured.

Options: ``query`` (``/search.json?q=…&sort=new``; kept as the site returned them),
``subreddits`` (``/r/<sub>/new.json``; only posts naming a brand are kept), ``comments``
(also each subreddit's newest comments, ``/r/<sub>/comments.json``, and the comment trees of
new search results, ``/comments/<id>.json``) and ``more_comments`` (how many
``/api/morechildren.json`` requests may expand a tree's "load more comments" stubs; stubs
beyond that, and "continue this thread" stubs, are counted in ``grapevine/reddit/more_skipped``).
Listings page with ``after`` (the fullname of the last thing read) down to what the last run
covered less the overlap (``overlap_days``). A listing stopped by ``max_pages`` keeps its
``after`` in the cursor (``{"r/<sub>/new": {"top": ..., "gap": {"resume": "t3_…", ...}}}``)
and the next run continues from it. Reddit answers an empty listing when that fullname was
deleted meanwhile: the gap then ends there (Reddit serves no older posts by another key; the
listing holds at most ~1,000 things anyway).
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.items import MentionItem
from crawler.parsing import as_int, dig, with_query
from crawler.spiders.base import Listing, SourceSpider

SITE = "https://www.reddit.com"
_GONE = {"[deleted]", "[removed]"}
_MORE_BATCH = 100


class RedditSpider(SourceSpider):
    """Read Reddit listings (JSON) and, optionally, comment trees."""

    name = "reddit"
    default_base_url = "https://www.reddit.com"
    list_options = ("subreddits",)
    default_max_pages = 10

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        value = self.options.get("comments", False)
        self.comments = (
            value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}
        )
        self.more_requests = as_int(self.options.get("more_comments"))
        if self.more_requests is None:
            self.more_requests = 1

    async def start(self) -> AsyncIterator[Any]:
        """The first page of every configured listing."""
        query = self.options.get("query")
        subs = [
            s.strip().removeprefix("r/").strip("/") for s in self.options.get("subreddits") or []
        ]
        if not query and not subs:
            self.report_problem(None, "no query or subreddits configured")
        requests: list[scrapy.Request] = []
        if query:
            requests += self.passes("/search.json", False, q=query, sort="new", type="link")
        for sub in subs:
            requests += self.passes(f"/r/{sub}/new.json", True)
            if self.comments:
                requests += self.passes(f"/r/{sub}/comments.json", True)
        for request in requests:
            yield request

    def passes(self, path: str, listing: bool, **params: Any) -> Iterator[scrapy.Request]:
        """Page 1 of a listing's new pass, and of the gap an earlier run left in it."""
        key = path.removesuffix(".json").lstrip("/")
        if params.get("q"):
            key = f"{key}:{str(params['q']).lower()}"
        state = Listing(self, key)
        yield self.listing(path, listing=listing, key=key, **params)
        if state.gap is not None and state.gap_stop:
            after = str(state.gap_stop)
            yield self.listing(path, listing=listing, key=key, kind="gap", after=after, **params)

    def listing(
        self,
        path: str,
        *,
        listing: bool,
        key: str,
        kind: str = "new",
        page: int = 1,
        **params: Any,
    ) -> scrapy.Request:
        """A request for one page of a listing."""
        url = self.url(with_query(path, limit=100, raw_json=1, **params))
        return scrapy.Request(
            url,
            callback=self.parse,
            cb_kwargs={
                "path": path,
                "params": params,
                "listing": listing,
                "page": page,
                "key": key,
                "kind": kind,
            },
            dont_filter=True,
        )

    def parse(
        self,
        response: Response,
        path: str = "",
        params: dict[str, Any] | None = None,
        listing: bool = False,
        page: int = 1,
        key: str = "",
        kind: str = "new",
        **kwargs: Any,
    ) -> Any:
        """Yield a listing page's posts/comments and follow ``after`` while they are new."""
        data = self.read_json(response)
        if data is None:
            return
        children = dig(data, "data", "children")
        if dig(data, "kind") != "Listing" or not isinstance(children, list):
            self.report_problem(response, "not a Reddit listing (no data.children)")
            return
        if not children and page == 1 and kind == "new":
            self.empty_result()
        self.saw_entries(len(children))
        scan = self.listings[key].scan(kind)
        for child, item in scan.new(children, lambda c: self.thing_item(c, listing=listing)):
            yield item
            post = child.get("data") or {}
            is_post = child.get("kind") == "t3"
            if self.comments and not listing and is_post and as_int(post.get("num_comments")):
                yield self.thread_request(post)
        after = dig(data, "data", "after") if children else None
        if scan.follow(page, str(after) if after else None):
            params = {**(params or {}), "after": after}
            yield self.listing(path, listing=listing, key=key, kind=kind, page=page + 1, **params)

    def thread_request(self, post: dict[str, Any]) -> scrapy.Request:
        """The comment tree of a post, newest first."""
        url = self.url(
            with_query(f"/comments/{post.get('id')}.json", sort="new", limit=500, raw_json=1)
        )
        return scrapy.Request(url, callback=self.parse_thread, cb_kwargs={"post": post})

    def parse_thread(self, response: Response, post: dict[str, Any], **kwargs: Any) -> Any:
        """Yield a thread's comments (nested replies included) and expand ``more`` stubs."""
        data = self.read_json(response)
        if data is None:
            return
        if not (isinstance(data, list) and len(data) == 2):
            self.report_problem(response, "not a Reddit comment thread ([post, comments])")
            return
        stubs: list[str] = []
        comments = list(self.walk(dig(data, 1, "data", "children") or [], stubs))
        self.saw_entries(len(comments) + 1)
        yield from self.fresh_comments(comments, post)
        yield from self.more_requests_for(post, stubs)

    def parse_more(
        self, response: Response, post: dict[str, Any], budget: int = 0, **kwargs: Any
    ) -> Any:
        """Yield comments loaded from ``/api/morechildren``."""
        data = self.read_json(response)
        if data is None:
            return
        things = dig(data, "json", "data", "things")
        if not isinstance(things, list):
            errors = dig(data, "json", "errors") or "no json.data.things"
            self.report_problem(response, f"unexpected morechildren answer ({errors})")
            return
        stubs: list[str] = []
        comments = list(self.walk(things, stubs))
        self.saw_entries(len(comments))
        yield from self.fresh_comments(comments, post)
        yield from self.more_requests_for(post, stubs, budget)

    def walk(self, children: list[Any], stubs: list[str]) -> Iterator[dict[str, Any]]:
        """Every comment in a tree, depth first; ``more`` stubs' ids are collected."""
        for child in children:
            if not isinstance(child, dict):
                continue
            data = child.get("data") or {}
            if child.get("kind") == "more":
                ids = [str(i) for i in data.get("children") or []]
                if ids:
                    stubs.extend(ids)
                else:  # "continue this thread": needs one request per stub
                    self.stat_inc("grapevine/reddit/more_skipped", as_int(data.get("count")) or 1)
            elif child.get("kind") == "t1":
                yield data
                replies = data.get("replies")
                if isinstance(replies, dict):
                    yield from self.walk(dig(replies, "data", "children") or [], stubs)

    def fresh_comments(
        self, comments: list[dict[str, Any]], post: dict[str, Any]
    ) -> Iterator[MentionItem]:
        """Items for the comments newer than the high-water mark."""
        for comment in comments:
            item = self.comment_item(comment, listing=False, post=post)
            if item is not None and self.is_new(item.get("published_at")):
                yield item

    def more_requests_for(
        self, post: dict[str, Any], stubs: list[str], budget: int | None = None
    ) -> Iterator[scrapy.Request]:
        """Requests expanding ``more`` stubs, within the per-thread budget."""
        budget = self.more_requests if budget is None else budget
        assert budget is not None
        while stubs and budget > 0:
            batch, stubs = stubs[:_MORE_BATCH], stubs[_MORE_BATCH:]
            budget -= 1
            url = self.url(
                with_query(
                    "/api/morechildren.json",
                    api_type="json",
                    link_id=post.get("name") or f"t3_{post.get('id')}",
                    children=",".join(batch),
                    sort="new",
                    raw_json=1,
                )
            )
            yield scrapy.Request(
                url, callback=self.parse_more, cb_kwargs={"post": post, "budget": budget}
            )
        if stubs:
            self.stat_inc("grapevine/reddit/more_skipped", len(stubs))

    def thing_item(self, child: Any, *, listing: bool) -> MentionItem | None:
        """An item from a listing child (a post or a comment)."""
        if not isinstance(child, dict):
            return None
        data = child.get("data") or {}
        if child.get("kind") == "t3":
            return self.post_item(data, listing=listing)
        if child.get("kind") == "t1":
            return self.comment_item(data, listing=listing)
        return None

    def post_item(self, post: dict[str, Any], *, listing: bool) -> MentionItem | None:
        """One submission."""
        text = (post.get("selftext") or "").strip()
        if text in _GONE:
            text = ""
        author = post.get("author")
        score = as_int(post.get("score"))
        return self.item(
            listing=listing,
            external_id=post.get("name") or f"t3_{post.get('id')}",
            url=SITE + post["permalink"] if post.get("permalink") else post.get("url"),
            author=author,
            author_handle=author if author and author not in _GONE else None,
            title=post.get("title"),
            text=text or post.get("title"),
            published_at=post.get("created_utc"),
            edited_at=post.get("edited") or None,
            reach=score,
            metrics={
                "score": score,
                "comments": as_int(post.get("num_comments")),
                "upvote_ratio": post.get("upvote_ratio"),
                "subreddit": post.get("subreddit"),
                "subscribers": as_int(post.get("subreddit_subscribers")),
                "link": None if post.get("is_self") else post.get("url"),
            },
            raw={"id": post.get("name"), "subreddit": post.get("subreddit")},
        )

    def comment_item(
        self, comment: dict[str, Any], *, listing: bool, post: dict[str, Any] | None = None
    ) -> MentionItem | None:
        """One comment; deleted and removed comments are skipped."""
        body = (comment.get("body") or "").strip()
        if not body or body in _GONE:
            self.stat_inc("grapevine/reddit/comments_gone")
            return None
        author = comment.get("author")
        score = as_int(comment.get("score"))
        link_id = str(comment.get("link_id") or (post or {}).get("name") or "")
        permalink = comment.get("permalink") or (
            f"/r/{comment.get('subreddit')}/comments/{link_id.removeprefix('t3_')}/_/{comment.get('id')}/"
        )
        return self.item(
            listing=listing,
            external_id=comment.get("name") or f"t1_{comment.get('id')}",
            url=SITE + permalink,
            author=author,
            author_handle=author if author and author not in _GONE else None,
            text=body,
            published_at=comment.get("created_utc"),
            edited_at=comment.get("edited") or None,
            reach=score,
            metrics={
                "score": score,
                "depth": as_int(comment.get("depth")),
                "subreddit": comment.get("subreddit"),
                "thread": (post or {}).get("title") or comment.get("link_title"),
            },
            raw={
                "id": comment.get("name"),
                "parent_id": comment.get("parent_id"),
                "link_id": link_id,
            },
        )
