"""The support-queue export: each matching case to each target, once, through a ledger.

The ledger is the ``export`` table, one row per case and target (unique). A run:

1. **queues**: every open case that has no row for a target and matches its rules gets a
   ``pending`` row (a case sent by hand from the dashboard already has one,
   :func:`triage.export.ledger.request_send`);
2. **claims** each due row (``pending``/``failed`` whose next attempt is due → ``sending``
   with a fresh claim token) in one atomic step that re-checks the row is still due — on
   PostgreSQL under ``FOR UPDATE SKIP LOCKED`` (:func:`storage.exports.claim`) — so two
   exporters at once never send the same row;
3. **sends** it with the row's idempotency key (:func:`~triage.export.payload.delivery_key`);
4. **records** the outcome under the claim token: ``sent`` with the target's reference, or
   ``failed`` with the error and the next attempt after an exponential backoff
   (:class:`~triage.export.targets.RetryPolicy`). Nothing is ever dropped: a target that is down
   for days gets every case when it is back.

What is guaranteed, honestly: a row is recorded ``sent`` only after the target accepted it,
so no case is lost — delivery is *at least once*. A sender that dies between the target's
acceptance and step 4 leaves the row ``sending``; the next run (immediately, when it holds
the export lock; else after ``lease``) sends it again **with the same key**. A webhook
receiver that honours the ``Idempotency-Key`` header, or a helpdesk that de-duplicates on
the email's ``Message-ID``, then sees it once; a file target is checked for the key before
appending, so a file holds each case exactly once. Only in that crash window can a receiver
that ignores both keys see a case twice. A re-send by hand gets a new key on purpose.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from storage import exports as exports_sql
from storage.exports import Claimed
from storage.types import utcnow
from triage.audit_trail import audit_export
from triage.export.payload import (
    CaseLink,
    case_payload,
    delivery_key,
    load_records,
    open_records_without,
)
from triage.export.senders import Delivery, DeliveryError, sender_for
from triage.export.targets import RetryPolicy, Target

log = logging.getLogger(__name__)

#: How long a claim may be held before another exporter treats the sender as dead.
DEFAULT_LEASE = timedelta(minutes=15)


@dataclass(frozen=True)
class Planned:
    """A delivery that a run would make (``grapevine export --dry-run``)."""

    target: str
    case_id: int
    reason: str  # new, retry, resend, unfinished
    attempts: int
    priority: float
    source: str


@dataclass
class TargetReport:
    """What an export run did for one target."""

    name: str
    kind: str
    rules: str
    queued: int = 0
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    stopped: bool = False
    problem: str | None = None
    errors: list[str] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)
    next_attempt_at: datetime | None = None


@dataclass
class ExportReport:
    """What an export run did, per target."""

    targets: list[TargetReport] = field(default_factory=list)

    @property
    def sent(self) -> int:
        """Deliveries made."""
        return sum(t.sent for t in self.targets)

    @property
    def failed(self) -> int:
        """Failed attempts (each retried later)."""
        return sum(t.failed for t in self.targets)

    @property
    def waiting(self) -> int:
        """Deliveries still waiting after the run (backing off, or not yet tried)."""
        return sum(t.waiting for t in self.targets)

    @property
    def problems(self) -> list[str]:
        """Targets that could not be used at all, and why."""
        return [f"{t.name}: {t.problem}" for t in self.targets if t.problem]


def enqueue(engine: Engine, target: Target, *, now: datetime, dry_run: bool = False) -> list[int]:
    """Queue every open case that matches the target's rules and has no ledger row yet."""
    with engine.connect() as conn:
        ids = [
            r.case_id for r in open_records_without(conn, target.name) if target.rules.matches(r)
        ]
    if dry_run or not ids:
        return ids
    with engine.begin() as conn:
        exports_sql.queue_cases(conn, target=target.name, case_ids=ids, now=now)
    log.info("queued %d cases for %s", len(ids), target.name)
    return ids


