"""A local stand-in for a Mastodon server's API (127.0.0.1, port 0), with state.

It implements what Grapevine uses, as docs.joinmastodon.org documents it: ``POST
/api/v1/statuses`` (JSON or form body: ``status``, ``in_reply_to_id``, ``visibility``; the
``Idempotency-Key`` header returns the status already created for a key), ``PUT`` and
``DELETE /api/v1/statuses/:id``, ``GET /api/v1/statuses/:id/context`` and ``GET
/api/v1/notifications?types[]=mention`` paged by ``max_id`` with a ``Link`` header. The
answers have the Status/Notification shapes of the recorded Mastodon 4 output in
tests/fixtures/mastodon (see PROVENANCE.md). Errors are Mastodon's: ``{"error": "..."}`` with
401 (bad token), 404 (``Record not found``), 422 (validation), and 429 ``Too many requests``
with ``X-RateLimit-Reset``; ``fail_next`` queues such answers for the next requests.
"""

import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "mastodon"
VISIBILITIES = ("public", "unlisted", "private", "direct")


def sample_status() -> dict[str, Any]:
    """A recorded Status object (Mastodon 4.x field set)."""
    data = json.loads((FIXTURE / "timelines_tag_page1_localhost-testinstance.json").read_text())
    return dict(data[0])


@dataclass
class Seen:
    """One request: method, path with query, headers (lower-case names), parsed body."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Failure:
    """An error answer to serve instead of the next matching request."""

    status: int
    error: str
    headers: dict[str, str] = field(default_factory=dict)
    method: str | None = None


class FakeMastodon:
    """``with FakeMastodon(token="t") as m: m.base_url``; ``m.add_status(...)`` seeds posts."""

    def __init__(self, *, token: str = "test-token", brand: str = "larkwood") -> None:  # noqa: S107
        self.token = token
        self.brand = brand
        self.statuses: dict[str, dict[str, Any]] = {}
        self.notifications: list[dict[str, Any]] = []
        self.seen: list[Seen] = []
        self.fail_next: list[Failure] = []
        self.keys: dict[str, str] = {}
        self._next = 117020600000000000
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(
                self, status: int, body: Any, headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type") or ""
                body: dict[str, Any] = {}
                if raw and "json" in ctype:
                    body = json.loads(raw)
                elif raw:
                    body = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                with fake._lock:
                    fake.seen.append(Seen(self.command, self.path, headers, body))
                    status, answer, extra = fake.route(self.command, self.path, headers, body)
                self._answer(status, answer, extra)

            do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "FakeMastodon":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _id(self) -> str:
        self._next += 65536
        return str(self._next)

    def account(self, username: str) -> dict[str, Any]:
        """An Account object of this server."""
        acct = dict(sample_status()["account"])
        acct.update(
            id=str(abs(hash(username)) % 10**17),
            username=username,
            acct=username,
            display_name=username.title(),
            url=f"{self.base_url}/@{username}",
        )
        return acct

    def add_status(
        self, text: str, *, username: str = "alice", in_reply_to_id: str | None = None
    ) -> dict[str, Any]:
        """Seed a status (as if written on the server); the Status object."""
        status = copy.deepcopy(sample_status())
        sid = self._id()
        status.update(
            id=sid,
            content=f"<p>{text}</p>",
            in_reply_to_id=in_reply_to_id,
            visibility="public",
            account=self.account(username),
            url=f"{self.base_url}/@{username}/{sid}",
            uri=f"{self.base_url}/users/{username}/statuses/{sid}",
            tags=[],
        )
        self.statuses[sid] = status
        return status

    def mention(self, status: dict[str, Any]) -> dict[str, Any]:
        """Record a ``mention`` notification of the brand account for ``status``."""
        note = {
            "id": str(len(self.notifications) + 1),
            "type": "mention",
            "created_at": status["created_at"],
            "account": status["account"],
            "status": status,
        }
        self.notifications.append(note)
        return note

    def route(
        self, method: str, path: str, headers: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        """The answer to one request."""
        for failure in list(self.fail_next):
            if failure.method in (None, method):
                self.fail_next.remove(failure)
                return failure.status, {"error": failure.error}, failure.headers
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": "The access token is invalid"}, {}
        url = urlparse(path)
        parts = url.path.strip("/").split("/")
        if url.path == "/api/v1/statuses" and method == "POST":
            return self.create(headers, body)
        if url.path == "/api/v1/notifications" and method == "GET":
            return self.list_notifications(parse_qs(url.query))
        if parts[:3] == ["api", "v1", "statuses"] and len(parts) >= 4:
            status = self.statuses.get(parts[3])
            if status is None:
                return 404, {"error": "Record not found"}, {}
            if len(parts) == 5 and parts[4] == "context" and method == "GET":
                kids = [s for s in self.statuses.values() if s["in_reply_to_id"] == parts[3]]
                return 200, {"ancestors": [], "descendants": kids}, {}
            mine = status["account"]["username"] == self.brand
            if method == "PUT":
                if not mine:
                    return 403, {"error": "This action is not allowed"}, {}
                status["content"] = f"<p>{body.get('status', '')}</p>"
                status["edited_at"] = "2026-12-01T12:00:00.000Z"
                return 200, status, {}
            if method == "DELETE":
                if not mine:
                    return 403, {"error": "This action is not allowed"}, {}
                del self.statuses[parts[3]]
                return 200, {**status, "text": body.get("status")}, {}
            if method == "GET":
                return 200, status, {}
        return 404, {"error": "Record not found"}, {}

    def create(
        self, headers: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        """``POST /api/v1/statuses``."""
        key = headers.get("idempotency-key")
        if key and key in self.keys and self.keys[key] in self.statuses:
            return 200, self.statuses[self.keys[key]], {}
        text = str(body.get("status") or "").strip()
        if not text:
            return 422, {"error": "Validation failed: Text can't be blank"}, {}
        if len(text) > 500:
            return 422, {"error": "Validation failed: Text character limit of 500 exceeded"}, {}
        visibility = body.get("visibility") or "public"
        if visibility not in VISIBILITIES:
            return 422, {"error": "Validation failed: Visibility is not included in the list"}, {}
        parent = body.get("in_reply_to_id")
        if parent and str(parent) not in self.statuses:
            return 404, {"error": "Record not found"}, {}
        status = self.add_status(text, username=self.brand, in_reply_to_id=parent)
        status["visibility"] = visibility
        if key:
            self.keys[key] = status["id"]
        return 200, status, {}

    def list_notifications(self, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        """``GET /api/v1/notifications``: newest first, ``limit``, ``max_id``, ``types[]``."""
        types = query.get("types[]") or []
        limit = int((query.get("limit") or ["40"])[0])
        max_id = (query.get("max_id") or [None])[0]
        notes = [n for n in reversed(self.notifications) if not types or n["type"] in types]
        if max_id:
            notes = [n for n in notes if int(n["id"]) < int(max_id)]
        page = notes[:limit]
        headers = {}
        if len(notes) > limit:
            nxt = f"{self.base_url}/api/v1/notifications?limit={limit}&max_id={page[-1]['id']}"
            headers["Link"] = f'<{nxt}>; rel="next"'
        return 200, page, headers


@contextmanager
def fake_mastodon(**kwargs: Any) -> Iterator[FakeMastodon]:
    """A running :class:`FakeMastodon`, stopped at the end."""
    with FakeMastodon(**kwargs) as server:
        yield server
