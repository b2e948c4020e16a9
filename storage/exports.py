"""SQL of the support-queue delivery ledger (the ``export`` table, one row per case and target).

Keyword-only functions taking a connection; :mod:`triage.export.run` and :mod:`triage.export.ledger`
hold the policy (what to queue, the backoff, what a run reports) and the transactions.

A row goes ``pending``/``failed`` → ``sending`` (claimed under a fresh token) → ``sent`` or
``failed``. :func:`claim` re-checks, at the moment of the claim, that the row is still due — so
two exporters at once never both claim a row: on PostgreSQL the row is locked ``FOR UPDATE
SKIP LOCKED`` (an exporter claiming it right now is skipped without waiting), then updated;
SQLite, whose writers take turns, runs a conditional ``UPDATE … RETURNING``.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy import case as when_then
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.cases import add_case_event
from storage.models import Case, Export

EXPORT = Export.__table__  # type: ignore[attr-defined]
CASE = Case.__table__  # type: ignore[attr-defined]
#: States of a row still to be delivered.
WAITING_STATES = ("pending", "failed", "sending")


@dataclass(frozen=True)
class Claimed:
    """A row claimed for one delivery, as it was at the moment of the claim."""

    id: int
    case_id: int
    target: str
    token: str
    attempt: int  # this attempt's number (1 for the first)
    resends: int
    created_at: datetime
    uncertain: bool  # it was left ``sending`` by a sender that may have delivered it


def _due(now: datetime, lease: timedelta, ignore_backoff: bool) -> ColumnElement[bool]:
    """Rows to send now: pending/failed (and due unless ``ignore_backoff``), or orphaned."""
    ready: ColumnElement[bool] = EXPORT.c.state.in_(("pending", "failed"))
    if not ignore_backoff:
        ready = and_(
            ready, or_(EXPORT.c.next_attempt_at.is_(None), EXPORT.c.next_attempt_at <= now)
        )
    orphaned = and_(
        EXPORT.c.state == "sending",
        or_(EXPORT.c.claimed_at.is_(None), EXPORT.c.claimed_at <= now - lease),
    )
    return or_(ready, orphaned)


def queue_cases(conn: Connection, *, target: str, case_ids: Sequence[int], now: datetime) -> None:
    """A ``pending`` row for each case that has none for ``target`` yet."""
    if not case_ids:
        return
    rows = [
        {"case_id": i, "target": target, "state": "pending", "attempts": 0,
         "resends": 0, "created_at": now, "next_attempt_at": now}
        for i in case_ids
    ]  # fmt: skip
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(EXPORT).on_conflict_do_nothing(index_elements=["case_id", "target"])
    conn.execute(stmt, rows)


def due_rows(
    conn: Connection,
    *,
    target: str,
    now: datetime,
    lease: timedelta,
    ignore_backoff: bool = False,
) -> list[Any]:
    """The rows of ``target`` to send now, highest case priority first (a snapshot)."""
    return list(
        conn.execute(
            select(EXPORT)
            .join(CASE, CASE.c.id == EXPORT.c.case_id)
            .where(EXPORT.c.target == target, _due(now, lease, ignore_backoff))
            .order_by(CASE.c.priority.desc(), EXPORT.c.id)
        )
    )


def claim(
    conn: Connection,
    *,
    export_id: int,
    expected_state: str,
    now: datetime,
    lease: timedelta,
    ignore_backoff: bool = False,
) -> Claimed | None:
    """Claim row ``export_id`` if it is still due now; ``None`` if another exporter has it.

    PostgreSQL: the row is locked ``SELECT … FOR UPDATE SKIP LOCKED`` (a row another
    exporter is claiming this instant is skipped, not waited for) and only then updated, in
    the caller's transaction. SQLite (one writer at a time): a conditional ``UPDATE`` that
    still finds the row in ``expected_state`` (the state the caller's snapshot saw). Either
    way the row must still be due at the moment of the claim, so a row claimed, sent or
    failed by another exporter meanwhile is left alone.
    """
    token = uuid.uuid4().hex
    due = _due(now, lease, ignore_backoff)
    where: ColumnElement[bool] = and_(EXPORT.c.id == export_id, due)
    if conn.dialect.name == "postgresql":
        state = conn.execute(
            select(EXPORT.c.state).where(where).with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if state is None:
            return None
        where = EXPORT.c.id == export_id  # locked by us until the caller commits
    else:
        state = expected_state
        where = and_(where, EXPORT.c.state == expected_state)
    row = conn.execute(
        update(EXPORT)
        .where(where)
        .values(state="sending", claim=token, claimed_at=now, attempts=EXPORT.c.attempts + 1)
        .returning(
            EXPORT.c.id,
            EXPORT.c.case_id,
            EXPORT.c.target,
            EXPORT.c.attempts,
            EXPORT.c.resends,
            EXPORT.c.created_at,
        )
    ).one_or_none()
    if row is None:
        return None
    return Claimed(
        id=row.id,
        case_id=row.case_id,
        target=row.target,
        token=token,
        attempt=row.attempts,
        resends=row.resends,
        created_at=row.created_at,
        uncertain=state == "sending",
    )


def mark_sent(
    conn: Connection, *, export_id: int, token: str, reference: str, now: datetime
) -> bool:
    """Record the delivery under the claim ``token``; ``False`` if the row was re-queued."""
    result = conn.execute(
        update(EXPORT)
        .where(EXPORT.c.id == export_id, EXPORT.c.claim == token)
        .values(
            state="sent", sent_at=now, reference=reference[:400], last_error=None,
            claim=None, next_attempt_at=None,
        )
    )  # fmt: skip
    return bool(result.rowcount == 1)


def mark_failed(
    conn: Connection, *, export_id: int, token: str, error: str, next_attempt_at: datetime
) -> bool:
    """Record a failed attempt under the claim ``token`` and when to try again."""
    result = conn.execute(
        update(EXPORT)
        .where(EXPORT.c.id == export_id, EXPORT.c.claim == token)
        .values(
            state="failed", last_error=error[:1000], next_attempt_at=next_attempt_at, claim=None
        )
    )
    return bool(result.rowcount == 1)


def waiting(conn: Connection, *, target: str) -> tuple[int, datetime | None]:
    """Rows of ``target`` still to deliver, and the earliest next attempt among them."""
    count, first = conn.execute(
        select(func.count(), func.min(EXPORT.c.next_attempt_at)).where(
            EXPORT.c.target == target, EXPORT.c.state.in_(WAITING_STATES)
        )
    ).one()
    return int(count), first


def backlog(conn: Connection) -> list[tuple[str, int, int, datetime | None]]:
    """Per target: (target, rows waiting, rows whose last attempt failed, oldest waiting)."""
    rows = conn.execute(
        select(
            EXPORT.c.target,
            func.count(),
            func.sum(when_then((EXPORT.c.state == "failed", 1), else_=0)),
            func.min(EXPORT.c.created_at),
        )
        .where(EXPORT.c.state.in_(WAITING_STATES))
        .group_by(EXPORT.c.target)
    ).all()
    return [(t, int(n), int(failing or 0), oldest) for t, n, failing, oldest in rows]


def rows_for_case(session: Session, *, case_id: int) -> list[Export]:
    """The ledger rows of one case, by target."""
    return list(
        session.execute(
            select(Export).where(col(Export.case_id) == case_id).order_by(col(Export.target))
        ).scalars()
    )


def row_for(session: Session, *, case_id: int, target: str) -> Export | None:
    """The ledger row of one case and target, if any."""
    return session.execute(
        select(Export).where(col(Export.case_id) == case_id, col(Export.target) == target)
    ).scalar_one_or_none()


def request(conn: Connection, *, case_id: int, target: str, now: datetime) -> bool | None:
    """Queue ``case_id`` for ``target`` now: ``None`` when it had no row (a first send),
    ``True`` when it was delivered or being delivered (a resend, under a new key), ``False``
    when it was still waiting (queued again, same key)."""
    existing = conn.execute(
        select(EXPORT.c.id, EXPORT.c.state).where(
            EXPORT.c.case_id == case_id, EXPORT.c.target == target
        )
    ).one_or_none()
    if existing is None:
        conn.execute(
            insert(EXPORT).values(
                case_id=case_id, target=target, state="pending", attempts=0, resends=0,
                created_at=now, next_attempt_at=now,
            )
        )  # fmt: skip
        return None
    again = existing.state in ("sent", "sending")
    conn.execute(
        update(EXPORT)
        .where(EXPORT.c.id == existing.id)
        .values(
            state="pending", attempts=0, next_attempt_at=now, last_error=None, claim=None,
            resends=EXPORT.c.resends + (1 if again else 0),
        )
    )  # fmt: skip
    return again


def add_event(
    conn: Connection, *, case_id: int, at: datetime, actor: str, message: str, data: dict[str, Any]
) -> None:
    """An ``export`` entry on the case's timeline."""
    add_case_event(
        conn, case_id=case_id, at=at, actor=actor, kind="export", message=message, data=data
    )
