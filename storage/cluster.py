"""The distributed job's bookkeeping: days (unique by id) and their crawl tasks.

Every function takes the engine and runs its own short transaction; the guards are in the
SQL: a day is created once (unique ``day_id``), the fan-in is claimed once
(``fanned_in_at IS NULL`` in the ``UPDATE``), a task's attempts only go up.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from storage.sanitise import jsonable
from storage.tables.cluster import ClusterDay, ClusterTask
from storage.types import as_utc, utcnow

DAY = ClusterDay.__table__  # type: ignore[attr-defined]
TASK = ClusterTask.__table__  # type: ignore[attr-defined]
#: States a task no longer changes from (the day waits for the others only).
FINAL_STATES = ("done", "failed", "dead")


def create_day(
    engine: Engine,
    *,
    day_id: str,
    trigger: str,
    tasks: list[tuple[str, int, int]],
    deadline_at: datetime | None = None,
) -> bool:
    """Record a day and its tasks ``(source, part, parts)``; ``False`` when the day exists."""
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(DAY).values(
                    day_id=day_id, trigger=trigger, state="queued", enqueued_at=utcnow(),
                    deadline_at=deadline_at, summary={},
                )
            )  # fmt: skip
            if tasks:
                conn.execute(
                    insert(TASK),
                    [
                        {"day_id": day_id, "source": source, "part": part, "parts": parts,
                         "state": "queued", "attempts": 0, "worker": "", "last_error": "",
                         "result": {}}
                        for source, part, parts in tasks
                    ],
                )  # fmt: skip
    except IntegrityError:
        return False
    return True


def start_task(engine: Engine, *, day_id: str, source: str, part: int, worker: str) -> int:
    """A worker starts (or restarts, after a crash) a task: its attempts so far, this one
    counted; 0 when the task is unknown or already final (nothing to do)."""
    with engine.begin() as conn:
        done = conn.execute(
            update(TASK)
            .where(
                TASK.c.day_id == day_id, TASK.c.source == source, TASK.c.part == part,
                TASK.c.state.not_in(FINAL_STATES),
            )
            .values(
                state="running", attempts=TASK.c.attempts + 1, worker=worker[:200],
                started_at=utcnow(),
            )
            .returning(TASK.c.attempts)
        ).first()  # fmt: skip
    return int(done[0]) if done else 0


def finish_task(
    engine: Engine,
    *,
    day_id: str,
    source: str,
    part: int,
    state: str,
    result: dict[str, Any] | None = None,
    error: str = "",
) -> bool:
    """Close a task (``done``, ``failed`` or ``dead``) unless it is already closed."""
    with engine.begin() as conn:
        changed = conn.execute(
            update(TASK)
            .where(
                TASK.c.day_id == day_id, TASK.c.source == source, TASK.c.part == part,
                TASK.c.state.not_in(FINAL_STATES),
            )
            .values(
                state=state, result=jsonable(result or {}), last_error=error[:2000],
                finished_at=utcnow(),
            )
        ).rowcount  # fmt: skip
    return bool(changed)


def note_error(engine: Engine, *, day_id: str, source: str, part: int, error: str) -> None:
    """Keep the latest error of a task that will be retried (it stays ``queued``)."""
    with engine.begin() as conn:
        conn.execute(
            update(TASK)
            .where(TASK.c.day_id == day_id, TASK.c.source == source, TASK.c.part == part)
            .where(TASK.c.state.not_in(FINAL_STATES))
            .values(state="queued", last_error=error[:2000])
        )


def expire_tasks(engine: Engine, *, day_id: str, reason: str) -> int:
    """The day's deadline passed: every unfinished task becomes ``dead`` with ``reason``."""
    with engine.begin() as conn:
        return int(
            conn.execute(
                update(TASK)
                .where(TASK.c.day_id == day_id, TASK.c.state.not_in(FINAL_STATES))
                .values(state="dead", last_error=reason[:2000], finished_at=utcnow())
            ).rowcount
        )


def claim_fan_in(engine: Engine, *, day_id: str, stale_after: timedelta | None = None) -> bool:
    """Take the day's fan-in: ``True`` once; every later call (a redelivery) gets ``False``
    — unless the fan-in that claimed it never finished and ``stale_after`` has passed (its
    worker died mid-way)."""
    now = utcnow()
    unclaimed = DAY.c.fanned_in_at.is_(None)
    if stale_after is not None:
        unclaimed = or_(
            unclaimed, and_(DAY.c.state == "fanning_in", DAY.c.fanned_in_at < now - stale_after)
        )
    with engine.begin() as conn:
        return (
            conn.execute(
                update(DAY)
                .where(DAY.c.day_id == day_id, unclaimed)
                .values(state="fanning_in", fanned_in_at=now)
            ).rowcount
            == 1
        )


def finish_day(
    engine: Engine, *, day_id: str, job_run_id: int | None, summary: dict[str, Any]
) -> None:
    """The fan-in is over: the day is ``done`` with the job's summary."""
    with engine.begin() as conn:
        conn.execute(
            update(DAY)
            .where(DAY.c.day_id == day_id)
            .values(
                state="done", finished_at=utcnow(), job_run_id=job_run_id,
                summary=jsonable(summary),
            )
        )  # fmt: skip


def day(engine: Engine, *, day_id: str) -> dict[str, Any] | None:
    """The day's row as a dict (``None`` when there is no such day)."""
    with engine.connect() as conn:
        row = conn.execute(select(DAY).where(DAY.c.day_id == day_id)).mappings().first()
    return dict(row) if row else None


def tasks(engine: Engine, *, day_id: str) -> list[dict[str, Any]]:
    """The day's tasks, by source and part."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(TASK).where(TASK.c.day_id == day_id).order_by(TASK.c.source, TASK.c.part)
        ).mappings()
        return [dict(r) for r in rows]


def dead_tasks(engine: Engine, *, days: float = 7.0) -> list[dict[str, Any]]:
    """Dead-letter tasks of the last ``days`` days, newest first (status, Sources page)."""
    since = utcnow() - timedelta(days=days)
    with engine.connect() as conn:
        rows = conn.execute(
            select(TASK.c.day_id, TASK.c.source, TASK.c.part, TASK.c.attempts,
                   TASK.c.last_error, TASK.c.worker, TASK.c.finished_at)
            .join(DAY, DAY.c.day_id == TASK.c.day_id)
            .where(TASK.c.state == "dead", DAY.c.enqueued_at >= since)
            .order_by(TASK.c.finished_at.desc())
        ).mappings()  # fmt: skip
        out = [dict(r) for r in rows]
    for row in out:
        row["finished_at"] = as_utc(row["finished_at"])
    return out


def days_count(engine: Engine, *, day_id_prefix: str = "") -> int:
    """How many days were enqueued (whose id starts with ``day_id_prefix``)."""
    with engine.connect() as conn:
        return len(
            conn.execute(select(DAY.c.id).where(DAY.c.day_id.startswith(day_id_prefix))).all()
        )
