"""Email through SMTP, for the support-queue export and the alert channels.

Messages have a plain-text and an HTML alternative, both rendered from the Jinja templates in
``triage/mail_templates`` (HTML autoescaped: a review's text is shown, never interpreted).
:class:`SmtpClient` opens one connection lazily and reuses it for a run's messages; STARTTLS
verifies the server's certificate (``ca_file`` trusts a private CA); credentials are only
used for ``login`` and never appear in an error message.

Each message has ``timeout`` seconds in all for its SMTP conversation (connect, EHLO,
STARTTLS, login, MAIL/RCPT/DATA), not per read: smtplib's own timeout is per socket
operation, so a server that answers one line every few seconds could hold it for minutes.
A watchdog timer shuts the socket down when the time is over and the send fails with a
``TimeoutError`` ("timed out after N s").
"""

import contextlib
import re
import smtplib
import socket
import ssl
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

#: Headers up to 998 characters stay on one line (Python folds a long subject oddly).
_POLICY = policy.default.clone(max_line_length=998)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_URL = re.compile(r"https?://[^\s<>\"']+")


def when(value: str | datetime | None) -> str:
    """An ISO time or a datetime as ``2026-11-20 09:12 UTC``."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def href(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL a link may point to, else ``None``."""
    if url and re.match(r"^https?://[^\s]+$", url, re.IGNORECASE):
        return url
    return None


def linkify(text: str) -> Markup:
    """Escape ``text`` for HTML and make its http(s) URLs links."""
    out, last = [], 0
    for match in _URL.finditer(text):
        out.append(escape(text[last : match.start()]))
        url = escape(match.group(0))
        out.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


TEMPLATES = Environment(
    loader=PackageLoader("triage", "mail_templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
TEMPLATES.filters.update(when=when, href=href, linkify=linkify)


def render(name: str, **context: Any) -> str:
    """Render the template ``name`` (``.html.j2`` templates are autoescaped)."""
    return TEMPLATES.get_template(name).render(**context)


def header_text(value: str, limit: int = 120) -> str:
    """One line for an email header: control characters and runs of spaces collapsed."""
    line = " ".join(_CONTROL.sub(" ", value).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def message_domain(sender: str) -> str:
    """The domain of a sender address (``grapevine.local`` when it has none)."""
    domain = sender.rpartition("@")[2].strip(" >")
    return domain if re.fullmatch(r"[A-Za-z0-9.-]+", domain or "") else "grapevine.local"


def build_message(
    *,
    sender: str,
    to: Iterable[str],
    subject: str,
    text: str,
    html: str | None = None,
    message_id: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A message with a text part and, when given, an HTML alternative."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = header_text(subject, 200)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = header_text(value, 400)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def smtp_error(exc: BaseException, timeout: float) -> str:
    """A one-line description of an SMTP failure, without credentials or message content."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = ", ".join(f"{to}: {code}" for to, (code, _msg) in exc.recipients.items())
        return f"recipients refused ({codes})"[:300]
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
        return f"SMTP {exc.smtp_code} {header_text(text, 200)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "the server does not support a requested extension (STARTTLS or AUTH)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({exc.verify_message}); set ca_file for a private CA"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error ({exc.reason})"
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"timed out after {timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError):
        return f"{type(exc).__name__}: {exc.strerror or 'network error'}"
    return type(exc).__name__


def cut_off(sock: Any) -> None:
    """Shut a socket down so that a read blocked on it returns now (quietly if gone)."""
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class SmtpClient:
    """One SMTP connection, opened on the first message and reused until closed."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        ca_file: str | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.host, self.port, self.starttls = host, port, starttls
        self._username, self._password = username, password
        self.ca_file, self.timeout = ca_file, timeout
        self._smtp: smtplib.SMTP | None = None
        self._talking: smtplib.SMTP | None = None  # the connection the watchdog may cut

    def __repr__(self) -> str:
        return f"SmtpClient({self.host}:{self.port}, starttls={self.starttls})"

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(timeout=self.timeout)  # connected below, so the watchdog can cut it
        smtp._host = self.host  # type: ignore[attr-defined]  # what SMTP(host) would set: STARTTLS checks the certificate for it
        self._talking = smtp
        try:
            smtp.connect(self.host, self.port)
            smtp.ehlo()
            if self.starttls:
                context = ssl.create_default_context(cafile=self.ca_file)
                smtp.starttls(context=context)
                smtp.ehlo()
            if self._username:
                smtp.login(self._username, self._password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send one message within ``timeout`` s; on a failure the connection is dropped."""
        expired = threading.Event()

        def strike() -> None:
            expired.set()
            talking = self._talking
            cut_off(getattr(talking, "sock", None))

        timer = threading.Timer(self.timeout, strike)
        timer.daemon = True
        timer.start()
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._talking = self._smtp
            self._smtp.send_message(message)
        except BaseException:
            self.close()
            if expired.is_set():
                raise TimeoutError(f"timed out after {self.timeout:g} s") from None
            raise
        finally:
            timer.cancel()
            self._talking = None
        if expired.is_set():  # the last answer came as the time ran out: it counts
            self.close()

    def close(self) -> None:
        """Say goodbye to the server (quietly if it is already gone)."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def __enter__(self) -> "SmtpClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
