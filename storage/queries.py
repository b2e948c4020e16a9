"""Read-side queries shared by the CLI and the dashboard."""

from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from storage.models import OPEN_CASE_STATUSES, Case, Mention
from storage.runs import last_runs


def status_summary(engine: Engine, source_names: list[str] | None = None) -> dict[str, Any]:
    """What is in the database: counts of mentions and cases, and each source's last run.

    ``source_names`` (the configured sources) are listed even when they never ran; sources
    found only in the database follow.
    """
    with Session(engine) as session:
        mentions = session.scalar(select(func.count()).select_from(Mention)) or 0
        needs_attention = (
            session.scalar(
                select(func.count()).select_from(Mention).where(col(Mention.needs_attention))
            )
            or 0
        )
        by_status: dict[str, int] = {
            status: int(n)
            for status, n in session.execute(
                select(col(Case.status), func.count()).group_by(col(Case.status))
            ).all()
        }
        per_source: dict[str, int] = {
            source: int(n)
            for source, n in session.execute(
                select(col(Mention.source), func.count()).group_by(col(Mention.source))
            ).all()
        }
    runs = last_runs(engine)
    names = list(source_names or [])
    names += sorted((set(runs) | set(per_source)) - set(names))
    sources = []
    for name in names:
        run = runs.get(name)
        sources.append(
            {
                "name": name,
                "last_run_at": run.started_at.isoformat() if run else None,
                "last_status": run.status if run else None,
                "finish_reason": run.finish_reason if run else None,
                "items_new": run.items_new if run else 0,
                "items_updated": run.items_updated if run else 0,
                "items_failed": (run.items_dropped + run.items_failed) if run else 0,
                "error": run.error_summary if run else None,
                "monitors": (run.monitors or {}).get("summary") if run else None,
                "items_total": int(per_source.get(name, 0)),
            }
        )
    cases_by_status = {status: int(by_status.get(status, 0)) for status in by_status}
    return {
        "mentions": int(mentions),
        "needs_attention": int(needs_attention),
        "open_cases": sum(int(by_status.get(s, 0)) for s in OPEN_CASE_STATUSES),
        "cases_by_status": cases_by_status,
        "sources": sources,
    }


QUEUE_CASE_COLUMNS = ("id", "status", "priority", "assignee", "opened_at", "due_at", "version")
QUEUE_MENTION_COLUMNS = (
    "source",
    "author",
    "title",
    "text",
    "rating",
    "sentiment",
    "aspects",
    "url",
    "published_at",
    "brand",
)


def queue_page(
    engine: Engine,
    *,
    statuses: tuple[str, ...] = OPEN_CASE_STATUSES,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the triage queue, highest priority first, and the total count.

    Only the page's rows are loaded (server-side paging).
    """
    condition = col(Case.status).in_(statuses)
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(Case).where(condition)) or 0
        columns = [col(getattr(Case, name)) for name in QUEUE_CASE_COLUMNS] + [
            col(getattr(Mention, name)) for name in QUEUE_MENTION_COLUMNS
        ]
        rows = session.execute(
            select(*columns)
            .join(Mention, col(Mention.id) == col(Case.mention_id))
            .where(condition)
            .order_by(col(Case.priority).desc(), col(Case.id))
            .limit(limit)
            .offset(offset)
        ).all()
    return [dict(row._mapping) for row in rows], int(total)
