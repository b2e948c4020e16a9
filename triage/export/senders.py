"""How each kind of support-queue target receives a case: webhook, email, file.

A sender is used for one target during one export run (``with sender_for(target) as s``) and
delivers one :class:`Delivery` at a time, returning the target's reference for it or raising
:class:`DeliveryError`, whose text is safe to log and to store: it never contains a secret,
a URL (a webhook URL can itself be a secret) or anything a receiver echoed back. Every
delivery has a total deadline (:mod:`triage.http_delivery` for webhooks,
:class:`triage.export.mail.SmtpClient` for email).
"""

import csv
import hashlib
import hmac
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from triage.export.mail import SmtpClient, build_message, header_text, render, smtp_error
from triage.export.targets import EmailTarget, FileTarget, HelpdeskTarget, Target, WebhookTarget
from triage.http_delivery import (  # also hides webhook URL paths in urllib3 logs
    Answer,
    DeliveryError,
    deadline_session,
    post_within,
)

USER_AGENT = "Grapevine/0.1 (support-queue export)"
SIGNATURE_HEADER = "X-Grapevine-Signature-256"
DELIVERY_HEADER = "X-Grapevine-Delivery"
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Delivery:
    """One case for one target: its idempotency key, payload and attempt number.

    ``uncertain``: an earlier attempt was interrupted after it may have reached the target
    (the sender died between sending and recording).
    """

    key: str
    payload: dict[str, Any]
    attempt: int = 1
    uncertain: bool = False


class Sender(Protocol):
    """What the export loop needs from a sender."""

    def send(self, delivery: Delivery) -> str:
        """Deliver; return the target's reference or raise :class:`DeliveryError`."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...


def signature(secret: str, body: bytes) -> str:
    """The ``X-Grapevine-Signature-256`` value: ``sha256=`` and the HMAC-SHA256 of the body."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def headline(payload: dict[str, Any]) -> str:
    """A one-line summary of a case (an email subject): who said what, where."""
    stars = f"{payload['rating']:g}★ " if payload.get("rating") is not None else ""
    kind = "complaint" if payload.get("complaint") else (payload.get("label") or "mention")
    who = payload.get("author") or "someone"
    gist = payload.get("title") or payload.get("text") or ""
    line = f"Case #{payload['case_id']}: {stars}{kind} on {payload['source']} by {who} — {gist}"
    return header_text(line, 150)


