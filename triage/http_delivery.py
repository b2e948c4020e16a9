"""HTTP deliveries with a total deadline, for the support-queue export and the alert channels.

``requests`` applies its ``timeout`` to each read, so a receiver that answers ``200`` and then
trickles one byte every few seconds held each delivery for minutes. :func:`post_within` gives
a POST (connect, send, headers and body) ``timeout`` seconds in all: the connections a request
uses are registered (our own urllib3 connection classes, mounted by :class:`DeadlineAdapter`)
and a watchdog timer shuts their sockets down when the time is over, which ends a blocked read
at once; the delivery then fails with "timed out after N s" and the ledger retries it later.
The answer is read up to :data:`MAX_ANSWER_BYTES` (a receiver's reply is only looked at for a
reference). Email has the same bound through :class:`triage.export.mail.SmtpClient`.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from triage.export.mail import cut_off


class HideRequestPaths(logging.Filter):
    """Hide request paths in urllib3's debug lines: a webhook URL's path can be a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace every argument that looks like a request path with ``/…``."""
        if isinstance(record.args, tuple):
            record.args = tuple(
                "/…" if isinstance(a, str) and a.startswith("/") else a for a in record.args
            )
        return True


_URLLIB3 = logging.getLogger("urllib3.connectionpool")
if not any(isinstance(f, HideRequestPaths) for f in _URLLIB3.filters):
    _URLLIB3.addFilter(HideRequestPaths())


class DeliveryError(Exception):
    """A delivery that did not succeed; the message is safe to log and to store."""


#: How much of a receiver's answer is read (the rest is ignored, not waited for).
MAX_ANSWER_BYTES = 64 * 1024
_WATCH = threading.local()


def _register(conn: Any) -> None:
    watched = getattr(_WATCH, "conns", None)
    if watched is not None:
        watched.append(conn)


class _Watched:
    """A connection that remembers its socket: an HTTP/1.0 or ``Connection: close`` answer
    takes the socket away from the connection (``http.client`` hands it to the response), and
    the deadline must still be able to cut it."""

    sock: Any

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.watched_sock = self.sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)
        super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    """A plain HTTP connection the deadline can cut."""


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    """An HTTPS connection the deadline can cut."""


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections :func:`total_deadline` can cut off."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """The pool manager, building pools of watched connections."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedPool,
            "https": _WatchedHTTPSPool,
        }


def deadline_session() -> requests.Session:
    """A ``requests`` session whose requests :func:`post_within` can bound in total."""
    session = requests.Session()
    adapter = DeadlineAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


@contextmanager
def total_deadline(seconds: float) -> Iterator[threading.Event]:
    """Cut off the connections this thread's requests use once ``seconds`` have passed.

    Yields an event that is set when the deadline struck (the request then fails with a
    connection error, which the caller reports as a timeout).
    """
    conns: list[Any] = []
    expired = threading.Event()

    def strike() -> None:
        expired.set()
        for conn in list(conns):
            cut_off(getattr(conn, "watched_sock", None) or getattr(conn, "sock", None))

    _WATCH.conns = conns
    timer = threading.Timer(seconds, strike)
    timer.daemon = True
    timer.start()
    try:
        yield expired
    finally:
        timer.cancel()
        _WATCH.conns = None


@dataclass(frozen=True)
class Answer:
    """A receiver's answer: status, reason and the first bytes of its body."""

    status: int
    reason: str
    body: bytes


def post_within(
    session: requests.Session, url: str, *, data: bytes, headers: dict[str, str], timeout: float
) -> Answer:
    """POST and read the answer within ``timeout`` seconds in all, or raise DeliveryError."""
    with total_deadline(timeout) as expired:
        try:
            response = session.post(
                url,
                data=data,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            )
            with response:
                chunks, size = [], 0
                for chunk in response.iter_content(8192):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= MAX_ANSWER_BYTES:
                        break
                answer = Answer(response.status_code, response.reason or "", b"".join(chunks))
        except (requests.RequestException, OSError) as exc:
            if expired.is_set():
                raise DeliveryError(f"timed out after {timeout:g} s") from None
            if isinstance(exc, requests.RequestException):
                raise DeliveryError(http_error(exc, timeout)) from None
            raise DeliveryError(f"request failed ({type(exc).__name__})") from None
    if expired.is_set():
        raise DeliveryError(f"timed out after {timeout:g} s")
    return answer


def http_error(exc: requests.RequestException, timeout: float) -> str:
    """A one-line description of a failed request, without its URL."""
    if isinstance(exc, requests.Timeout):
        return f"timed out after {timeout:g} s"
    if isinstance(exc, requests.ConnectionError):
        return f"connection failed ({_root_cause(exc)})"
    return f"request failed ({type(exc).__name__})"


def _root_cause(exc: BaseException) -> str:
    seen = exc
    while seen.__cause__ is not None or seen.__context__ is not None:
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
    for cls in (ConnectionRefusedError, ConnectionResetError, TimeoutError):
        if isinstance(seen, cls):
            return cls.__name__
    text = str(seen)
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    if "refused" in text:
        return "ConnectionRefusedError"
    return type(seen).__name__
