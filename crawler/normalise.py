"""Field normalisation for the pipelines: time, text, rating, content hash, a whole item.

Untrusted text may carry what no database stores: a NUL, or a lone surrogate (JSON allows
``"\ud800"``, UTF-8 cannot encode it). :func:`clean_text` removes the one and replaces the other
with U+FFFD, and :func:`content_hash` hashes any string, so one such review never raises here.
"""

import hashlib
import html
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from w3lib.html import remove_tags, replace_entities

from crawler.items import REQUIRED_FIELDS
from storage.sanitise import clean_string

_WS = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BLOCK_TAGS = re.compile(r"<\s*(?:br|/p|/div|/li|/h\d)\s*/?\s*>", re.IGNORECASE)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def parse_time(value: Any) -> datetime | None:
    """A UTC datetime from a datetime, ISO 8601 or RFC 2822 string, or epoch seconds/ms."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000.0 if value > 10**11 else float(value)
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):  # out of range: as good as no time
            return None
    text = str(value).strip()
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return parse_time(float(text))
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def html_to_text(value: str) -> str:
    """Plain text from an HTML fragment: tags dropped, entities decoded, paragraphs kept."""
    value = _SCRIPT_STYLE.sub(" ", value)
    value = _BLOCK_TAGS.sub("\n", value)
    return replace_entities(remove_tags(value))


def clean_text(value: Any, *, is_html: bool = False) -> str:
    """Untrusted text as tidy plain text: HTML removed if flagged, whitespace collapsed."""
    if value is None:
        return ""
    text = str(value)
    text = html_to_text(text) if is_html else html.unescape(text)
    text = clean_string(text.replace("\u00a0", " "))
    text = _WS.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def normalise_rating(value: Any, best: Any = None, worst: Any = None) -> float | None:
    """A rating on the 1–5 scale from the source's own scale (``worst``..``best``)."""
    if value is None or value == "":
        return None
    try:
        rating = float(value)
        top = float(best) if best not in (None, "") else 5.0
        bottom = float(worst) if worst not in (None, "") else 1.0
    except (TypeError, ValueError):
        return None
    if top <= bottom:
        return None
    rating = min(max(rating, bottom), top)
    return round(1.0 + (rating - bottom) * 4.0 / (top - bottom), 2)


def content_hash(title: str | None, text: str, rating: float | None) -> str:
    """A hash of what the author wrote: a change means the review was edited."""
    payload = "\x1f".join([title or "", text, "" if rating is None else f"{rating:g}"])
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


class MissingField(ValueError):
    """A required field is empty after cleaning (the pipeline drops the item)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"missing_{name}")
        self.field = name


def normalise_item(item: Any) -> Any:
    """Normalise one item (a ``MentionItem`` or a plain dict) in place and return it.

    Text, title, author and reply are cleaned (HTML removed when ``text_is_html``); times
    become UTC (a missing publication time is the fetch time, flagged as estimated; none is
    in the future); the rating goes on the 1–5 scale; the content hash is computed. Raises
    :class:`MissingField` for an item without a required field. Running it again on its own
    output (a quarantine retry of the item's JSON) gives the same item.
    """
    is_html = bool(item.get("text_is_html"))
    item["text"] = clean_text(item.get("text"), is_html=is_html)
    if item.get("title") is not None:
        item["title"] = clean_text(item["title"], is_html=is_html) or None
    if item.get("author") is not None:
        item["author"] = clean_text(item["author"]) or None
    for name in REQUIRED_FIELDS:
        if item.get(name) in (None, ""):
            raise MissingField(name)
    item["external_id"] = str(item["external_id"])
    now = datetime.now(UTC)
    item["fetched_at"] = parse_time(item.get("fetched_at")) or now
    published = parse_time(item.get("published_at"))
    if published is None:
        item["published_estimated"] = True
        published = item["fetched_at"]
    item["published_at"] = min(published, now)
    item["reply_at"] = parse_time(item.get("reply_at"))
    edited = parse_time(item.get("edited_at"))
    item["edited_at"] = min(edited, now) if edited is not None else None
    if item.get("reply_text"):
        item["reply_text"] = clean_text(item["reply_text"], is_html=is_html)
    item["rating"] = normalise_rating(
        item.pop("rating", None), item.pop("rating_best", None), item.pop("rating_worst", None)
    )
    item.pop("text_is_html", None)  # the text is plain from here on
    item["content_hash"] = content_hash(item.get("title"), item["text"], item["rating"])
    return item
