"""Every delivery has a total deadline: a receiver that trickles cannot hold an export."""

import socket
import threading
import time
from datetime import timedelta

from helpers.cases import NOW, mention, seed_cases
from helpers.receiver import WebhookReceiver
from sqlmodel import Session, select

from storage.models import Export
from triage.alerts import Channel, Notice, send_notice
from triage.export.run import export_pending
from triage.export.targets import EmailTarget, RetryPolicy, WebhookTarget


class TricklingSmtp:
    """A TCP server on 127.0.0.1 that greets with ``220-`` lines, one every 0.3 s, forever.

    smtplib's timeout is per read, so each line resets it: only a total deadline ends this.
    """

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        with conn:
            try:
                while not self.done.is_set():
                    conn.sendall(b"220-still thinking\r\n")
                    time.sleep(0.3)
            except OSError:
                return

    def close(self) -> None:
        self.done.set()
        self.sock.close()


def test_a_trickling_webhook_fails_after_its_timeout_and_is_retried(engine) -> None:
    ids = seed_cases(engine, [mention(str(i)) for i in range(4)])
    retry = RetryPolicy(base=timedelta(minutes=5), stop_after=2)
    # two answers trickled at one byte every 0.4 s (each read well within the 1 s timeout, so
    # only a total deadline stops them; 64 bytes take 26 s), then a receiver that answers at once;
    # and a second target that only ever trickles
    with (
        WebhookReceiver(plan=["trickle", "trickle", "ok"], slow_seconds=0.4) as hook,
        WebhookReceiver(plan=["trickle"], slow_seconds=0.4) as stuck,
    ):
        slow = WebhookTarget("slowdesk", hook.url, timeout=1.0)
        never = WebhookTarget("stuckdesk", stuck.url, timeout=1.0)
        started = time.monotonic()
        first = export_pending(engine, [slow, never], retry=retry, clock=lambda: NOW)
        took = time.monotonic() - started
        assert (first.sent, first.failed, first.waiting) == (0, 4, 8)
        for target in first.targets:
            assert target.errors == ["timed out after 1 s"] and target.stopped
        # 2 targets x 2 deliveries x 1 s; per-read timeouts would have taken 64 x 0.4 s each
        assert took < 2 * 2 * 1.0 + 2.0, took
        with Session(engine) as session:
            failed = session.exec(select(Export).where(Export.state == "failed")).all()
        assert len(failed) == 4
        assert all(r.last_error == "timed out after 1 s" and r.next_attempt_at for r in failed)
        later = export_pending(engine, [slow], retry=retry, clock=lambda: NOW + timedelta(hours=1))
    assert (later.sent, later.failed, later.waiting) == (4, 0, 0)
    assert sorted(p["case_id"] for p in hook.stored.values()) == sorted(ids)


def test_a_slow_smtp_server_fails_after_the_timeout(engine) -> None:
    seed_cases(engine, [mention("m")])
    server = TricklingSmtp()
    try:
        target = EmailTarget("mailbox", ("care@acme.example",), smtp_port=server.port, timeout=1)
        started = time.monotonic()
        report = export_pending(engine, [target], clock=lambda: NOW)
        took = time.monotonic() - started
    finally:
        server.close()
    assert report.failed == 1 and report.targets[0].errors == ["timed out after 1 s"]
    assert took < 2.5, took


def test_an_alert_channel_has_the_same_deadline(engine) -> None:
    notice = Notice(kind="spike", key="k", subject="spike", text="12 mentions", data={})
    with WebhookReceiver(plan=["trickle"], slow_seconds=0.4) as hook:
        started = time.monotonic()
        delivered, errors = send_notice(
            engine, [Channel("slack", "webhook", url=hook.url, timeout=1.0)], notice, now=NOW
        )
        took = time.monotonic() - started
    assert not delivered and errors == ["slack: timed out after 1 s"]
    assert took < 2.5, took
