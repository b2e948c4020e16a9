"""Field normalisation helpers for the pipelines: time, text, rating, content hash."""

import hashlib
import html
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from w3lib.html import remove_tags, replace_entities

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
        return datetime.fromtimestamp(seconds, UTC)
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
    text = text.replace("\u00a0", " ").replace("\x00", "")
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
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
