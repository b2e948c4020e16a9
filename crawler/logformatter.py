"""Log lines for scraped and dropped items that name the item, never its text.

Review bodies are untrusted personal text: logs carry the source and external id only.
"""

import logging
from typing import Any

from scrapy import logformatter


def _name(item: Any) -> str:
    try:
        return f"{item.get('source')}:{item.get('external_id')}"
    except AttributeError:
        return type(item).__name__


class ItemIdLogFormatter(logformatter.LogFormatter):
    """Scrapy's log formatter, with items reduced to ``source:external_id``."""

    def scraped(self, item: Any, response: Any, spider: Any) -> Any:
        """Scraped items at DEBUG, by id."""
        return {"level": logging.DEBUG, "msg": "scraped %(item)s", "args": {"item": _name(item)}}

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        """Dropped items at DEBUG (the counts are in the crawl summary), by id and reason."""
        return {
            "level": logging.DEBUG,
            "msg": "dropped %(item)s: %(reason)s",
            "args": {"item": _name(item), "reason": str(exception)},
        }

    def item_error(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        """A pipeline error, by id."""
        return {
            "level": logging.ERROR,
            "msg": "error processing %(item)s",
            "args": {"item": _name(item)},
        }
