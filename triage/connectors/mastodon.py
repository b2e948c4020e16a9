"""Mastodon (any server with the Mastodon API): reply, edit and delete statuses.

A reply is ``POST /api/v1/statuses`` with ``status``, ``in_reply_to_id`` (the local id of the
status answered, kept in the mention's raw payload by the crawl) and ``visibility``
(``public``, ``unlisted``, ``private`` = followers only, ``direct`` = only the people
mentioned: "Reply privately"). The author's handle is put at the start of the text when it is
missing, as Mastodon only notifies (and, for ``direct``, only shows it to) people mentioned.
An ``Idempotency-Key`` header makes a retried post return the status already created. Edit is
``PUT /api/v1/statuses/:id``, delete ``DELETE /api/v1/statuses/:id``. Errors are
``{"error": "..."}`` with the HTTP status (401 token, 404 gone, 422 invalid, 429 with
``Retry-After``).

Settings: ``base_url`` (the server), ``token_env`` (the environment variable holding an access
token with the ``write:statuses`` scope; ``read:notifications`` too for the mentions source)
and ``account`` (the brand's own handle, whose replies in a thread count as an answer).
"""

from collections.abc import Mapping
from typing import Any

from triage.connectors.base import (
    PostedReply,
    ReplyError,
    ReplyTarget,
    Visibility,
    register,
    secret_from_env,
)
from triage.connectors.http import JsonClient

VISIBILITIES = ("public", "unlisted", "private", "direct")


def _message(body: Any) -> str | None:
    if isinstance(body, dict):
        said = body.get("error_description") or body.get("error")
        return str(said) if said else None
    return None


def _status_id(target: ReplyTarget) -> str:
    raw_id = target.raw.get("id") if target.raw else None
    if raw_id:
        return str(raw_id)
    # the status address ends in its id on the server that served it (…/@user/1234)
    tail = (target.url or target.external_id or "").rstrip("/").rsplit("/", 1)[-1]
    if tail.isdigit():
        return tail
    raise ReplyError("invalid", "Mastodon: this mention has no status id to answer")


def _same_account(acct: str | None, handle: str | None, host: str) -> bool:
    def norm(value: str) -> str:
        value = value.strip().lstrip("@").lower()
        return value if "@" in value else f"{value}@{host}"

    return bool(acct and handle) and norm(acct or "") == norm(handle or "")


class MastodonConnector:
    """Answers as the account whose token is in the environment."""

    platform = "Mastodon"
    #: who sees a public reply, for the responder to choose ("direct" is the private reply)
    public_visibilities = ("public", "unlisted", "private")
    can_private = True
    can_edit = True
    can_delete = True

    def __init__(self, base_url: str, token: str, account: str | None = None) -> None:
        self.client = JsonClient(base_url, platform="Mastodon", message_of=_message)
        self.token = token
        self.account = account
        self.host = base_url.split("://", 1)[-1].split("/", 1)[0].lower()

    def _headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}

    def _posted(self, body: Any) -> PostedReply:
        if not isinstance(body, dict) or not body.get("id"):
            raise ReplyError("unavailable", "Mastodon answered without a status")
        return PostedReply(
            platform_id=str(body["id"]),
            url=body.get("url") or body.get("uri"),
            raw={"id": body.get("id"), "visibility": body.get("visibility")},
        )

    def post(self, target: ReplyTarget, text: str, *, visibility: Visibility) -> PostedReply:
        """Reply to the status with ``visibility``; the author is mentioned first."""
        if visibility not in VISIBILITIES:
            raise ReplyError("invalid", f"Mastodon has no visibility {visibility!r}")
        status_id = _status_id(target)
        handle = (target.author_handle or "").lstrip("@")
        if handle and f"@{handle.split('@')[0]}".lower() not in text.lower():
            text = f"@{handle} {text}"
        key = target.idempotency_key
        headers = self._headers(**({"Idempotency-Key": key} if key else {}))
        answer = self.client.call(
            "POST",
            "/api/v1/statuses",
            headers=headers,
            json_body={"status": text, "in_reply_to_id": status_id, "visibility": visibility},
        )
        return self._posted(answer.body)

    def edit(self, target: ReplyTarget, reply: PostedReply, text: str) -> PostedReply:
        """Replace the text of our status (Mastodon keeps the edit history)."""
        answer = self.client.call(
            "PUT",
            f"/api/v1/statuses/{reply.platform_id}",
            headers=self._headers(),
            json_body={"status": text},
        )
        return self._posted(answer.body)

    def delete(self, target: ReplyTarget, reply: PostedReply) -> None:
        """Delete our status."""
        self.client.call("DELETE", f"/api/v1/statuses/{reply.platform_id}", headers=self._headers())

    @property
    def looks_for_replies(self) -> bool:
        """Whether :meth:`find_reply` can look (the brand's ``account`` is configured)."""
        return bool(self.account)

    def find_reply(self, target: ReplyTarget) -> PostedReply | None:
        """The brand account's own reply in the status's thread, if there is one
        (``GET /api/v1/statuses/:id/context``, its ``descendants``)."""
        if not self.account:
            return None
        answer = self.client.call(
            "GET", f"/api/v1/statuses/{_status_id(target)}/context", headers=self._headers()
        )
        descendants = answer.body.get("descendants") if isinstance(answer.body, dict) else None
        for status in descendants or []:
            account = status.get("account") or {} if isinstance(status, dict) else {}
            if _same_account(account.get("acct"), self.account, self.host):
                return self._posted(status)
        return None


@register("mastodon")
@register("mastodon_notifications")
def mastodon_connector(
    settings: Mapping[str, Any], environ: Mapping[str, str]
) -> MastodonConnector:
    """The connector of a ``mastodon`` source: its server and the token named by ``token_env``."""
    base_url = settings.get("base_url")
    if not base_url:
        raise ReplyError("invalid", "Mastodon: the source has no base_url (the server)")
    token = secret_from_env(
        "Mastodon", settings, environ, "token_env", "an access token with write:statuses"
    )
    return MastodonConnector(str(base_url), token, settings.get("account"))
