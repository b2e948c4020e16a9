"""Alerts: the daily digest, spikes, silent or failing sources and follow-up reminders.

Checks (:mod:`triage.alerts_checks`, :mod:`triage.alerts_digest`, :mod:`triage.followups`)
produce :class:`Notice` objects; :func:`send_notice` delivers one to every channel — an email
address (text and HTML) or a Slack-compatible webhook (``{"text": ...}``) — and records an
:class:`~storage.models.Alert` row per channel that took it. Those rows are the memory of the
cool-downs ("one spike is one alert") and the audit of what was said.

Alert texts carry counts, ids, source and aspect names and links — never a review's text or
an author's name, which are untrusted and a chat tool would render as markup.
"""

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine

from storage.alerts import last_alert_sent, record_alert
from triage.export.mail import SmtpClient, build_message, render, smtp_error
from triage.http_delivery import (  # also hides webhook URL paths in urllib3 logs
    DeliveryError,
    deadline_session,
    post_within,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Channel:
    """Where alerts go: an email address or a Slack-compatible webhook."""

    name: str
    kind: Literal["email", "webhook"]
    url: str | None = field(default=None, repr=False)
    to: tuple[str, ...] = ()
    sender: str = "grapevine@localhost"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    starttls: bool = False
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    timeout: float = 10.0
    problem: str | None = None


@dataclass(frozen=True)
class AlertPolicy:
    """The thresholds of the alerts, from ``[alerts]`` (and the sources and time zone)."""

    digest: bool = True
    spike_factor: float = 3.0
    spike_min_count: int = 5
    spike_baseline_days: int = 14
    spike_cooldown: timedelta = timedelta(hours=24)
    silence_factor: float = 3.0
    failed_runs: int = 3
    timezone: str = "UTC"
    sources: tuple[str, ...] = ()
    queue_url: str | None = None


@dataclass
class Notice:
    """One alert to send: its kind and key (for cool-downs), a subject, a text and data."""

    kind: str
    key: str
    subject: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class AlertsReport:
    """What an alerts run sent, and what failed."""

    sent: int = 0
    notices: list[Notice] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class AlertError(Exception):
    """Some alerts could not be delivered (the message names the channels and why)."""


def slack_text(text: str) -> str:
    """Text for a Slack-compatible webhook: ``&``, ``<`` and ``>`` escaped as Slack asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _deliver(channel: Channel, notice: Notice) -> None:
    if channel.problem:
        raise AlertError(channel.problem)
    if channel.kind == "webhook":
        assert channel.url
        body = json.dumps({"text": slack_text(notice.text)}).encode("utf-8")
        session = deadline_session()
        try:  # the channel's timeout is the total, as for a support-queue webhook
            answer = post_within(
                session,
                channel.url,
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=channel.timeout,
            )
        except DeliveryError as exc:
            raise AlertError(str(exc)) from None
        finally:
            session.close()
        if not 200 <= answer.status < 300:
            raise AlertError(f"HTTP {answer.status}")
        return
    message = build_message(
        sender=channel.sender,
        to=channel.to,
        subject=notice.subject,
        text=notice.text,
        html=render("alert.html.j2", subject=notice.subject, text=notice.text),
        headers={"X-Grapevine-Alert": notice.kind},
    )
    client = SmtpClient(
        channel.smtp_host,
        channel.smtp_port,
        starttls=channel.starttls,
        username=channel.username,
        password=channel.password,
        ca_file=channel.ca_file,
        timeout=channel.timeout,
    )
    try:
        with client:
            client.send(message)
    except Exception as exc:
        raise AlertError(smtp_error(exc, channel.timeout)) from None


def send_notice(
    engine: Engine, channels: list[Channel], notice: Notice, *, now: datetime
) -> tuple[bool, list[str]]:
    """Send ``notice`` to every channel; (whether any took it, the failures)."""
    errors: list[str] = []
    delivered = False
    for channel in channels:
        try:
            _deliver(channel, notice)
        except AlertError as exc:
            errors.append(f"{channel.name}: {exc}")
            log.warning("%s alert to channel %s failed: %s", notice.kind, channel.name, exc)
            continue
        delivered = True
        with engine.begin() as conn:
            record_alert(
                conn,
                kind=notice.kind,
                key=notice.key,
                sent_at=now,
                channel=channel.name,
                message=notice.text,
                data=notice.data,
            )
        log.info("%s alert (%s) sent to %s", notice.kind, notice.key, channel.name)
    if not channels:
        log.info("%s alert (%s) not sent: no alert channels configured", notice.kind, notice.key)
    return delivered, errors


def last_alert(engine: Engine, kind: str, key: str | None) -> datetime | None:
    """When an alert of this kind (and key; ``None``: any key) was last sent, to any channel."""
    with engine.connect() as conn:
        return last_alert_sent(conn, kind=kind, key=key)
