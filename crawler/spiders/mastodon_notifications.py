"""Mastodon: the mentions of the brand's own account (``GET /api/v1/notifications``).

Options: ``base_url`` (the account's server), ``token`` (the account's access token with
``read:notifications``, from the environment through ``token_env``) and ``account`` (the
brand's handle; used by the reply side, see :mod:`triage.connectors.mastodon`). Every mention
of the account is about the brand, so nothing is dropped for not naming it.

The notifications are asked for with ``types[]=mention``, newest first, 40 a page, and paged
by ``max_id`` as the ``Link: rel="next"`` header says (a notification id is not a status id:
the page position comes from the header, the publication time from the status). Each
notification's ``status`` is read as the mastodon spider reads a timeline status (its local
``id`` kept in the raw payload, which is what a reply's ``in_reply_to_id`` needs). A run reads
down to the last run's newest status less the overlap; a run stopped by ``max_pages`` keeps
its ``max_id`` in the cursor and the next run continues from it.
"""

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import scrapy
from scrapy.http import Response

from crawler.parsing import link_header, with_query
from crawler.spiders.base import Listing, coverage_rules
from crawler.spiders.mastodon import PAGE_SIZE, MastodonSpider

_AUTH_ERRORS = [401, 403]


class MastodonNotificationsSpider(MastodonSpider):
    """Read the brand account's mention notifications."""

    name = "mastodon_notifications"
    custom_settings = coverage_rules(author_handle=1.0)
    lists_everything = False

    async def start(self) -> AsyncIterator[Any]:
        """The first page of each pass over the notifications."""
        if not self._token:
            self.report_problem(
                None, "the mentions of an account need its access token: set token_env"
            )
            return
        listing = Listing(self, "notifications")
        for kind in self.passes(listing):
            yield self.notifications_page(listing, kind)

    def notifications_page(
        self, listing: Listing, kind: str, *, max_id: str | None = None, page: int = 1
    ) -> scrapy.Request:
        """A page of mention notifications below ``max_id``."""
        if kind == "gap" and page == 1:
            max_id = str(listing.gap_stop) if listing.gap_stop else None
        path = with_query("/api/v1/notifications", limit=PAGE_SIZE, max_id=max_id)
        path += ("&" if "?" in path else "?") + "types%5B%5D=mention"
        return self.request(
            self.url(path),
            callback=self.parse_notifications,
            cb_kwargs={"listing": listing, "kind": kind, "page": page},
            meta={"handle_httpstatus_list": _AUTH_ERRORS},
        )

    def parse_notifications(
        self, response: Response, listing: Listing, kind: str, page: int = 1
    ) -> Any:
        """Yield the statuses of a page's mentions; request the next page while the pass goes on."""
        if response.status in _AUTH_ERRORS:
            data = self.read_json(response) or {}
            said = data.get("error") if isinstance(data, dict) else None
            self.report_problem(
                response,
                f"the server refused the account's token (HTTP {response.status}: "
                f"{said or 'no reason'}); it needs the read:notifications scope",
            )
            return
        data = self.read_json(response)
        if data is None:
            return
        if not isinstance(data, list):
            error = data.get("error") if isinstance(data, dict) else None
            self.report_problem(
                response, f"not a Mastodon notification list ({error or 'no list'})"
            )
            return
        if not data and page == 1 and kind == "new":
            self.empty_result()
        self.saw_entries(len(data))
        statuses = [
            n["status"]
            for n in data
            if isinstance(n, dict)
            and n.get("type") == "mention"
            and isinstance(n.get("status"), dict)
        ]
        scan = listing.scan(kind, edits=True)
        for _status, item in scan.new(statuses, lambda s: self.status_item(s, listing=False)):
            yield item
        resume = _max_id(link_header(response, "next")) if data else None
        if scan.follow(page, resume):
            yield self.notifications_page(listing, kind, max_id=resume, page=page + 1)


def _max_id(link: str | None) -> str | None:
    if not link:
        return None
    found = parse_qs(urlparse(link).query).get("max_id")
    return found[0] if found else None
