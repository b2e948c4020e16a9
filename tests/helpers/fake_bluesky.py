"""A local stand-in for a Bluesky PDS's XRPC API (127.0.0.1, port 0), with state.

What Grapevine uses, as the atproto lexicons define it: ``com.atproto.server.createSession``
(``identifier`` + app ``password`` → ``accessJwt``, ``refreshJwt``, ``handle``, ``did``),
``app.bsky.feed.getPosts?uris=`` (PostViews; a deleted post is simply missing),
``app.bsky.feed.getPostThread?uri=`` (the post and its direct replies; 400 ``NotFound``),
``com.atproto.repo.createRecord`` (an ``app.bsky.feed.post`` record; a reply's ``root`` and
``parent`` must each be a strong ref, ``uri`` + ``cid``) and ``com.atproto.repo.deleteRecord``.
Posts have the PostView shape of the recorded ``searchPosts`` answer in
tests/fixtures/bluesky (see PROVENANCE.md). Errors are XRPC's ``{"error": Name, "message":
…}``: 401 ``AuthenticationRequired`` (wrong password, no token), 400 ``ExpiredToken`` (after
:meth:`FakeBluesky.expire_tokens`), 400 ``InvalidRequest``, 429 ``RateLimitExceeded`` with
``RateLimit-Reset`` (a Unix time).
"""

import copy
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "bluesky"
DID = "did:plc:larkwoodbrand0000000000"
HANDLE = "larkwood.bsky.social"


def sample_post() -> dict[str, Any]:
    """A recorded PostView."""
    data = json.loads((FIXTURE / "searchPosts_q-redistricting_2025-05-19.json").read_text())
    return dict(data["posts"][0])


@dataclass
class Seen:
    """One request: method, XRPC method name, query, headers (lower-case), JSON body."""

    method: str
    nsid: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Failure:
    """An XRPC error to answer the next request (of ``nsid`` if given) with."""

    status: int
    error: str
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    nsid: str | None = None


