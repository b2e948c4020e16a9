"""A crawl's errors as one count and one readable line, from its stats and reported problems.

Shared by the CrawlRun recorder and the error-count monitor, so both tell the same story:
"HTTP 500 ×2; timed out ×1; truncated JSON (…) (http://…)".
"""

from collections import Counter
from typing import Any

#: Network errors in words (Scrapy/Twisted exception class names).
EXCEPTION_WORDS = {
    "TimeoutError": "timed out",
    "TCPTimedOutError": "timed out",
    "ConnectionRefusedError": "connection refused",
    "ConnectionLost": "connection lost",
    "ConnectionDone": "connection closed",
    "ResponseNeverReceived": "no response",
    "ResponseFailed": "response broken off",
    "DNSLookupError": "DNS lookup failed",
    "SSLError": "TLS error",
    "DownloadTimeoutError": "timed out",
    "DownloadConnectionRefusedError": "connection refused",
    "CannotResolveHostError": "DNS lookup failed",
    "DownloadFailedError": "download failed",
    "DownloadCancelledError": "download cancelled",
    "ResponseDataLossError": "response cut short",
    "NotSupported": "unsupported URL scheme",
    "UnsupportedURLSchemeError": "unsupported URL scheme",
}
STATUS_WORDS = {429: "rate limited", 403: "forbidden", 404: "not found", 401: "sign-in required"}


def _status(code: str) -> str:
    word = STATUS_WORDS.get(int(code)) if code.isdigit() else None
    return f"HTTP {code} ({word})" if word else f"HTTP {code}"


def pages_read(stats: dict[str, Any]) -> int:
    """Responses received for the source's own pages (robots.txt left out)."""
    received = int(stats.get("response_received_count", 0))
    return max(0, received - int(stats.get("robotstxt/response_count", 0)))


def summarise(stats: dict[str, Any], problems: list[str]) -> tuple[int, str | None]:
    """(error count, one readable summary) from the crawl stats and the reported problems."""
    parts: list[str] = []
    errors = 0
    for key, value in sorted(stats.items()):
        if key.startswith("httperror/response_ignored_status_count/"):
            parts.append(f"{_status(key.rsplit('/', 1)[1])} ×{value}")
            errors += int(value)
        elif key.startswith("downloader/exception_type_count/"):
            name = key.rsplit("/", 1)[1].rsplit(".", 1)[-1]
            if name == "DownloadCancelledError" and stats.get("grapevine/pages_too_large"):
                continue  # each is a reported problem: "page larger than 32 MB: <url>"
            parts.append(f"{EXCEPTION_WORDS.get(name, name)} ×{value}")
        elif key == "retry/max_reached":
            parts.append(f"gave up after retries ×{value}")
            errors += int(value)
        elif key.startswith("spider_exceptions/") and key != "spider_exceptions/count":
            parts.append(f"parse error {key.split('/', 1)[1]} ×{value}")
            errors += int(value)
    if stats.get("robotstxt/forbidden"):
        parts.append(f"forbidden by robots.txt ×{stats['robotstxt/forbidden']}")
        errors += int(stats["robotstxt/forbidden"])
    for problem, count in Counter(problems).most_common(5):
        parts.append(problem if count == 1 else f"{problem} ×{count}")
    errors += len(problems)
    return errors, "; ".join(parts) or None
