"""Real local receivers for the support-queue tests: a webhook endpoint and an SMTP server.

:class:`WebhookReceiver` is an HTTP server on 127.0.0.1 (port 0) that checks the HMAC-SHA256
signature of every POST, keeps the deliveries by idempotency key (as a helpdesk that honours
the key would: a repeated key is acknowledged and not stored twice), and can be scripted to
fail: ``plan`` is a list of actions used one per request ("ok", 500, "slow" = answer after
``slow_seconds``, "trickle" = answer 200 and then one byte of the body every
``slow_seconds``, for a minute), the last one repeating. ``on_store`` runs once a delivery is
stored and before it is answered (the tests kill the sender there: right inside the crash window
between the receiver having a case and the sender recording it).

:class:`SmtpServer` is aiosmtpd in a thread on 127.0.0.1 (port 0), optionally requiring
STARTTLS and a login; it keeps every message it accepted.
"""

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class WebhookReceiver:
    """``with WebhookReceiver(secret="s") as hook: hook.url`` — see the module docstring."""

    def __init__(
        self,
        secret: str | None = None,
        plan: list[Any] | None = None,
        slow_seconds: float = 2.0,
        on_store: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.secret = secret
        self.plan = list(plan or ["ok"])
        self.slow_seconds = slow_seconds
        self.on_store = on_store
        self.requests: list[dict[str, Any]] = []  # every POST, in order
        self.stored: dict[str, dict[str, Any]] = {}  # idempotency key -> first body
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                receiver.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The endpoint's URL."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/grapevine"

    def _next_action(self) -> Any:
        with self.lock:
            index = len(self.requests) - 1
            return self.plan[min(index, len(self.plan) - 1)]

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        """Check, record and answer one POST as the plan says."""
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length)
        headers = {k.lower(): v for k, v in request.headers.items()}
        entry = {"headers": headers, "body": body, "path": request.path}
        with self.lock:
            self.requests.append(entry)
        action = self._next_action()
        if self.secret is not None:
            expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, headers.get("x-grapevine-signature-256", "")):
                self.bad_signatures += 1
                self._answer(request, 401, {"error": "bad signature"})
                return
        if action == "trickle":
            self._trickle(request)
            return
        if action == "slow":
            time.sleep(self.slow_seconds)
        elif isinstance(action, int) and action >= 400:
            self._answer(request, action, {"error": "on purpose"})
            return
        payload = json.loads(body)
        key = headers.get("idempotency-key") or f"request-{len(self.requests)}"
        with self.lock:
            duplicate = key in self.stored
            if not duplicate:
                self.stored[key] = payload
        if self.on_store is not None:
            self.on_store(payload)
        self._answer(request, 200, {"id": f"T-{payload.get('case_id')}", "duplicate": duplicate})

    def _trickle(self, request: BaseHTTPRequestHandler) -> None:
        """200 at once, then the body one byte at a time (a receiver that never finishes)."""
        raw = b" " * 64
        try:
            request.send_response(200)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(raw)))
            request.end_headers()
            request.wfile.flush()
            deadline = time.monotonic() + 60
            for byte in raw:
                if time.monotonic() > deadline:
                    break
                request.wfile.write(bytes([byte]))
                request.wfile.flush()
                time.sleep(self.slow_seconds)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, data: dict[str, Any]) -> None:
        raw = json.dumps(data).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(raw)))
            request.end_headers()
            request.wfile.write(raw)
            request.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def __enter__(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Keep:
    def __init__(self, server: "SmtpServer") -> None:
        self.server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.server.lock:
            self.server.messages.append(message)  # type: ignore[arg-type]
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if self.server.on_message is not None:
            self.server.on_message(message)
        return "250 Message accepted for delivery"


class _Controller(Controller):
    """aiosmtpd's controller, told the port the OS chose for port 0."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """``with SmtpServer() as smtp: smtp.port, smtp.messages``."""

    def __init__(
        self,
        *,
        tls_context: Any = None,
        login: tuple[str, str] | None = None,
        on_message: Callable[[EmailMessage], None] | None = None,
    ) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[str] = []
        self.lock = threading.Lock()
        self.on_message = on_message
        kwargs: dict[str, Any] = {}
        if tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=True)
        if login is not None:
            kwargs.update(
                authenticator=self._authenticator(login), auth_required=True,
                auth_require_tls=tls_context is not None,
            )  # fmt: skip
        self.controller = _Controller(_Keep(self), hostname="127.0.0.1", port=0, **kwargs)

    def _authenticator(self, login: tuple[str, str]) -> Callable[..., AuthResult]:
        def check(_server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any) -> Any:
            user = data.login.decode() if isinstance(data.login, bytes) else data.login
            password = data.password.decode() if isinstance(data.password, bytes) else data.password
            ok = (user, password) == login
            if ok:
                self.logins.append(user)
            return AuthResult(success=ok, handled=False)

        return check

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self.controller.port)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()
