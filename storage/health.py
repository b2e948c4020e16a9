"""Brand health: aggregates over a period (KPIs, daily series, complaint themes, case timings).

Every query is bounded by a publication (or opening) time range and aggregates in the
database; the ``ix_mention_health`` covering index (migration ``0002_dashboard``) lets the
mention aggregates read the index alone. Days are UTC days (``YYYY-MM-DD`` strings).
"""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, case, func, select
from sqlmodel import Session, col

from storage.models import OPEN_CASE_STATUSES, Case, Mention
from storage.types import utcnow


@dataclass(frozen=True)
class Period:
    """A time range ``[start, end)`` in UTC."""

    start: datetime
    end: datetime

    @property
    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        return Period(self.start - (self.end - self.start), self.start)

    @classmethod
    def last(cls, days: int, *, now: datetime | None = None) -> "Period":
        """The last ``days`` days up to ``now``."""
        end = now or utcnow()
        return cls(end - timedelta(days=days), end)


def _day(column: Any, dialect: str) -> Any:
    """The UTC day of a timestamp column as ``YYYY-MM-DD``."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(column, 1, 10)  # SQLite stores naive UTC as 'YYYY-MM-DD HH:MM:SS'


def _hours_between(start: Any, end: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _mention_aggregates() -> list[Any]:
    return [
        func.count().label("mentions"),
        _count_if(col(Mention.label) == "positive").label("positive"),
        _count_if(col(Mention.label) == "negative").label("negative"),
        func.coalesce(func.sum(col(Mention.sentiment)), 0.0).label("sentiment_sum"),
        func.coalesce(func.sum(col(Mention.rating)), 0.0).label("rating_sum"),
        func.count(col(Mention.rating)).label("rated"),
        _count_if(col(Mention.needs_attention).is_(True)).label("attention"),
    ]


def _in(period: Period, column: Any) -> list[ColumnElement[bool]]:
    return [column >= period.start, column < period.end]


def derived(row: dict[str, Any]) -> dict[str, Any]:
    """Add the ratios (net sentiment, average rating, share needing attention) to counts."""
    n = row.get("mentions") or 0
    rated = row.get("rated") or 0
    return {
        **row,
        "net_sentiment": (row["positive"] - row["negative"]) / n if n else None,
        "avg_sentiment": row["sentiment_sum"] / n if n else None,
        "avg_rating": row["rating_sum"] / rated if rated else None,
        "attention_share": row["attention"] / n if n else None,
    }


def mention_kpis(engine: Engine, period: Period, *, competitor: bool = False) -> dict[str, Any]:
    """Counts and ratios of the own brand's (or the competitors') mentions in ``period``.

    Keys: ``mentions``, ``positive``, ``negative``, ``sentiment_sum``, ``rating_sum``,
    ``rated``, ``attention`` and the ratios of :func:`derived`.
    """
    query = select(*_mention_aggregates()).where(
        *_in(period, col(Mention.published_at)), col(Mention.is_competitor).is_(competitor)
    )
    with Session(engine) as session:
        row = session.execute(query).one()
    counts = {key: value or 0 for key, value in row._mapping.items()}
    counts = {k: (float(v) if k.endswith("_sum") else int(v)) for k, v in counts.items()}
    return derived(counts)


def daily(engine: Engine, period: Period) -> list[dict[str, Any]]:
    """Per UTC day, brand and source: the counts of :func:`mention_kpis` (every brand).

    Row keys: ``day``, ``brand``, ``is_competitor``, ``source`` and the counts.
    """
    dialect = engine.dialect.name
    day = _day(col(Mention.published_at), dialect).label("day")
    query = (
        select(
            day,
            col(Mention.brand),
            col(Mention.is_competitor),
            col(Mention.source),
            *_mention_aggregates(),
        )
        .where(*_in(period, col(Mention.published_at)))
        .group_by(day, col(Mention.brand), col(Mention.is_competitor), col(Mention.source))
        .order_by(day)
    )
    with Session(engine) as session:
        rows = session.execute(query).all()
    out = []
    for row in rows:
        data = dict(row._mapping)
        data["sentiment_sum"] = float(data["sentiment_sum"] or 0)
        data["rating_sum"] = float(data["rating_sum"] or 0)
        for key in ("mentions", "positive", "negative", "rated", "attention"):
            data[key] = int(data[key] or 0)
        data["is_competitor"] = bool(data["is_competitor"])
        out.append(data)
    return out


def complaint_themes(engine: Engine, period: Period) -> list[dict[str, Any]]:
    """Per UTC day and aspect: how many of the own brand's mentions needing attention."""
    dialect = engine.dialect.name
    day = _day(col(Mention.published_at), dialect).label("day")
    query = select(day, col(Mention.aspects)).where(
        col(Mention.needs_attention).is_(True),
        *_in(period, col(Mention.published_at)),
        col(Mention.is_competitor).is_(False),
    )
    counts: Counter[tuple[str, str]] = Counter()
    with Session(engine) as session:
        for row_day, aspects in session.execute(query):
            for aspect in aspects or ["(none)"]:
                counts[(row_day, str(aspect))] += 1
    return [
        {"day": d, "aspect": a, "mentions": n}
        for (d, a), n in sorted(counts.items(), key=lambda item: (item[0][0], -item[1]))
    ]