class FakeBluesky:
    """``with FakeBluesky() as pds: pds.base_url``; ``pds.add_post(...)`` seeds posts."""

    def __init__(self, *, handle: str = HANDLE, password: str = "app-pass-1234") -> None:  # noqa: S107
        self.handle = handle
        self.password = password
        self.posts: dict[str, dict[str, Any]] = {}
        self.seen: list[Seen] = []
        self.fail_next: list[Failure] = []
        self.tokens: set[str] = set()
        self.expired: set[str] = set()
        self._n = 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else {}
                url = urlparse(self.path)
                nsid = url.path.removeprefix("/xrpc/")
                headers = {k.lower(): v for k, v in self.headers.items()}
                with fake._lock:
                    fake.seen.append(Seen(self.command, nsid, parse_qs(url.query), headers, body))
                    status, answer, extra = fake.route(nsid, parse_qs(url.query), headers, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "FakeBluesky":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def expire_tokens(self) -> None:
        """Every session issued so far has expired."""
        self.expired |= self.tokens

    def add_post(
        self,
        text: str,
        *,
        did: str = "did:plc:customer00000000000000",
        handle: str = "alice.bsky.social",
        reply: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Seed a post (a PostView); ``reply`` is its record's reply ref."""
        self._n += 1
        post = copy.deepcopy(sample_post())
        uri = f"at://{did}/app.bsky.feed.post/3lrk{self._n:09d}"
        post.update(uri=uri, cid=f"bafyreifake{self._n:040d}")
        post["author"].update(did=did, handle=handle, displayName=handle.split(".")[0].title())
        post["record"] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": "2026-12-01T09:00:00.000Z",
        }
        if reply:
            post["record"]["reply"] = reply
        self.posts[uri] = post
        return post

    def replies_to(self, uri: str) -> list[dict[str, Any]]:
        """The posts whose parent is ``uri``."""
        return [
            p
            for p in self.posts.values()
            if (p["record"].get("reply") or {}).get("parent", {}).get("uri") == uri
        ]

    def _auth(self, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]] | None:
        token = (headers.get("authorization") or "").removeprefix("Bearer ")
        if token in self.expired:
            return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
        if token not in self.tokens:
            return (
                401,
                {"error": "AuthenticationRequired", "message": "Authentication Required"},
                {},
            )
        return None

    def route(
        self, nsid: str, query: dict[str, list[str]], headers: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        """The answer to one XRPC call."""
        for failure in list(self.fail_next):
            if failure.nsid in (None, nsid):
                self.fail_next.remove(failure)
                return (
                    failure.status,
                    {"error": failure.error, "message": failure.message or failure.error},
                    failure.headers,
                )
        if nsid == "com.atproto.server.createSession":
            if body.get("identifier") != self.handle or body.get("password") != self.password:
                return (
                    401,
                    {
                        "error": "AuthenticationRequired",
                        "message": "Invalid identifier or password",
                    },
                    {},
                )
            token = f"access-{len(self.tokens) + 1}"
            self.tokens.add(token)
            return (
                200,
                {
                    "accessJwt": token,
                    "refreshJwt": "refresh",
                    "handle": self.handle,
                    "did": DID,
                    "active": True,
                },
                {},
            )
        refused = self._auth(headers)
        if refused:
            return refused
        if nsid == "app.bsky.feed.getPosts":
            uris = query.get("uris") or []
            return 200, {"posts": [self.posts[u] for u in uris if u in self.posts]}, {}
        if nsid == "app.bsky.feed.getPostThread":
            uri = (query.get("uri") or [""])[0]
            if uri not in self.posts:
                return 400, {"error": "NotFound", "message": f"Post not found: {uri}"}, {}
            replies = [
                {"$type": "app.bsky.feed.defs#threadViewPost", "post": p, "replies": []}
                for p in self.replies_to(uri)
            ]
            thread = {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": self.posts[uri],
                "replies": replies,
            }
            return 200, {"thread": thread}, {}
        if nsid == "com.atproto.repo.createRecord":
            return self.create(body)
        if nsid == "com.atproto.repo.deleteRecord":
            uri = f"at://{body.get('repo')}/{body.get('collection')}/{body.get('rkey')}"
            if body.get("repo") != DID:
                return 400, {"error": "InvalidRequest", "message": "Invalid repo"}, {}
            self.posts.pop(uri, None)  # deleting a missing record succeeds, as on a PDS
            return 200, {"commit": {"cid": "bafyreicommit", "rev": "3lrkrev"}}, {}
        return 501, {"error": "MethodNotImplemented", "message": "Method Not Implemented"}, {}

    def create(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        """``com.atproto.repo.createRecord`` of an ``app.bsky.feed.post``."""
        record = body.get("record") or {}
        if (
            body.get("repo") not in (DID, self.handle)
            or body.get("collection") != "app.bsky.feed.post"
        ):
            return 400, {"error": "InvalidRequest", "message": "Invalid repo or collection"}, {}
        if record.get("$type") != "app.bsky.feed.post" or not record.get("createdAt"):
            return (
                400,
                {"error": "InvalidRecord", "message": "Record/$type must be app.bsky.feed.post"},
                {},
            )
        if len(record.get("text") or "") > 300:
            return (
                400,
                {
                    "error": "InvalidRecord",
                    "message": "Record/text must not be longer than 300 graphemes",
                },
                {},
            )
        reply = record.get("reply")
        if reply is not None:
            for part in ("root", "parent"):
                ref = reply.get(part) or {}
                if not ref.get("uri") or not ref.get("cid"):
                    return (
                        400,
                        {
                            "error": "InvalidRecord",
                            "message": f'Record/reply/{part} must have the property "cid"',
                        },
                        {},
                    )
        post = self.add_post(record.get("text") or "", did=DID, handle=self.handle, reply=reply)
        return (
            200,
            {
                "uri": post["uri"],
                "cid": post["cid"],
                "commit": {"cid": "bafyreicommit", "rev": "3lrkrev"},
                "validationStatus": "valid",
            },
            {},
        )

    def rate_limited(self, seconds: int = 120) -> Failure:
        """A 429 as the PDS sends it, resetting ``seconds`` from now."""
        return Failure(
            429,
            "RateLimitExceeded",
            "Rate Limit Exceeded",
            {
                "RateLimit-Limit": "5000",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(int(time.time()) + seconds),
                "RateLimit-Policy": "5000;w=3600",
            },
        )
