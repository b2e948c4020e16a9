"""What every reply connector offers, and the errors a failed post reports.

A connector is built from a source's settings (its ``type``, ``base_url`` and the names of the
environment variables holding its credentials) and the environment; it posts, edits and deletes
replies. It never decides whether to post: a person pressed the button (see
:mod:`triage.replies`).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Visibility = Literal["public", "unlisted", "private", "direct"]

#: Why a post failed, in words a responder can act on.
ErrorKind = Literal[
    "auth",  # 401: the token is missing, wrong or expired
    "forbidden",  # 403: the account may not answer this (not the owner, scope missing)
    "gone",  # 404/410: the review or post was deleted
    "rate_limited",  # 429: try again after ``retry_after`` seconds
    "invalid",  # 400/422: the platform refused the text (too long, empty…)
    "unavailable",  # 5xx, timeout, connection refused
    "unsupported",  # this platform cannot do that (a private reply on the App Store…)
]


@dataclass(frozen=True)
class ReplyTarget:
    """What is being answered: the mention as stored (source type, external id, url, raw).

    ``idempotency_key`` is unique to the draft being posted: a platform that supports one
    (Mastodon's ``Idempotency-Key``) returns the reply already made when a post is retried.
    """

    source_type: str
    external_id: str
    url: str | None = None
    author_handle: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None


@dataclass(frozen=True)
class PostedReply:
    """The platform's record of a reply: its id and a link a person can open."""

    platform_id: str
    url: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


class ReplyError(Exception):
    """A post, edit or delete the platform refused or could not take; the draft is kept."""

    def __init__(self, kind: ErrorKind, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message
        self.retry_after = retry_after


class Connector(Protocol):
    """A platform's reply API. ``can_private``/``can_edit``/``can_delete`` drive the buttons."""

    platform: str
    can_private: bool
    can_edit: bool
    can_delete: bool

    def post(self, target: ReplyTarget, text: str, *, visibility: Visibility) -> PostedReply:
        """Publish ``text`` as an answer to ``target``; raise :class:`ReplyError`."""
        ...

    def edit(self, target: ReplyTarget, reply: PostedReply, text: str) -> PostedReply:
        """Replace a posted reply's text (raise ``ReplyError('unsupported', …)`` if impossible)."""
        ...

    def delete(self, target: ReplyTarget, reply: PostedReply) -> None:
        """Remove a posted reply (raise ``ReplyError('unsupported', …)`` if impossible)."""
        ...


class ReplyFinder(Protocol):
    """Optional, for a connector that can look for the brand's own answer on the platform
    (the daily job marks such a case answered, even when it was answered outside Grapevine);
    it looks only where ``looks_for_replies`` is true (Mastodon: the brand's ``account`` is
    configured)."""

    looks_for_replies: bool

    def find_reply(self, target: ReplyTarget) -> PostedReply | None:
        """The brand's reply to ``target`` on the platform, or ``None``."""
        ...


#: A factory per source type: ``factory(source_settings, environ) -> Connector``.
ConnectorFactory = Callable[[Mapping[str, Any], Mapping[str, str]], Connector]
REGISTRY: dict[str, ConnectorFactory] = {}


def register(source_type: str) -> Callable[[ConnectorFactory], ConnectorFactory]:
    """Decorator: make ``factory`` the connector of ``source_type``."""

    def wrap(factory: ConnectorFactory) -> ConnectorFactory:
        REGISTRY[source_type] = factory
        return factory

    return wrap


def error_from_status(status: int, message: str, retry_after: str | None = None) -> ReplyError:
    """The :class:`ReplyError` for an HTTP status (shared by the connectors)."""
    kind: ErrorKind
    if status == 401:
        kind = "auth"
    elif status == 403:
        kind = "forbidden"
    elif status in (404, 410):
        kind = "gone"
    elif status == 429:
        kind = "rate_limited"
    elif status in (400, 409, 422):
        kind = "invalid"
    else:
        kind = "unavailable"
    seconds: float | None = None
    if retry_after:
        try:
            seconds = float(retry_after)
        except ValueError:
            seconds = None
    return ReplyError(kind, message, retry_after=seconds)


def secret_from_env(
    platform: str, settings: Mapping[str, Any], environ: Mapping[str, str], key: str, what: str
) -> str:
    """The secret in the environment variable the source's ``key`` (a ``*_env`` key) names;
    a :class:`ReplyError` of kind ``auth`` saying which is missing (never the value)."""
    name = settings.get(key)
    if not name:
        raise ReplyError("auth", f"{platform}: set {key} in the source's config ({what})")
    value = environ.get(str(name))
    if not value:
        raise ReplyError("auth", f"{platform}: the environment variable {name} ({what}) is not set")
    return value


def load_connectors() -> dict[str, ConnectorFactory]:
    """Import every module of :mod:`triage.connectors` (each registers its source types with
    :func:`register`); the registry by source type."""
    import importlib
    import pkgutil

    import triage.connectors as package

    for found in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{found.name}")
    return REGISTRY


def connector_for(settings: Mapping[str, Any], environ: Mapping[str, str]) -> Connector | None:
    """The connector of a source (its settings as in the config, secrets named by ``*_env``
    keys and read from ``environ``), or ``None`` when its type has none. A connector that
    lacks its credentials raises :class:`ReplyError` of kind ``auth``."""
    factory = load_connectors().get(str(settings.get("type") or ""))
    return factory(settings, environ) if factory else None


def has_connector(source_type: str) -> bool:
    """Whether replies can be posted to this source type from Grapevine."""
    return source_type in load_connectors()
