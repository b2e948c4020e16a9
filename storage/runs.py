"""Crawl bookkeeping: one CrawlRun per source and run, and each source's high-water mark."""

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlmodel import Session, col

from storage.models import CrawlRun, SourceState
from storage.types import as_utc, utcnow

CRAWL_RUN = CrawlRun.__table__  # type: ignore[attr-defined]


def start_crawl_run(engine: Engine, *, source: str, source_type: str) -> int:
    """Record that a crawl of ``source`` starts; earlier runs left ``running`` become
    ``interrupted`` (their process died without closing them)."""
    with Session(engine) as session:
        session.execute(
            update(CrawlRun)
            .where(col(CrawlRun.source) == source, col(CrawlRun.status) == "running")
            .values(
                status="interrupted",
                finish_reason="process ended before the crawl did",
                finished_at=utcnow(),
            )
        )
        run = CrawlRun(source=source, source_type=source_type)
        session.add(run)
        session.commit()
        assert run.id is not None
        return run.id


def finish_crawl_run(engine: Engine, run_id: int, **values: Any) -> None:
    """Close a CrawlRun with its outcome (status, counts, errors, monitors, stats)."""
    values.setdefault("finished_at", utcnow())
    with engine.begin() as conn:
        conn.execute(update(CRAWL_RUN).where(CRAWL_RUN.c.id == run_id).values(**values))


def record_failed_run(engine: Engine, *, source: str, source_type: str, reason: str) -> int:
    """Record a crawl that could not even start (bad options, unknown spider)."""
    run_id = start_crawl_run(engine, source=source, source_type=source_type)
    finish_crawl_run(
        engine, run_id, status="failed", finish_reason="not started", error_summary=reason, errors=1
    )
    return run_id


def last_runs(engine: Engine) -> dict[str, CrawlRun]:
    """The latest CrawlRun of every source that has one."""
    latest = (
        select(col(CrawlRun.source), func.max(col(CrawlRun.id)).label("id"))
        .group_by(col(CrawlRun.source))
        .subquery()
    )
    with Session(engine) as session:
        rows = session.execute(select(CrawlRun).join(latest, col(CrawlRun.id) == latest.c.id))
        return {run.source: run for (run,) in rows}


def recent_runs(engine: Engine, source: str, limit: int = 20) -> list[CrawlRun]:
    """The latest runs of one source, newest first."""
    with Session(engine) as session:
        return list(
            session.execute(
                select(CrawlRun)
                .where(col(CrawlRun.source) == source)
                .order_by(col(CrawlRun.id).desc())
                .limit(limit)
            ).scalars()
        )


def high_water_mark(engine: Engine, source: str) -> datetime | None:
    """The newest publication time a completed crawl of ``source`` has stored."""
    with Session(engine) as session:
        state = session.get(SourceState, source)
        return as_utc(state.high_water_mark) if state else None


def source_state(engine: Engine, source: str) -> tuple[datetime | None, dict[str, Any]]:
    """The high-water mark and the paging cursor (``{}`` when none) kept for ``source``."""
    with Session(engine) as session:
        state = session.get(SourceState, source)
        if state is None:
            return None, {}
        return as_utc(state.high_water_mark), dict(state.cursor or {})


def set_high_water_mark(
    engine: Engine, source: str, mark: datetime | None, cursor: dict[str, Any] | None = None
) -> None:
    """Advance the high-water mark of ``source`` (it never moves back; ``None`` leaves it)
    and, when given, replace its paging cursor."""
    with Session(engine) as session:
        state = session.get(SourceState, source) or SourceState(source=source)
        old = as_utc(state.high_water_mark)
        if mark is not None and (old is None or mark > old):
            state.high_water_mark = mark
        if cursor is not None:
            state.cursor = cursor
        state.updated_at = utcnow()
        session.add(state)
        session.commit()
