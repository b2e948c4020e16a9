"""Bluesky (atproto XRPC): reply to a post, delete the reply; Bluesky has no edit.

Sign in with ``com.atproto.server.createSession`` (the handle and an *app password*, both from
the environment variables the source names in ``handle_env``/``password_env``); read the post
answered with ``app.bsky.feed.getPosts`` (its ``cid``, and its own ``reply.root`` when it is
itself a reply, so the answer stays in the thread; an empty answer means it was deleted);
post with ``com.atproto.repo.createRecord`` an ``app.bsky.feed.post`` record whose
``reply.root``/``reply.parent`` hold ``uri`` + ``cid``; delete with
``com.atproto.repo.deleteRecord``; the account's own reply under a post (answered outside
Grapevine) is found with ``app.bsky.feed.getPostThread``. Errors are ``{"error":
"ExpiredToken", "message": …}`` (400 or 401), ``RecordNotFound``, and 429
``RateLimitExceeded`` with ``RateLimit-Reset``.
Bluesky has no private replies (its chat is a separate service).
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from triage.connectors.base import (
    ErrorKind,
    PostedReply,
    ReplyError,
    ReplyTarget,
    Visibility,
    register,
    secret_from_env,
)
from triage.connectors.http import JsonClient

POST = "app.bsky.feed.post"
DEFAULT_SERVICE = "https://bsky.social"
#: The longest post Bluesky takes, in graphemes (counted here as characters).
MAX_GRAPHEMES = 300

_KINDS: dict[str, ErrorKind] = {
    "ExpiredToken": "auth",
    "InvalidToken": "auth",
    "AuthenticationRequired": "auth",
    "AuthFactorTokenRequired": "auth",
    "AccountTakedown": "forbidden",
    "RecordNotFound": "gone",
    "NotFound": "gone",
    "RateLimitExceeded": "rate_limited",
}


def _message(body: Any) -> str | None:
    if isinstance(body, dict):
        said = body.get("message") or body.get("error")
        return str(said) if said else None
    return None


def _kind(body: Any) -> ErrorKind | None:
    return _KINDS.get(str(body.get("error"))) if isinstance(body, dict) else None


def _rkey(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


class BlueskyConnector:
    """Answers as the account whose handle and app password are in the environment."""

    platform = "Bluesky"
    can_private = False
    can_edit = False
    can_delete = True

    def __init__(self, base_url: str, handle: str, password: str) -> None:
        self.client = JsonClient(base_url, platform="Bluesky", message_of=_message, kind_of=_kind)
        self.handle = handle
        self.password = password
        self._session: dict[str, Any] | None = None

    def _signed_in(self) -> dict[str, Any]:
        if self._session is None:
            answer = self.client.call(
                "POST",
                "/xrpc/com.atproto.server.createSession",
                json_body={"identifier": self.handle, "password": self.password},
            )
            body = answer.body if isinstance(answer.body, dict) else {}
            if not body.get("accessJwt") or not body.get("did"):
                raise ReplyError("auth", "Bluesky: the sign-in gave no session")
            self._session = body
        return self._session

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._signed_in()['accessJwt']}"}

    def _post_ref(self, uri: str) -> dict[str, Any]:
        answer = self.client.call(
            "GET", "/xrpc/app.bsky.feed.getPosts", headers=self._auth(), params={"uris": uri}
        )
        posts = answer.body.get("posts") if isinstance(answer.body, dict) else None
        if not posts:
            raise ReplyError("gone", "Bluesky: the post was deleted")
        post: dict[str, Any] = posts[0]
        return post

    def post(self, target: ReplyTarget, text: str, *, visibility: Visibility) -> PostedReply:
        """Reply in the post's thread (root = the thread's first post, parent = this one)."""
        if visibility not in ("public", "unlisted"):
            raise ReplyError("unsupported", "Bluesky has no private replies; reply publicly")
        if len(text) > MAX_GRAPHEMES:
            raise ReplyError(
                "invalid", f"Bluesky takes {MAX_GRAPHEMES} characters at most ({len(text)} here)"
            )
        uri = str((target.raw or {}).get("uri") or target.external_id)
        if not uri.startswith("at://"):
            raise ReplyError("invalid", "Bluesky: this mention has no at:// address to answer")
        post = self._post_ref(uri)
        parent = {"uri": post.get("uri") or uri, "cid": post.get("cid")}
        record_reply = (post.get("record") or {}).get("reply") or {}
        root = record_reply.get("root") or parent
        session = self._signed_in()
        record = {
            "$type": POST,
            "text": text,
            "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "reply": {
                "root": {"uri": root["uri"], "cid": root["cid"]},
                "parent": parent,
            },
        }
        answer = self.client.call(
            "POST",
            "/xrpc/com.atproto.repo.createRecord",
            headers=self._auth(),
            json_body={"repo": session["did"], "collection": POST, "record": record},
        )
        body = answer.body if isinstance(answer.body, dict) else {}
        if not body.get("uri"):
            raise ReplyError("unavailable", "Bluesky answered without a record")
        handle = session.get("handle") or self.handle
        return PostedReply(
            platform_id=str(body["uri"]),
            url=f"https://bsky.app/profile/{handle}/post/{_rkey(str(body['uri']))}",
            raw={"uri": body["uri"], "cid": body.get("cid")},
        )

    #: the signed-in account is the brand's: its replies in a thread are the brand's answer
    looks_for_replies = True

    def find_reply(self, target: ReplyTarget) -> PostedReply | None:
        """The signed-in account's reply directly under the post, if there is one
        (``app.bsky.feed.getPostThread`` with ``depth=1``)."""
        uri = str((target.raw or {}).get("uri") or target.external_id)
        if not uri.startswith("at://"):
            return None
        session = self._signed_in()
        answer = self.client.call(
            "GET",
            "/xrpc/app.bsky.feed.getPostThread",
            headers=self._auth(),
            params={"uri": uri, "depth": 1, "parentHeight": 0},
        )
        thread = answer.body.get("thread") if isinstance(answer.body, dict) else None
        for child in (thread or {}).get("replies") or []:
            post = child.get("post") if isinstance(child, dict) else None
            if isinstance(post, dict) and (post.get("author") or {}).get("did") == session["did"]:
                handle = session.get("handle") or self.handle
                return PostedReply(
                    platform_id=str(post.get("uri")),
                    url=f"https://bsky.app/profile/{handle}/post/{_rkey(str(post.get('uri')))}",
                    raw={"uri": post.get("uri"), "cid": post.get("cid")},
                )
        return None

    def edit(self, target: ReplyTarget, reply: PostedReply, text: str) -> PostedReply:
        """Bluesky posts cannot be edited."""
        raise ReplyError("unsupported", "Bluesky posts cannot be edited: delete and reply again")

    def delete(self, target: ReplyTarget, reply: PostedReply) -> None:
        """Delete our reply record."""
        session = self._signed_in()
        self.client.call(
            "POST",
            "/xrpc/com.atproto.repo.deleteRecord",
            headers=self._auth(),
            json_body={
                "repo": session["did"],
                "collection": POST,
                "rkey": _rkey(reply.platform_id),
            },
        )


@register("bluesky")
def bluesky_connector(settings: Mapping[str, Any], environ: Mapping[str, str]) -> BlueskyConnector:
    """The connector of a ``bluesky`` source: its service and the account from the environment."""
    handle = secret_from_env("Bluesky", settings, environ, "handle_env", "the account's handle")
    password = secret_from_env("Bluesky", settings, environ, "password_env", "an app password")
    return BlueskyConnector(str(settings.get("base_url") or DEFAULT_SERVICE), handle, password)
