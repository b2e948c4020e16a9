"""The support-queue export: each matching case to each target, once, through a ledger.

The ledger is the ``export`` table, one row per case and target (unique). A run:

1. **queues**: every open case that has no row for a target and matches its rules gets a
   ``pending`` row (a case sent by hand from the dashboard already has one,
   :func:`triage.ledger.request_send`);
2. **claims** each due row with a conditional update (``pending``/``failed`` whose next
   attempt is due → ``sending`` with a fresh claim token), so two exporters never send the
   same row;
3. **sends** it with the row's idempotency key (:func:`~triage.export_payload.delivery_key`);
4. **records** the outcome under the claim token: ``sent`` with the target's reference, or
   ``failed`` with the error and the next attempt after an exponential backoff
   (:class:`~triage.targets.RetryPolicy`). Nothing is ever dropped: a target that is down
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
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, and_, func, insert, or_, select, update
from sqlalchemy import case as when_then
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import Case, CaseEvent, Export
from storage.types import utcnow
from triage.audit_trail import audit_export
from triage.export_payload import (
    CaseLink,
    case_payload,
    delivery_key,
    load_records,
    open_records_without,
)
from triage.export_senders import Delivery, DeliveryError, sender_for
from triage.targets import RetryPolicy, Target

log = logging.getLogger(__name__)

EXPORT = Export.__table__  # type: ignore[attr-defined]
EVENT = CaseEvent.__table__  # type: ignore[attr-defined]
WAITING_STATES = ("pending", "failed", "sending")
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
    rows = [
        {"case_id": i, "target": target.name, "state": "pending", "attempts": 0,
         "resends": 0, "created_at": now, "next_attempt_at": now}
        for i in ids
    ]  # fmt: skip
    with engine.begin() as conn:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(EXPORT).on_conflict_do_nothing(index_elements=["case_id", "target"])
        conn.execute(stmt, rows)
    log.info("queued %d cases for %s", len(ids), target.name)
    return ids


def due(
    engine: Engine, target: str, *, now: datetime, lease: timedelta, ignore_backoff: bool = False
) -> list[Export]:
    """The ledger rows of ``target`` to send now, highest priority first."""
    ready: ColumnElement[bool] = col(Export.state).in_(("pending", "failed"))
    if not ignore_backoff:
        ready = and_(
            ready,
            or_(col(Export.next_attempt_at).is_(None), col(Export.next_attempt_at) <= now),
        )
    orphaned = and_(
        col(Export.state) == "sending",
        or_(col(Export.claimed_at).is_(None), col(Export.claimed_at) <= now - lease),
    )
    with Session(engine) as session:
        return list(
            session.execute(
                select(Export)
                .join(Case, col(Case.id) == col(Export.case_id))
                .where(col(Export.target) == target, or_(ready, orphaned))
                .order_by(col(Case.priority).desc(), col(Export.id))
            ).scalars()
        )


def _claim(engine: Engine, row: Export, now: datetime) -> str | None:
    token = uuid.uuid4().hex
    with engine.begin() as conn:
        result = conn.execute(
            update(EXPORT)
            .where(
                EXPORT.c.id == row.id,
                EXPORT.c.state == row.state,
                func.coalesce(EXPORT.c.claim, "") == (row.claim or ""),
            )
            .values(state="sending", claim=token, claimed_at=now, attempts=EXPORT.c.attempts + 1)
        )
    return token if result.rowcount == 1 else None


def _record_sent(
    engine: Engine, row: Export, token: str, reference: str, key: str, now: datetime
) -> bool:
    with engine.begin() as conn:
        result = conn.execute(
            update(EXPORT)
            .where(EXPORT.c.id == row.id, EXPORT.c.claim == token)
            .values(
                state="sent", sent_at=now, reference=reference[:400], last_error=None,
                claim=None, next_attempt_at=None,
            )
        )  # fmt: skip
        if result.rowcount != 1:
            return False
        conn.execute(
            insert(EVENT).values(
                case_id=row.case_id, at=now, actor="grapevine", kind="export",
                message=f"sent to {row.target}",
                data={"target": row.target, "reference": reference[:400], "key": key,
                      "attempt": row.attempts + 1},
            )
        )  # fmt: skip
        audit_export(conn, case_id=row.case_id, target=row.target, action="export.sent",
                     attempt=row.attempts + 1, resends=row.resends)  # fmt: skip
    return True


def _record_failed(engine: Engine, row: Export, token: str, error: str, next_at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(EXPORT)
            .where(EXPORT.c.id == row.id, EXPORT.c.claim == token)
            .values(state="failed", last_error=error[:1000], next_attempt_at=next_at, claim=None)
        )
        audit_export(conn, case_id=row.case_id, target=row.target, action="export.failed",
                     attempt=row.attempts + 1)  # fmt: skip


def _reason(row: Export) -> str:
    if row.state == "sending":
        return "unfinished"
    if row.state == "failed":
        return "retry"
    return "resend" if row.resends else "new"


def _waiting(engine: Engine, target: str) -> tuple[int, datetime | None]:
    with engine.connect() as conn:
        count, first = conn.execute(
            select(func.count(), func.min(col(Export.next_attempt_at))).where(
                col(Export.target) == target, col(Export.state).in_(WAITING_STATES)
            )
        ).one()
    return int(count), first


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
            _send_rows(engine, target, rows, tr, retry, link, should_stop, clock)
        else:
            log.error("export target %s is not usable: %s", target.name, target.problem)
        tr.waiting, tr.next_attempt_at = _waiting(engine, target.name)
    return report


def _plan(engine: Engine, tr: TargetReport, queued: list[int], rows: list[Export]) -> None:
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
    rows: list[Export],
    tr: TargetReport,
    retry: RetryPolicy,
    link: CaseLink,
    should_stop: Callable[[], bool] | None,
    clock: Callable[[], datetime],
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
            token = _claim(engine, row, now)
            if token is None:
                continue  # another exporter took it, or it was re-queued by hand
            record = records.get(row.case_id)
            if record is None:
                continue  # the case was deleted meanwhile (its ledger rows went with it)
            key = delivery_key(row.case_id, row.target, row.created_at, row.resends)
            delivery = Delivery(
                key=key,
                payload=case_payload(record, key=key, case_url=link(row.case_id)),
                attempt=row.attempts + 1,
                uncertain=row.state == "sending",
            )
            try:
                reference = sender.send(delivery)
            except DeliveryError as exc:
                error = str(exc)
                next_at = clock() + retry.delay(row.attempts + 1)
                _record_failed(engine, row, token, error, next_at)
                tr.failed += 1
                if error not in tr.errors:
                    tr.errors.append(error)
                log.warning(
                    "case %d to %s failed (attempt %d): %s; next attempt at %s",
                    row.case_id, target.name, row.attempts + 1, error, f"{next_at:%H:%M:%S}",
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
            if _record_sent(engine, row, token, reference, key, clock()):
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
        rows = conn.execute(
            select(
                col(Export.target),
                func.count(),
                func.sum(when_then((col(Export.state) == "failed", 1), else_=0)),
                func.min(col(Export.created_at)),
            )
            .where(col(Export.state).in_(WAITING_STATES))
            .group_by(col(Export.target))
        ).all()
    return {
        target: {"waiting": int(n), "failing": int(failing or 0), "oldest": oldest}
        for target, n, failing, oldest in rows
    }
