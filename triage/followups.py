"""Follow-ups: a resolved case is remembered at 30, 60 and 90 days (configurable).

``Case.follow_up_at`` is the next reminder and ``Case.follow_ups_done`` how many went out.
:func:`follow_up_values` is what :func:`triage.cases.update_case` writes when a status
changes (resolving schedules the first reminder; reopening or dismissing clears it; a date a
person sets by hand wins). :func:`run_follow_ups` sends one reminder listing the cases due to
the alert channels, puts a line on each case's timeline and schedules the next stage. A case
that is far overdue (resolved long before follow-ups were configured) gets one reminder for
the latest stage reached, not one per missed stage.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from storage.cases import add_case_event
from storage.followups import (
    follow_ups_due,
    mark_follow_up_done,
    schedule_follow_up,
    unscheduled_follow_ups,
)
from storage.types import as_utc
from triage.alerts import Channel, Notice, send_notice
from triage.export.payload import CaseLink


def follow_up_values(
    old_status: str, new_status: str, resolved_at: datetime | None, days: Sequence[int]
) -> dict[str, Any]:
    """The follow-up columns to write when a case goes from ``old_status`` to ``new_status``."""
    if new_status == "resolved" and resolved_at is not None:
        first = resolved_at + timedelta(days=days[0]) if days else None
        return {"follow_up_at": first, "follow_ups_done": 0}
    if old_status == "resolved" or new_status == "dismissed":
        return {"follow_up_at": None}
    return {}


@dataclass(frozen=True)
class FollowUp:
    """A reminder due for one case: which stage (0-based) and after how many days."""

    case_id: int
    stage: int
    days: int
    resolved_at: datetime
    done_before: int
    source: str


def _stage(resolved_at: datetime, done: int, days: Sequence[int], now: datetime) -> int:
    stage = done
    while stage + 1 < len(days) and resolved_at + timedelta(days=days[stage + 1]) <= now:
        stage += 1
    return stage


def due_follow_ups(engine: Engine, days: Sequence[int], *, now: datetime) -> list[FollowUp]:
    """Resolved cases whose next reminder is due; schedules those that have none yet."""
    if not days:
        return []
    with engine.begin() as conn:
        unscheduled = unscheduled_follow_ups(conn, stages=len(days))
        for case_id, resolved_at, done in unscheduled:
            at: datetime = as_utc(resolved_at) + timedelta(days=days[done])  # type: ignore[operator,assignment]
            schedule_follow_up(conn, case_id=case_id, at=at)
        rows = follow_ups_due(conn, now=now)
    due = []
    for row in rows:
        resolved = as_utc(row[1]) or now
        done = int(row[2])
        stage = _stage(resolved, min(done, len(days) - 1), days, now)
        due.append(FollowUp(int(row[0] or 0), stage, days[stage], resolved, done, str(row[3])))
    return due


def run_follow_ups(
    engine: Engine,
    channels: list[Channel],
    days: Sequence[int],
    *,
    now: datetime,
    case_link: CaseLink | None = None,
) -> tuple[int, list[str]]:
    """Send the reminders that are due (one message); (messages sent, failures)."""
    due = due_follow_ups(engine, days, now=now)
    if not due:
        return 0, []
    link = case_link or (lambda _case_id: None)
    lines = [f"Follow-ups due: {len(due)} resolved cases. How are these customers now?", ""]
    for item in due:
        url = link(item.case_id)
        lines.append(
            f"  #{item.case_id}  {item.days}-day follow-up  (resolved {item.resolved_at:%Y-%m-%d}, "
            f"{item.source})" + (f"  {url}" if url else "")
        )
    notice = Notice(
        kind="follow_up",
        key=f"{now:%Y-%m-%dT%H:%M}",
        subject=f"[Grapevine] {len(due)} follow-ups due",
        text="\n".join(lines),
        data={"cases": [{"id": d.case_id, "days": d.days} for d in due]},
    )
    delivered, errors = send_notice(engine, channels, notice, now=now)
    if not delivered:
        return 0, errors  # still due: the next run tries again
    with engine.begin() as conn:
        for item in due:
            done = item.stage + 1
            following = item.resolved_at + timedelta(days=days[done]) if done < len(days) else None
            if mark_follow_up_done(
                conn,
                case_id=item.case_id,
                done_before=item.done_before,
                done=done,
                next_at=following,
            ):
                add_case_event(
                    conn,
                    case_id=item.case_id,
                    at=now,
                    actor="grapevine",
                    kind="follow_up",
                    message=f"{item.days}-day follow-up reminder sent",
                    data={"stage": done, "days": item.days},
                )
    return 1, errors
