"""Small parsing helpers the spiders share: JSON with readable failures, Link headers, paths.

Every failure comes back as one readable reason ("an HTML page where JSON was expected",
"truncated JSON after 1,234 bytes") that ends up in the source's CrawlRun.
"""

import json
import re
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Response

_LINK = re.compile(r"<\s*([^>]*)\s*>\s*((?:;\s*[^;,]+)*)")
_PARAM = re.compile(r';\s*([\w*-]+)\s*=\s*"?([^";,]*)"?')


class ParseFailure(ValueError):
    """A response could not be read as what the spider expected; ``str()`` is the reason."""


def response_text(response: Response) -> str:
    """The decoded body of any response (binary responses decoded as UTF-8)."""
    text = getattr(response, "text", None)
    if isinstance(text, str):
        return text
    return response.body.decode("utf-8", errors="replace")


def looks_like_html(response: Response, text: str) -> bool:
    """Whether a response is an HTML page (a login wall, an error page, a new layout)."""
    ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    head = text.lstrip()[:200].lower()
    return "html" in ctype or head.startswith(("<!doctype html", "<html", "<head", "<body"))


def read_json(response: Response) -> Any:
    """The JSON document in ``response``; raises :class:`ParseFailure` with the reason."""
    text = response_text(response)
    if not text.strip():
        raise ParseFailure("an empty response where JSON was expected")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if looks_like_html(response, text) or text.lstrip().startswith("<"):
            raise ParseFailure(
                "an HTML page where JSON was expected (blocked, a login wall or a new layout?)"
            ) from None
        if exc.pos >= len(text.rstrip()) - 1:
            raise ParseFailure(
                f"truncated JSON (the response ends after {len(response.body):,} bytes)"
            ) from None
        raise ParseFailure(
            f"malformed JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None


def link_header(response: Response, rel: str = "next") -> str | None:
    """The URL of the ``rel`` link in the response's ``Link`` header(s) (RFC 8288)."""
    for raw in response.headers.getlist(b"Link"):
        value = raw.decode("latin-1")
        for match in _LINK.finditer(value):
            params = dict((k.lower(), v) for k, v in _PARAM.findall(match.group(2)))
            if rel in params.get("rel", "").split():
                return match.group(1).strip()
    return None


def dig(data: Any, *path: str | int, default: Any = None) -> Any:
    """``data[a][b]...`` or ``default`` when any step is missing or of the wrong type."""
    node = data
    for key in path:
        in_list = isinstance(key, int) and isinstance(node, list) and -len(node) <= key < len(node)
        in_dict = isinstance(key, str) and isinstance(node, dict) and key in node
        if not (in_list or in_dict):
            return default
        node = node[key]
    return node


def label(data: Any, *path: str) -> Any:
    """An iTunes-style ``{"label": value}`` leaf (``data[path]["label"]``)."""
    node = dig(data, *path)
    return node.get("label") if isinstance(node, dict) else node


def with_query(path: str, **params: Any) -> str:
    """``path?k=v&...`` with the ``None`` parameters left out."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{path}?{query}" if query else path


def as_int(value: Any) -> int | None:
    """An integer from a number or a numeric string (``None`` otherwise)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None