def due(
    engine: Engine, target: str, *, now: datetime, lease: timedelta, ignore_backoff: bool = False
) -> list[Any]:
    """The ledger rows of ``target`` to send now, highest priority first (a snapshot)."""
    with engine.connect() as conn:
        return exports_sql.due_rows(
            conn, target=target, now=now, lease=lease, ignore_backoff=ignore_backoff
        )


def _claim(
    engine: Engine,
    row: Any,
    now: datetime,
    *,
    lease: timedelta = DEFAULT_LEASE,
    ignore_backoff: bool = False,
) -> Claimed | None:
    """Claim ``row`` for one delivery if it is still due (see :func:`storage.exports.claim`)."""
    with engine.begin() as conn:
        return exports_sql.claim(
            conn, export_id=row.id, expected_state=row.state, now=now, lease=lease,
            ignore_backoff=ignore_backoff,
        )  # fmt: skip


def _record_sent(engine: Engine, claimed: Claimed, reference: str, key: str, now: datetime) -> bool:
    with engine.begin() as conn:
        if not exports_sql.mark_sent(
            conn, export_id=claimed.id, token=claimed.token, reference=reference, now=now
        ):
            return False
        exports_sql.add_event(
            conn, case_id=claimed.case_id, at=now, actor="grapevine",
            message=f"sent to {claimed.target}",
            data={"target": claimed.target, "reference": reference[:400], "key": key,
                  "attempt": claimed.attempt},
        )  # fmt: skip
        audit_export(conn, case_id=claimed.case_id, target=claimed.target, action="export.sent",
                     attempt=claimed.attempt, resends=claimed.resends)  # fmt: skip
    return True


def _record_failed(engine: Engine, claimed: Claimed, error: str, next_at: datetime) -> None:
    with engine.begin() as conn:
        exports_sql.mark_failed(
            conn, export_id=claimed.id, token=claimed.token, error=error, next_attempt_at=next_at
        )
        audit_export(conn, case_id=claimed.case_id, target=claimed.target,
                     action="export.failed", attempt=claimed.attempt)  # fmt: skip


def _reason(row: Any) -> str:
    if row.state == "sending":
        return "unfinished"
    if row.state == "failed":
        return "retry"
    return "resend" if row.resends else "new"


def _waiting(engine: Engine, target: str) -> tuple[int, datetime | None]:
    with engine.connect() as conn:
        return exports_sql.waiting(conn, target=target)


