"""The HTTP part every helpdesk client shares: JSON requests and the error mapping.

An error's text is safe to log and to store on the ledger: the HTTP status and what it
means, never the URL, a credential, or what the helpdesk echoed back. 429 and 5xx and
network failures are ``retryable`` (429 with the ``Retry-After`` seconds).
"""

from collections.abc import Mapping
from typing import Any

import requests

from triage.helpdesk.base import HelpdeskError

USER_AGENT = "Grapevine/0.1 (helpdesk sync)"
MEANING = {
    400: "the helpdesk refused the request as malformed",
    401: "the helpdesk rejected the credentials (check the token and its environment variable)",
    403: "the credentials may not do this (check the agent's or token's permissions)",
    404: "not found in the helpdesk (deleted, or a wrong URL or queue)",
    409: "the helpdesk reports a conflicting change",
    422: "the helpdesk refused the ticket's fields",
    429: "rate limited by the helpdesk",
}
NOTE_PREFIX = "Grapevine: "


def retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (only the delta-seconds form helpdesks send)."""
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None


class JsonApi:
    """One helpdesk's base URL, auth and timeout; :meth:`call` returns the decoded JSON."""

    def __init__(
        self,
        base_url: str,
        *,
        name: str,
        timeout: float,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.name = name
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.session.headers.update(dict(headers or {}))
        if auth is not None:
            self.session.auth = auth

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """One request; raises :class:`HelpdeskError` for anything but a 2xx answer."""
        url = self.base_url + path.lstrip("/")
        try:
            response = self.session.request(
                method, url, json=json, params=params, timeout=self.timeout,
                allow_redirects=False,
            )  # fmt: skip
        except requests.Timeout:
            raise HelpdeskError(
                f"{self.name}: no answer within {self.timeout:g} s", retryable=True
            ) from None
        except requests.RequestException as exc:
            raise HelpdeskError(
                f"{self.name}: connection failed ({type(exc).__name__})", retryable=True
            ) from None
        status = response.status_code
        if 200 <= status < 300:
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise HelpdeskError(
                    f"{self.name}: HTTP {status} but the answer is not JSON", retryable=True
                ) from None
        wait = retry_after(response.headers.get("Retry-After")) if status == 429 else None
        meaning = MEANING.get(status) or (
            "the helpdesk had an error" if status >= 500 else "the helpdesk refused the request"
        )
        text = f"{self.name}: HTTP {status}, {meaning}"
        if wait is not None:
            text += f"; retry after {wait:g} s"
        raise HelpdeskError(text, retryable=status == 429 or status >= 500, retry_after=wait)

    def close(self) -> None:
        """Close the connections."""
        self.session.close()


def ticket_subject(payload: Mapping[str, Any], external_id: str) -> str:
    """A ticket's subject: who said what, where, and the case's tag ``[grapevine-case-N]``."""
    stars = f"{payload['rating']:g}★ " if payload.get("rating") is not None else ""
    kind = "complaint" if payload.get("complaint") else (payload.get("label") or "mention")
    who = payload.get("author") or "someone"
    gist = " ".join(str(payload.get("title") or payload.get("text") or "").split())
    line = f"{stars}{kind} on {payload.get('source')} by {who} — {gist}"
    if len(line) > 120:
        line = line[:119] + "…"
    return f"{line} [{external_id}]"


def ticket_body(payload: Mapping[str, Any]) -> str:
    """A ticket's plain-text description of the case."""
    lines = [
        f"Case #{payload['case_id']} in Grapevine" + (f": {payload['case_url']}" if payload.get(
            "case_url") else ""),
        f"Source: {payload.get('source')}" + (
            f" — {payload['mention_url']}" if payload.get("mention_url") else ""),
        f"Author: {payload.get('author') or 'unknown'}",
    ]  # fmt: skip
    if payload.get("rating") is not None:
        lines.append(f"Rating: {payload['rating']:g}")
    if payload.get("aspects"):
        lines.append("About: " + ", ".join(payload["aspects"]))
    customer = payload.get("customer") or {}
    if customer.get("name") or customer.get("external_id"):
        lines.append(f"Customer: {customer.get('name') or ''} {customer.get('external_id') or ''}")
    lines += ["", str(payload.get("title") or ""), str(payload.get("text") or "")]
    return "\n".join(lines).strip() + "\n"


def requester(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The linked customer's (name, email), when the case has one."""
    customer = payload.get("customer") or {}
    email = customer.get("email")
    return customer.get("name"), (email if isinstance(email, str) and "@" in email else None)


def is_ours(note: str | None) -> bool:
    """Whether a note is one Grapevine added (not the helpdesk's own word)."""
    return bool(note) and str(note).lstrip().startswith(NOTE_PREFIX)
