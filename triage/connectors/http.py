"""One JSON request to a platform's API within a total deadline, for the reply connectors.

The answer is read up to :data:`MAX_ANSWER_BYTES`; a transport failure (refused, timed out)
is a :class:`~triage.connectors.base.ReplyError` of kind ``unavailable``, an HTTP error its
kind by status (:func:`~triage.connectors.base.error_from_status`) with the platform's own
message, taken from its error body by ``message_of``.
"""

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from triage.connectors.base import ErrorKind, ReplyError, error_from_status
from triage.http_delivery import deadline_session, http_error, total_deadline

MAX_ANSWER_BYTES = 1024 * 1024
DEFAULT_TIMEOUT = 20.0


@dataclass
class JsonAnswer:
    """A platform's answer: status, parsed JSON body (``None`` if not JSON), headers."""

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)


def _read(response: requests.Response) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(8192):
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_ANSWER_BYTES:
            break
    return b"".join(chunks)


def _retry_after(headers: Mapping[str, str]) -> str | None:
    """Seconds to wait: ``Retry-After``, else the reset time of the rate limit as seconds
    from now — atproto's ``RateLimit-Reset`` (a Unix time) or Mastodon's
    ``X-RateLimit-Reset`` (an ISO 8601 time)."""
    lower = {k.lower(): v.strip() for k, v in headers.items()}
    if lower.get("retry-after"):
        return lower["retry-after"]
    reset = lower.get("ratelimit-reset") or lower.get("x-ratelimit-reset")
    if not reset:
        return None
    if reset.isdigit():
        return str(max(int(reset) - int(time.time()), 0))
    try:
        when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return str(max(round((when - datetime.now(UTC)).total_seconds()), 0))


class JsonClient:
    """Requests to one API (``base_url``) with its headers; ``message_of(body)`` reads the
    platform's error message from an error body."""

    def __init__(
        self,
        base_url: str,
        *,
        platform: str,
        message_of: Callable[[Any], str | None],
        kind_of: Callable[[Any], ErrorKind | None] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.platform = platform
        self.message_of = message_of
        self.kind_of = kind_of
        self.timeout = timeout
        self.session = deadline_session()

    def call(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> JsonAnswer:
        """Send one request; raise :class:`ReplyError` for an error status or a failure."""
        url = self.base_url + path
        sent = {"Accept": "application/json", **(headers or {})}
        data = None
        if json_body is not None:
            sent["Content-Type"] = "application/json"
            data = json.dumps(json_body).encode()
        with total_deadline(self.timeout) as expired:
            try:
                response = self.session.request(
                    method,
                    url,
                    data=data,
                    params=dict(params or {}),
                    headers=sent,
                    timeout=self.timeout,
                    allow_redirects=False,
                    stream=True,
                )
                with response:
                    raw = _read(response)
                    status, answer_headers = response.status_code, dict(response.headers)
            except (requests.RequestException, OSError) as exc:
                if expired.is_set():
                    reason = f"timed out after {self.timeout:g} s"
                elif isinstance(exc, requests.RequestException):
                    reason = http_error(exc, self.timeout)
                else:
                    reason = f"request failed ({type(exc).__name__})"
                raise ReplyError(
                    "unavailable", f"{self.platform} did not answer: {reason}"
                ) from None
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if status >= 400:
            said = self.message_of(body) or f"HTTP {status}"
            error = error_from_status(
                status, f"{self.platform}: {said}", _retry_after(answer_headers)
            )
            kind = self.kind_of(body) if self.kind_of else None
            if kind:
                error.kind = kind
            raise error
        return JsonAnswer(status, body, answer_headers)
