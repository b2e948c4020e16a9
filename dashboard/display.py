"""Showing untrusted text and times safely and readably.

Review text, titles, author names and URLs come from strangers on the internet. They are only
ever shown through elements that do not interpret Markdown or HTML (``st.text``, ``st.code``,
dataframe cells, input values); never in ``st.markdown``, titles, captions or widget labels,
which do. Links are shown only for ``http(s)`` URLs, with the real address as text beside them.
"""

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def clean(text: str | None) -> str:
    """``text`` without control and bidirectional-override characters (they can reorder or
    hide what is shown); newlines and tabs are kept."""
    if not text:
        return ""
    return _CONTROL.sub("", unicodedata.normalize("NFC", str(text)))


def preview(text: str | None, length: int = 160) -> str:
    """One line of at most ``length`` characters, for a table cell."""
    flat = " ".join(clean(text).split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) address, else ``None`` (no ``javascript:``)."""
    if not url:
        return None
    url = clean(url).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def untrusted(text: str | None, *, empty: str = "(no text)") -> None:
    """Show a stranger's text as plain text: no Markdown, no HTML, wrapped."""
    st.text(clean(text) or empty, wrap=True)


def _zone() -> Any:
    name = None
    try:
        name = st.context.timezone
    except Exception:  # outside a browser session (tests): UTC
        name = None
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC time in the viewer's time zone (their browser's; UTC when unknown)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_zone()).strftime(fmt)


def zone_name() -> str:
    """The name of the time zone times are shown in."""
    return str(_zone())


def as_local(moment: datetime | None) -> datetime | None:
    """``moment`` converted to the viewer's zone and made naive (for dataframe columns)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_zone()).replace(tzinfo=None)


def duration(delta: timedelta) -> str:
    """``3 d``, ``5 h``, ``12 min``: a short, rounded length of time."""
    seconds = abs(delta.total_seconds())
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} d"
    if seconds >= 3600:
        return f"{seconds / 3600:.0f} h"
    return f"{max(1, round(seconds / 60))} min"


def sla(
    due_at: datetime | None, first_action_at: datetime | None, status: str, now: datetime
) -> str:
    """Where a case stands against its service level, in words."""
    if status in ("resolved", "dismissed"):
        return "closed"
    if first_action_at is not None:
        return "answered"
    if due_at is None:
        return "no due time"
    if due_at < now:
        return f"OVERDUE {duration(now - due_at)}"
    return f"due in {duration(due_at - now)}"


def status_name(status: str | None) -> str:
    """``waiting_on_customer`` -> ``waiting on customer``."""
    return (status or "").replace("_", " ")


#: What each timeline entry is, in words.
EVENT_NAMES = {
    "opened": "case opened",
    "assigned": "assigned",
    "status": "status changed",
    "action": "action taken",
    "note": "note",
    "follow_up": "follow-up",
    "link": "customer link",
    "export": "support queue",
    "reply": "reply",
    "answered": "answered on the platform",
}
_CODE = re.compile(r"\b(?:in_progress|waiting_on_customer)\b")


def event_name(kind: str | None) -> str:
    """A timeline entry's kind in words (``follow_up`` -> ``follow-up``)."""
    return EVENT_NAMES.get(kind or "", (kind or "").replace("_", " "))


def words(text: str | None) -> str:
    """A message written by the system with the status codes in it as words
    (``new → in_progress`` -> ``new → in progress``)."""
    return _CODE.sub(lambda m: status_name(m.group(0)), text or "")


def money(amount: float | None) -> str:
    """``1840.5`` -> ``1,840.50``; whole amounts without cents (``1,200``); empty for none."""
    if amount is None:
        return ""
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"


def blank(value: Any) -> Any:
    """``value``, with ``None`` (and NaN) as an empty cell rather than the word "None"."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return value


def stars(rating: float | None) -> str:
    """A rating as stars (``★★☆☆☆``), or empty."""
    if rating is None:
        return ""
    full = max(0, min(5, round(rating)))
    return "★" * full + "☆" * (5 - full)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-!|<>~:$])")


def md_escape(text: str | None) -> str:
    """``text`` with Markdown's special characters escaped, for a message that must be
    Markdown (an alert) but carries something a person typed."""
    return _MARKDOWN.sub(r"\\\1", clean(text))