def body_of(payload: dict[str, Any]) -> bytes:
    """The JSON body of a webhook delivery (UTF-8, keys sorted)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")


class WebhookSender:
    """POST each case as JSON; 2xx is delivered, 409 means the receiver already has it."""

    def __init__(self, target: WebhookTarget) -> None:
        self.target = target
        self.session = deadline_session()

    def send(self, delivery: Delivery) -> str:
        """POST one case (signed when the target has a secret)."""
        target = self.target
        body = body_of(delivery.payload)
        headers = {
            **target.headers,
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            IDEMPOTENCY_HEADER: delivery.key,
            DELIVERY_HEADER: delivery.key,
            "X-Grapevine-Event": "case",
            "X-Grapevine-Attempt": str(delivery.attempt),
        }
        if target.secret:
            headers[SIGNATURE_HEADER] = signature(target.secret, body)
        try:
            answer = post_within(
                self.session, target.url, data=body, headers=headers, timeout=target.timeout
            )
        except DeliveryError:
            self.session.close()  # a connection cut off mid-answer is not reused
            self.session = deadline_session()
            raise
        if answer.status == 409:
            return "HTTP 409 (already received)"
        if not 200 <= answer.status < 300:
            raise DeliveryError(f"HTTP {answer.status} {header_text(answer.reason, 60)}")
        return _reference(answer)

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()


def _reference(answer: Answer) -> str:
    try:
        data = json.loads(answer.body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("id", "ticket_id", "reference", "key"):
            if isinstance(data.get(key), str | int) and not isinstance(data.get(key), bool):
                return header_text(f"{key} {data[key]}", 200)
    return f"HTTP {answer.status}"


class EmailSender:
    """One email per case over one SMTP connection for the run."""

    def __init__(self, target: EmailTarget) -> None:
        self.target = target
        self.client = SmtpClient(
            target.smtp_host,
            target.smtp_port,
            starttls=target.starttls,
            username=target.username,
            password=target.password,
            ca_file=target.ca_file,
            timeout=target.timeout,
        )

    def message_id(self, key: str) -> str:
        """The Message-ID of a delivery: the same for every attempt of it."""
        domain = self.target.sender.rpartition("@")[2].strip(" >") or "grapevine.local"
        return f"<{key}@{domain}>"

    def send(self, delivery: Delivery) -> str:
        """Send one case to the intake address(es)."""
        payload = delivery.payload
        subject = headline(payload)
        context: dict[str, Any] = {"p": payload, "headline": subject, "target": self.target.name}
        message = build_message(
            sender=self.target.sender,
            to=self.target.to,
            subject=subject,
            text=render("case.txt.j2", **context),
            html=render("case.html.j2", **context),
            message_id=self.message_id(delivery.key),
            headers={
                "X-Grapevine-Case": str(payload["case_id"]),
                DELIVERY_HEADER: delivery.key,
            },
        )
        try:
            self.client.send(message)
        except Exception as exc:
            raise DeliveryError(smtp_error(exc, self.target.timeout)) from None
        return str(message["Message-ID"])

    def close(self) -> None:
        """Close the SMTP connection."""
        self.client.close()


CSV_COLUMNS = (
    "delivery_id", "case_id", "case_url", "status", "priority", "opened_at", "due_at",
    "source", "source_type", "mention_url", "published_at", "author", "author_handle",
    "title", "text", "rating", "sentiment", "label", "complaint", "aspects", "brand",
    "customer_id", "customer_name", "customer_email", "customer_tier",
)  # fmt: skip
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def neutralise(value: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (``'`` before =, +, -, @)."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(value):
        return "'" + value
    return value


def csv_row(payload: dict[str, Any]) -> list[str]:
    """A payload as CSV cells: lists joined with ``; ``, inner newlines as ``\\n``."""
    customer = payload.get("customer") or {}
    flat = {
        **payload,
        "aspects": "; ".join(payload.get("aspects") or ()),
        "complaint": "yes" if payload.get("complaint") else "no",
        "customer_id": customer.get("external_id"),
        "customer_name": customer.get("name"),
        "customer_email": customer.get("email"),
        "customer_tier": customer.get("tier"),
    }
    cells = []
    for column in CSV_COLUMNS:
        value = flat.get(column)
        if value is None:
            cells.append("")
        elif isinstance(value, str):
            text = value.replace("\r\n", "\n").replace("\r", "\n")
            cells.append(neutralise(text))
        else:
            cells.append(str(value))
    return cells


class FileSender:
    """Append each case to a CSV or JSONL file, flushed to disk before it counts as sent.

    A record ends with ``\\r\\n`` (CSV) or ``\\n`` (JSONL); a torn record left by a crash is cut
    off before anything is appended. A delivery whose earlier attempt was interrupted is
    looked up in the file first, so a file never holds a case twice.
    """

    def __init__(self, target: FileTarget) -> None:
        self.target = target
        self.path = Path(target.path)
        self._fh: BinaryIO | None = None
        self._present: set[str] | None = None

    @property
    def _terminator(self) -> bytes:
        return b"\r\n" if self.target.format == "csv" else b"\n"

    def _open(self) -> BinaryIO:
        if self._fh is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fh: BinaryIO = open(self.path, "a+b")  # noqa: SIM115 (kept open for the run)
            except OSError as exc:
                raise DeliveryError(f"cannot open the file ({exc.strerror})") from None
            self._repair(fh)
            self._fh = fh
        return self._fh

    def _repair(self, fh: BinaryIO) -> None:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        if size == 0:
            return
        fh.seek(max(0, size - 65536))
        tail = fh.read()
        if tail.endswith(self._terminator):
            return
        cut = tail.rfind(self._terminator)
        keep = (size - len(tail) + cut + len(self._terminator)) if cut >= 0 else 0
        fh.truncate(keep)

    def _already_present(self, key: str) -> bool:
        if self._present is None:
            text = self.path.read_text(encoding="utf-8-sig", errors="replace")
            if self.target.format == "csv":
                rows = csv.reader(io.StringIO(text, newline=""))
                self._present = {row[0] for row in rows if row}
            else:
                present = set()
                for line in text.splitlines():
                    try:
                        present.add(json.loads(line).get("delivery_id"))
                    except (ValueError, AttributeError):
                        continue
                self._present = present
        return key in self._present

    def send(self, delivery: Delivery) -> str:
        """Append one record (unless an interrupted earlier attempt already did)."""
        fh = self._open()
        if delivery.uncertain and self._already_present(delivery.key):
            return f"{self.path.name} (already in the file)"
        fh.seek(0, os.SEEK_END)
        offset = fh.tell()
        if self.target.format == "csv":
            out = io.StringIO(newline="")
            writer = csv.writer(out, lineterminator="\r\n")
            if offset == 0:
                writer.writerow(CSV_COLUMNS)
            writer.writerow(csv_row(delivery.payload))
            data = out.getvalue().encode("utf-8")
            if offset == 0:
                data = "\ufeff".encode() + data  # so spreadsheets read UTF-8
        else:
            data = body_of(delivery.payload) + b"\n"
        try:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        except OSError as exc:
            raise DeliveryError(f"cannot write the file ({exc.strerror})") from None
        if self._present is not None:
            self._present.add(delivery.key)
        return f"{self.path.name}@{offset}"

    def close(self) -> None:
        """Close the file."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def sender_for(target: Target) -> Sender:
    """The sender for a target."""
    if isinstance(target, WebhookTarget):
        return WebhookSender(target)
    if isinstance(target, EmailTarget):
        return EmailSender(target)
    if isinstance(target, HelpdeskTarget):
        from triage.helpdesk.clients import HelpdeskSender

        return HelpdeskSender(target)
    return FileSender(target)