def case_kpis(engine: Engine, period: Period, *, now: datetime | None = None) -> dict[str, Any]:
    """How the team did on the cases opened in ``period``, and the open backlog.

    Keys: ``opened``, ``closed`` (resolved or dismissed in the period), ``first_actions``,
    ``median_first_action_hours``, ``sla_due`` (cases whose first action was due or done),
    ``sla_met``, ``sla_share``, ``open_end`` and ``open_start`` (open cases at the ends of
    the period; reopened cases are counted as open since they first opened).
    """
    now = now or utcnow()
    dialect = engine.dialect.name
    opened_in = _in(period, col(Case.opened_at))
    acted = col(Case.first_action_at).is_not(None)
    answered = col(Case.first_action_at) <= col(Case.due_at)
    clock_ran = acted | (col(Case.due_at) < min(now, period.end))
    with Session(engine) as session:
        totals = session.execute(
            select(
                func.count(),
                _count_if(acted),
                _count_if(clock_ran),
                _count_if(acted & answered),
            ).where(*opened_in)
        ).one()
        hours = [
            float(h)
            for (h,) in session.execute(
                select(
                    _hours_between(col(Case.opened_at), col(Case.first_action_at), dialect)
                ).where(*opened_in, acted)
            )
            if h is not None
        ]
        open_now = session.scalar(
            select(func.count()).select_from(Case).where(col(Case.status).in_(OPEN_CASE_STATUSES))
        )

        def open_at(moment: datetime) -> int:
            if moment >= now:
                return int(open_now or 0)
            opened_since = session.scalar(
                select(func.count())
                .select_from(Case)
                .where(col(Case.opened_at) >= moment, col(Case.resolved_at).is_(None))
            )
            closed_since = session.scalar(
                select(func.count())
                .select_from(Case)
                .where(col(Case.resolved_at) >= moment, col(Case.opened_at) < moment)
            )
            return max(0, int(open_now or 0) - int(opened_since or 0) + int(closed_since or 0))

        closed = session.scalar(
            select(func.count()).select_from(Case).where(*_in(period, col(Case.resolved_at)))
        )
        open_start, open_end = open_at(period.start), open_at(period.end)
    opened, first_actions, sla_due, sla_met = (int(v or 0) for v in totals)
    return {
        "opened": opened,
        "closed": int(closed or 0),
        "first_actions": first_actions,
        "median_first_action_hours": statistics.median(hours) if hours else None,
        "sla_due": sla_due,
        "sla_met": sla_met,
        "sla_share": sla_met / sla_due if sla_due else None,
        "open_start": open_start,
        "open_end": open_end,
    }