def export_pending(
    engine: Engine,
    targets: Sequence[Target],
    *,
    retry: RetryPolicy | None = None,
    case_link: CaseLink | None = None,
    only: str | None = None,
    dry_run: bool = False,
    lease: timedelta = DEFAULT_LEASE,
    ignore_backoff: bool = False,
    should_stop: Callable[[], bool] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> ExportReport:
    """Queue matching cases, then send everything due to each target (or only ``only``).

    ``lease``: a row claimed longer ago than this is taken to be orphaned by a dead sender
    and sent again with the same key; pass ``timedelta(0)`` when holding the export lock
    (no other sender can be alive). ``ignore_backoff`` retries failed rows now.
    ``should_stop`` is asked between deliveries (a signal asked the process to stop).
    """
    retry = retry or RetryPolicy()
    link = case_link or (lambda _case_id: None)
    report = ExportReport()
    for target in targets:
        if only is not None and target.name != only:
            continue
        tr = TargetReport(target.name, target.kind, target.rules.describe(), problem=target.problem)
        report.targets.append(tr)
        now = clock()
        queued = enqueue(engine, target, now=now, dry_run=dry_run)
        tr.queued = len(queued)
        rows = due(engine, target.name, now=now, lease=lease, ignore_backoff=ignore_backoff)
        if dry_run:
            _plan(engine, tr, queued, rows)
            tr.waiting, tr.next_attempt_at = _waiting(engine, target.name)
            continue
        if target.problem is None:
            _send_rows(
                engine, target, rows, tr, retry, link, should_stop, clock, lease, ignore_backoff
            )
        else:
            log.error("export target %s is not usable: %s", target.name, target.problem)
        tr.waiting, tr.next_attempt_at = _waiting(engine, target.name)
    return report


def _plan(engine: Engine, tr: TargetReport, queued: list[int], rows: list[Any]) -> None:
    with engine.connect() as conn:
        records = load_records(conn, [*queued, *(r.case_id for r in rows)])
    for case_id in queued:
        rec = records[case_id]
        tr.planned.append(Planned(tr.name, case_id, "new", 0, rec.priority, rec.source))
    for row in rows:
        found = records.get(row.case_id)
        if found is not None:
            tr.planned.append(
                Planned(
                    tr.name, row.case_id, _reason(row), row.attempts, found.priority, found.source
                )
            )


def _send_rows(
    engine: Engine,
    target: Target,
    rows: list[Any],
    tr: TargetReport,
    retry: RetryPolicy,
    link: CaseLink,
    should_stop: Callable[[], bool] | None,
    clock: Callable[[], datetime],
    lease: timedelta,
    ignore_backoff: bool,
) -> None:
    failures_in_a_row = 0
    with engine.connect() as conn:  # the cases as they are at the start of the run
        records = load_records(conn, [r.case_id for r in rows])
    sender = sender_for(target)
    try:
        for row in rows:
            if should_stop is not None and should_stop():
                tr.stopped = True
                break
            now = clock()
            claimed = _claim(engine, row, now, lease=lease, ignore_backoff=ignore_backoff)
            if claimed is None:
                continue  # another exporter has it or had it, or it was re-queued by hand
            record = records.get(row.case_id)
            if record is None:
                continue  # the case was deleted meanwhile (its ledger rows went with it)
            # the key from the row as claimed (a resend by hand meanwhile has a new one)
            key = delivery_key(claimed.case_id, claimed.target, claimed.created_at, claimed.resends)
            delivery = Delivery(
                key=key,
                payload=case_payload(record, key=key, case_url=link(row.case_id)),
                attempt=claimed.attempt,
                uncertain=claimed.uncertain,
            )
            try:
                reference = sender.send(delivery)
            except DeliveryError as exc:
                error = str(exc)
                wait = retry.delay(claimed.attempt)
                asked = getattr(exc, "retry_after", None)  # a helpdesk's 429 Retry-After
                if asked:
                    wait = max(wait, timedelta(seconds=asked))
                next_at = clock() + wait
                _record_failed(engine, claimed, error, next_at)
                tr.failed += 1
                if error not in tr.errors:
                    tr.errors.append(error)
                log.warning(
                    "case %d to %s failed (attempt %d): %s; next attempt at %s",
                    row.case_id, target.name, claimed.attempt, error, f"{next_at:%H:%M:%S}",
                )  # fmt: skip
                failures_in_a_row += 1
                if failures_in_a_row >= retry.stop_after:
                    tr.stopped = True
                    log.warning(
                        "%s failed %d times in a row; the rest waits for the next run",
                        target.name, failures_in_a_row,
                    )  # fmt: skip
                    break
                continue
            failures_in_a_row = 0
            if _record_sent(engine, claimed, reference, key, clock()):
                tr.sent += 1
                log.info("case %d sent to %s", row.case_id, target.name)
            else:
                log.warning(
                    "case %d was re-queued for %s while being sent", row.case_id, row.target
                )
    finally:
        sender.close()


def ledger_backlog(engine: Engine) -> dict[str, dict[str, object]]:
    """Per target: rows waiting, rows whose last attempt failed, and the oldest waiting row."""
    with engine.connect() as conn:
        rows = exports_sql.backlog(conn)
    return {
        target: {"waiting": n, "failing": failing, "oldest": oldest}
        for target, n, failing, oldest in rows
    }
