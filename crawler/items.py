"""The item every spider yields: one public mention, as the source gave it."""

from typing import Any

import scrapy


class MentionItem(scrapy.Item):
    """A review, post, comment or article. Pipelines normalise, match, analyse and store it.

    Required: ``source``, ``source_type``, ``external_id``, ``url``, ``author``, ``text``.
    ``published_at`` may be a datetime or a string (ISO 8601, RFC 2822, epoch seconds); when
    the source gives none the pipeline uses the fetch time and sets ``published_estimated``.
    ``rating`` is on the source's scale, given by ``rating_best``/``rating_worst`` (default 5/1).
    ``edited_at`` (when the author last changed it) moves the high-water mark like a
    publication does, so an edited review is seen again; ``reach`` is the single best audience
    number and ``metrics`` holds every count the source gives (likes, score, replies...).
    """

    source = scrapy.Field()
    source_type = scrapy.Field()
    external_id = scrapy.Field()
    url = scrapy.Field()
    author = scrapy.Field()
    author_handle = scrapy.Field()
    title = scrapy.Field()
    text = scrapy.Field()
    text_is_html = scrapy.Field()
    rating = scrapy.Field()
    rating_best = scrapy.Field()
    rating_worst = scrapy.Field()
    published_at = scrapy.Field()
    published_estimated = scrapy.Field()
    edited_at = scrapy.Field()
    fetched_at = scrapy.Field()
    language = scrapy.Field()
    reach = scrapy.Field()
    metrics = scrapy.Field()
    reply_text = scrapy.Field()
    reply_at = scrapy.Field()
    brand = scrapy.Field()
    is_competitor = scrapy.Field()
    match_terms = scrapy.Field()
    raw = scrapy.Field()
    # filled by the pipelines
    content_hash = scrapy.Field()
    analysis = scrapy.Field()

    def get(self, key: str, default: Any = None) -> Any:
        """A field's value or ``default``: a dict lookup (the pipelines ask for every field
        of every item; the inherited ``Mapping.get`` raises and catches a KeyError for each
        missing one)."""
        return self._values.get(key, default)


REQUIRED_FIELDS = ("source", "source_type", "external_id", "url", "author", "text")
