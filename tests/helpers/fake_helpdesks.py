"""Local Zendesk and Freshdesk servers (127.0.0.1, port 0) following their documented APIs.

They keep tickets in memory and answer the requests :mod:`triage.helpdesk.zendesk` and
:mod:`triage.helpdesk.freshdesk` make, in the shapes of the vendors' reference pages
(provenance in tests/fixtures/PROVENANCE.md), with their error shapes: 401 for bad
credentials, 404 for a ticket that is not there (deleted), 422 for invalid fields (Zendesk's
``RecordInvalid``; Freshdesk answers validation errors with 400, the fake uses the code the
test asks for), 429 with ``Retry-After``. ``fail_next`` queues error answers for the next
requests; ``agent_*`` methods act as a person working in the helpdesk.
"""

import base64
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class FakeHelpdesk:
    """Shared machinery: auth, recorded requests, queued failures, a clock."""

    def __init__(self, user: str, password: str) -> None:
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.tickets: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self.failures: list[tuple[int, dict[str, str]]] = []
        self.ticks = 0
        self.lock = threading.Lock()
        self.url = ""

    def now(self) -> str:
        self.ticks += 1
        return (T0 + timedelta(minutes=self.ticks)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def fail_next(self, status: int, count: int = 1, retry_after: int | None = None) -> None:
        """The next ``count`` requests get ``status`` (429: with ``Retry-After``)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.failures += [(status, headers)] * count

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: Any, auth: str | None
    ) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    def error_body(self, status: int) -> Any:
        raise NotImplementedError


class FakeZendesk(FakeHelpdesk):
    """``/api/v2/tickets.json`` (create, list by ``external_id``), ``/tickets/{id}.json``
    (show, update with a comment), ``/tickets/{id}/comments.json``; basic auth
    ``{email}/token:{token}``."""

    def __init__(self, email: str, token: str) -> None:
        super().__init__(f"{email}/token", token)
        self.users: dict[str, int] = {}

    def error_body(self, status: int) -> Any:
        if status == 401:
            return {"error": "Couldn't authenticate you"}
        if status == 404:
            return {"error": "RecordNotFound", "description": "Not found"}
        if status == 422:
            return {
                "error": "RecordInvalid",
                "description": "Record validation errors",
                "details": {"subject": [{"description": "Subject: cannot be blank"}]},
            }
        if status == 429:
            return {"error": "TooManyRequests", "description": "Rate limit exceeded"}
        return {"error": "InternalError"}

    def _ticket(self, tid: int) -> dict[str, Any]:
        return {**self.tickets[tid], "url": f"{self.url}/api/v2/tickets/{tid}.json"}

    def handle(self, method, path, query, body, auth):  # type: ignore[no-untyped-def]
        if auth != self.expected:
            return 401, self.error_body(401), {}
        if path == "/api/v2/tickets.json" and method == "GET":
            ext = (query.get("external_id") or [None])[0]
            found = [self._ticket(t) for t in self.tickets if self.tickets[t]["external_id"] == ext]
            return (
                200,
                {"tickets": found, "next_page": None, "previous_page": None, "count": len(found)},
                {},
            )
        if path == "/api/v2/tickets.json" and method == "POST":
            t = (body or {}).get("ticket") or {}
            if not t.get("subject") or not (t.get("comment") or {}).get("body"):
                return 422, self.error_body(422), {}
            tid = len(self.tickets) + 1
            requester = t.get("requester") or {}
            requester_id = self.users.setdefault(requester.get("email") or "agent", 100 + tid)
            now = self.now()
            self.tickets[tid] = {
                "id": tid,
                "external_id": t.get("external_id"),
                "subject": t["subject"],
                "description": t["comment"]["body"],
                "status": "new",
                "tags": t.get("tags", []),
                "requester_id": requester_id,
                "requester": requester,
                "created_at": now,
                "updated_at": now,
            }
            self.comments[tid] = [
                {
                    "id": 1,
                    "type": "Comment",
                    "body": t["comment"]["body"],
                    "public": True,
                    "created_at": now,
                }
            ]
            return 201, {"ticket": self._ticket(tid)}, {"Location": f"/api/v2/tickets/{tid}.json"}
        found = re.fullmatch(r"/api/v2/tickets/(\d+)(\.json|/comments\.json)", path)
        if found is None or int(found[1]) not in self.tickets:
            return 404, self.error_body(404), {}
        tid = int(found[1])
        if found[2] == "/comments.json":
            return (
                200,
                {
                    "comments": self.comments[tid],
                    "next_page": None,
                    "count": len(self.comments[tid]),
                },
                {},
            )
        if method == "PUT":
            t = (body or {}).get("ticket") or {}
            self.agent_update(tid, status=t.get("status"), comment=t.get("comment"))
        return 200, {"ticket": self._ticket(tid)}, {}

    def agent_update(
        self, tid: int, *, status: str | None = None, comment: dict[str, Any] | None = None
    ) -> None:
        """An agent (or the API) changes a ticket: status and/or a comment."""
        now = self.now()
        if comment:
            self.comments[tid].append(
                {
                    "id": len(self.comments[tid]) + 1,
                    "type": "Comment",
                    "body": comment["body"],
                    "public": comment.get("public", True),
                    "created_at": now,
                }
            )
        if status:
            self.tickets[tid]["status"] = status
        self.tickets[tid]["updated_at"] = now


class FakeFreshdesk(FakeHelpdesk):
    """``/api/v2/tickets`` (create), ``/tickets/{id}`` (view, update), ``/tickets/{id}/
    conversations``, ``/tickets/{id}/notes``, ``/search/tickets?query="tag:'x'"``; basic
    auth ``{api_key}:X``; statuses 2 open, 3 pending, 4 resolved, 5 closed."""

    def __init__(self, api_key: str) -> None:
        super().__init__(api_key, "X")
        self.validation_status = 400

    def error_body(self, status: int) -> Any:
        if status == 401:
            return {
                "code": "invalid_credentials",
                "message": "You have to be logged in to perform this action.",
            }
        if status == 404:
            return None  # Freshdesk's 404 has an empty body
        if status in (400, 422):
            return {
                "description": "Validation failed",
                "errors": [
                    {
                        "field": "email",
                        "message": "It should be a valid email address",
                        "code": "invalid_value",
                    }
                ],
            }
        if status == 429:
            return {"message": "You have exceeded the limit of requests per hour"}
        return {"code": "internal_error"}

    def handle(self, method, path, query, body, auth):  # type: ignore[no-untyped-def]
        if auth != self.expected:
            return 401, self.error_body(401), {}
        if path == "/api/v2/search/tickets":
            q = (query.get("query") or [""])[0]
            tag = re.fullmatch(r"\"tag:'([^']+)'\"", q)
            if tag is None:
                return (
                    400,
                    {
                        "description": "Validation failed",
                        "errors": [
                            {"field": "query", "message": "invalid query", "code": "invalid_value"}
                        ],
                    },
                    {},
                )
            found = [t for t in self.tickets.values() if tag[1] in t["tags"]]
            return 200, {"results": found, "total": len(found)}, {}
        if path == "/api/v2/tickets" and method == "POST":
            t = body or {}
            if "@" not in str(t.get("email", "")) or not t.get("subject"):
                return self.validation_status, self.error_body(400), {}
            tid = len(self.tickets) + 1001
            now = self.now()
            self.tickets[tid] = {
                "id": tid,
                "subject": t["subject"],
                "description": t.get("description"),
                "status": t.get("status", 2),
                "priority": t.get("priority", 1),
                "tags": t.get("tags", []),
                "requester_id": 5000 + tid,
                "email": t["email"],
                "created_at": now,
                "updated_at": now,
            }
            self.comments[tid] = []
            return 201, self.tickets[tid], {}
        found = re.fullmatch(r"/api/v2/tickets/(\d+)(/conversations|/notes)?", path)
        if found is None or int(found[1]) not in self.tickets:
            return 404, None, {}
        tid = int(found[1])
        if found[2] == "/conversations":
            return 200, self.comments[tid], {}
        if found[2] == "/notes" and method == "POST":
            note = self.agent_update(tid, note=body.get("body"), private=body.get("private"))
            return 201, note, {}
        if method == "PUT":
            self.agent_update(tid, status=(body or {}).get("status"))
        return 200, self.tickets[tid], {}

    def agent_update(
        self,
        tid: int,
        *,
        status: int | None = None,
        note: str | None = None,
        private: bool | None = True,
    ) -> dict[str, Any] | None:
        """An agent changes a ticket: a status code and/or a note (``body_text``)."""
        now = self.now()
        made = None
        if note:
            text = (
                re.sub(r"<[^>]+>", "", note)
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
            )
            made = {
                "id": len(self.comments[tid]) + 1,
                "body": note,
                "body_text": text,
                "private": bool(private),
                "incoming": False,
                "ticket_id": tid,
                "created_at": now,
                "updated_at": now,
            }
            self.comments[tid].append(made)
        if status:
            self.tickets[tid]["status"] = status
        self.tickets[tid]["updated_at"] = now
        return made


@contextmanager
def serve(fake: FakeHelpdesk) -> Iterator[FakeHelpdesk]:
    """Run ``fake`` on 127.0.0.1 (a free port) until the block ends; ``fake.url`` is its base."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            with fake.lock:
                fake.requests.append((self.command, self.path, body))
                if fake.failures:
                    status, headers = fake.failures.pop(0)
                    payload = fake.error_body(status)
                else:
                    status, payload, headers = fake.handle(
                        self.command,
                        parts.path,
                        parse_qs(parts.query),
                        body,
                        self.headers.get("Authorization"),
                    )
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
