"""A real local HTTP server (127.0.0.1, port 0) serving recorded responses.

Routes map a path (with or without its query string) to a :class:`Reply`, or to a list of
replies served in turn (the last one repeats) — for "fail twice, then succeed". Every request
is recorded in ``server.requests`` (paths) and ``server.log`` (method, path, headers, body and
arrival time) so tests can assert what a spider asked for, and when. ``Reply.truncated``
cuts a body short after some bytes while announcing its full length, as a dropped connection
does.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass
class Reply:
    """One response: status, body and headers; ``delay`` seconds before answering."""

    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0
    truncate_at: int | None = None

    @classmethod
    def fixture(cls, relative: str, **kwargs: Any) -> "Reply":
        """A reply whose body is a recorded fixture file."""
        path = FIXTURES / relative
        if "content_type" not in kwargs:
            kwargs["content_type"] = {
                ".json": "application/json",
                ".xml": "application/xml",
                ".html": "text/html; charset=utf-8",
            }.get(path.suffix, "application/octet-stream")
        return cls(body=path.read_bytes(), **kwargs)


@dataclass
class Recorded:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


Route = Reply | list[Reply] | Callable[[str], Reply]


class LocalServer:
    """``with LocalServer(routes) as server: server.url("/path")``."""

    def __init__(
        self,
        routes: dict[str, Route] | None = None,
        robots: str | None = "User-agent: *\nAllow: /\n",
    ) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        if robots is not None and "/robots.txt" not in self.routes:
            self.routes["/robots.txt"] = Reply(robots, content_type="text/plain")
        self.requests: list[str] = []
        self.log: list[Recorded] = []
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body_in = self.rfile.read(length) if length else b""
                with server._lock:
                    server.requests.append(self.path)
                    server.log.append(
                        Recorded(
                            self.command, self.path, dict(self.headers), body_in, time.monotonic()
                        )
                    )
                    reply = server.reply_for(self.path)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if reply.truncate_at is not None:
                        self.wfile.write(body[: reply.truncate_at])
                        self.wfile.flush()
                        self.close_connection = True
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = do_GET  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def reply_for(self, path: str) -> Reply:
        """The reply for a request path (exact path+query first, then the path alone)."""
        route = self.routes.get(path)
        if route is None:
            route = self.routes.get(path.split("?", 1)[0])
        if route is None:
            return Reply("not found", status=404, content_type="text/plain")
        if callable(route) and not isinstance(route, Reply):
            return route(path)
        if isinstance(route, list):
            count = self._served.get(path, 0)
            self._served[path] = count + 1
            return route[min(count, len(route) - 1)]
        return route

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + path

    def __enter__(self) -> "LocalServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
