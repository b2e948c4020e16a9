"""Support-queue targets and their rules, as plain values (the application builds them).

Secrets (a webhook's signing secret, header values, SMTP credentials) are resolved from the
environment by the application and carried here with ``repr=False``, so a target printed or
logged by accident never shows them. A target that could not be built completely (a named
environment variable is unset) carries ``problem``: nothing is sent to it, and every export
run reports why.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from triage.export.payload import CaseRecord


@dataclass(frozen=True)
class Rules:
    """Which cases a target receives.

    ``brand`` always applies (``own``: your brand's cases, ``competitor``, ``any``). The other
    conditions that are set must all hold — or, with ``any_of``, at least one of them. A
    condition on the rating never holds for a mention without one. No condition: every case.
    """

    complaint: bool | None = None
    max_rating: float | None = None
    min_priority: float | None = None
    brand: Literal["own", "competitor", "any"] = "any"
    sources: tuple[str, ...] = ()
    aspects: tuple[str, ...] = ()
    any_of: bool = False

    def matches(self, case: "CaseRecord") -> bool:
        """Whether ``case`` goes to a target with these rules."""
        if self.brand == "own" and case.is_competitor:
            return False
        if self.brand == "competitor" and not case.is_competitor:
            return False
        checks: list[bool] = []
        if self.complaint is not None:
            checks.append(case.complaint == self.complaint)
        if self.max_rating is not None:
            checks.append(case.rating is not None and case.rating <= self.max_rating)
        if self.min_priority is not None:
            checks.append(case.priority >= self.min_priority)
        if self.sources:
            checks.append(case.source in self.sources)
        if self.aspects:
            checks.append(bool(set(case.aspects) & set(self.aspects)))
        if not checks:
            return True
        return any(checks) if self.any_of else all(checks)

    def describe(self) -> str:
        """The rules in words, for ``grapevine export --dry-run``."""
        parts = []
        if self.complaint is not None:
            parts.append("complaints" if self.complaint else "not complaints")
        if self.max_rating is not None:
            parts.append(f"rating ≤ {self.max_rating:g}")
        if self.min_priority is not None:
            parts.append(f"priority ≥ {self.min_priority:g}")
        if self.sources:
            parts.append("from " + ", ".join(self.sources))
        if self.aspects:
            parts.append("about " + ", ".join(self.aspects))
        scope = {
            "own": "your brand's cases",
            "competitor": "competitors' cases",
            "any": "all cases",
        }
        if not parts:
            return scope[self.brand]
        return f"{scope[self.brand]}: " + (" or " if self.any_of else " and ").join(parts)


EVERY_CASE = Rules()


@dataclass(frozen=True)
class WebhookTarget:
    """A JSON POST per case, signed with HMAC-SHA256 when ``secret`` is set."""

    name: str
    url: str = field(repr=False)  # a webhook URL can itself be a secret
    secret: str | None = field(default=None, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    timeout: float = 10.0
    rules: Rules = EVERY_CASE
    problem: str | None = None
    kind: Literal["webhook"] = "webhook"


@dataclass(frozen=True)
class EmailTarget:
    """One email per case to a helpdesk's intake address, through SMTP."""

    name: str
    to: tuple[str, ...]
    sender: str = "grapevine@localhost"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    starttls: bool = False
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    timeout: float = 20.0
    rules: Rules = EVERY_CASE
    problem: str | None = None
    kind: Literal["email"] = "email"


@dataclass(frozen=True)
class FileTarget:
    """A CSV or JSONL file that each export run appends to."""

    name: str
    path: Path
    format: Literal["csv", "jsonl"] = "jsonl"
    rules: Rules = EVERY_CASE
    problem: str | None = None
    kind: Literal["file"] = "file"


@dataclass(frozen=True)
class HelpdeskTarget:
    """A native helpdesk (``zendesk``, ``freshdesk``, ``rt``): one ticket per case, found
    again by ``grapevine-case-<id>``; :mod:`triage.helpdesk` has the clients.

    ``url``: RT's REST 2 API, Zendesk's ``https://SUB.zendesk.com``, Freshdesk's account
    URL. ``token``: RT's auth token, Zendesk's API token, Freshdesk's API key.
    """

    name: str
    kind: Literal["zendesk", "freshdesk", "rt"]
    url: str
    token: str | None = field(default=None, repr=False)
    email: str | None = field(default=None, repr=False)
    queue: str | None = None
    tags: tuple[str, ...] = ("grapevine",)
    timeout: float = 20.0
    rules: Rules = EVERY_CASE
    problem: str | None = None


Target = WebhookTarget | EmailTarget | FileTarget | HelpdeskTarget


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for failed deliveries, and when a failing target's turn ends.

    The n-th failed attempt waits ``base * 2**(n-1)``, at most ``cap``. Nothing is ever given
    up: a target that is down for days is retried at least every ``cap``, and receives every
    case when it is back. ``stop_after`` consecutive failures end the target's turn in a run
    (the rest wait for the next run instead of each waiting for its own timeout).
    """

    base: timedelta = timedelta(minutes=5)
    cap: timedelta = timedelta(hours=6)
    stop_after: int = 3

    def delay(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th failed attempt."""
        exponent = max(0, min(attempts - 1, 30))
        return min(self.cap, self.base * (2**exponent))
