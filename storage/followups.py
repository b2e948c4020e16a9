"""The follow-up columns of resolved cases: which reminders are due, and marking them sent.

When a reminder is due and what it says is policy (:mod:`triage.followups`); this module
only reads and writes, on the caller's connection (the caller opens the transaction).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlmodel import col

from storage.models import Case, Mention

CASE = Case.__table__  # type: ignore[attr-defined]


def unscheduled_follow_ups(conn: Connection, *, stages: int) -> Sequence[Any]:
    """Resolved cases with no follow-up date and fewer than ``stages`` reminders done:
    rows of (id, resolved_at, follow_ups_done)."""
    return conn.execute(
        select(col(Case.id), col(Case.resolved_at), col(Case.follow_ups_done)).where(
            col(Case.status) == "resolved",
            col(Case.follow_up_at).is_(None),
            col(Case.resolved_at).is_not(None),
            col(Case.follow_ups_done) < stages,
        )
    ).all()


def schedule_follow_up(conn: Connection, *, case_id: int, at: datetime) -> None:
    """Set the case's next follow-up date, unless one was set meanwhile."""
    conn.execute(
        update(CASE)
        .where(CASE.c.id == case_id, CASE.c.follow_up_at.is_(None))
        .values(follow_up_at=at)
    )


def follow_ups_due(conn: Connection, *, now: datetime) -> Sequence[Any]:
    """Resolved cases whose follow-up date has come, oldest first: rows of
    (id, resolved_at, follow_ups_done, source)."""
    return conn.execute(
        select(col(Case.id), col(Case.resolved_at), col(Case.follow_ups_done), col(Mention.source))
        .join(Mention, col(Mention.id) == col(Case.mention_id))
        .where(col(Case.status) == "resolved", col(Case.follow_up_at) <= now)
        .order_by(col(Case.follow_up_at), col(Case.id))
    ).all()


def mark_follow_up_done(
    conn: Connection, *, case_id: int, done_before: int, done: int, next_at: datetime | None
) -> bool:
    """Count a reminder as sent (and set the next date) if the case is still resolved with
    ``done_before`` reminders done; whether it was."""
    result = conn.execute(
        update(CASE)
        .where(
            CASE.c.id == case_id,
            CASE.c.status == "resolved",
            CASE.c.follow_ups_done == done_before,
        )
        .values(follow_ups_done=done, follow_up_at=next_at, version=CASE.c.version + 1)
    )
    return bool(result.rowcount == 1)
