"""Minimise raw payloads: keep only the fields Grapevine uses, per source type.

A spider keeps a small ``raw`` dict of what the source served beyond the mention's columns.
What the product reads from it is ids: the reply connectors answer a post by its id (a
Mastodon status id, a Bluesky ``uri``/``cid``, a Google Business review ``name``), threads
link by parent ids. Everything else (profile links, the review body again, a platform's
extra fields) is personal data nobody reads, so :class:`MinimisePipeline` drops it unless
``[retention] keep_raw = true`` (the Scrapy setting ``GRAPEVINE_KEEP_RAW``).
"""

from collections.abc import Mapping
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

#: The raw fields kept per source type (the spider's ``name``).
RAW_FIELDS: dict[str, frozenset[str]] = {
    "trustpilot": frozenset({"id", "source"}),
    "trustpilot_business": frozenset({"id"}),
    "appstore": frozenset({"id"}),
    "appstore_connect": frozenset({"id", "territory", "response_id", "response_state"}),
    "googleplay": frozenset({"id", "language"}),
    "googlebusiness": frozenset({"id", "name", "location"}),
    "reddit": frozenset({"id", "subreddit", "parent_id", "link_id"}),
    "hackernews": frozenset({"objectID", "id", "story_id", "parent_id"}),
    "mastodon": frozenset({"id", "in_reply_to_id"}),
    "bluesky": frozenset({"uri", "cid"}),
    "feed": frozenset({"feed", "id", "link"}),
    "schemaorg": frozenset({"@id", "@type"}),
}
#: For a source type not listed: only what is an id everywhere.
DEFAULT_FIELDS = frozenset({"id", "uri", "cid"})


def minimise_raw(source_type: str | None, raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """``raw`` with only the allowed fields of ``source_type`` (empty values dropped)."""
    allowed = RAW_FIELDS.get(source_type or "", DEFAULT_FIELDS)
    return {k: v for k, v in (raw or {}).items() if k in allowed and v not in (None, "")}


class MinimisePipeline:
    """Cut each item's ``raw`` down to :data:`RAW_FIELDS` before it is stored.

    Off (``NotConfigured``) when ``GRAPEVINE_KEEP_RAW`` is true.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "MinimisePipeline":
        """Build from the settings; off when the whole payload is to be kept."""
        if crawler.settings.getbool("GRAPEVINE_KEEP_RAW"):
            raise NotConfigured()  # silently: GRAPEVINE_KEEP_RAW, raw payloads are kept whole
        return cls()

    def process_item(self, item: Any) -> Any:
        """Minimise ``item['raw']`` in place."""
        if item.get("raw"):
            item["raw"] = minimise_raw(item.get("source_type"), item.get("raw"))
        return item


def minimised(item: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``item`` with its raw payload minimised (a quarantined item stored again)."""
    return {**item, "raw": minimise_raw(item.get("source_type"), item.get("raw"))}
