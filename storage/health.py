"""Brand health: aggregates over a period (KPIs, daily series, complaint themes, case timings).

Mention figures come from the daily rollups ``mention_day`` and ``aspect_day`` (kept by
triggers, :mod:`storage.rollups`): a period of a year is a few thousand rows whatever the
number of mentions. Case figures aggregate the cases opened in the period through the
``ix_case_timing`` index. Periods are whole UTC days; days are ``YYYY-MM-DD`` strings.
"""

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, case, func, select
from sqlmodel import Session, col

from storage.models import OPEN_CASE_STATUSES, AspectDay, Case, MentionDay
from storage.types import utcnow


@dataclass(frozen=True)
class Period:
    """A time range ``[start, end)`` in UTC; mention figures count whole UTC days."""

    start: datetime
    end: datetime

    @property
    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        return Period(self.start - (self.end - self.start), self.start)

    @classmethod
    def last(cls, days: int, *, now: datetime | None = None) -> "Period":
        """The last ``days`` UTC days, today included."""
        today = (now or utcnow()).astimezone(UTC).date()
        end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=UTC)
        return cls(end - timedelta(days=days), end)

    @property
    def first_day(self) -> str:
        """The first UTC day of the period."""
        return self.start.astimezone(UTC).strftime("%Y-%m-%d")

    @property
    def end_day(self) -> str:
        """The first UTC day after the period (a partly covered last day counts)."""
        end = self.end.astimezone(UTC)
        if end.time() != time.min:
            end += timedelta(days=1)
        return end.strftime("%Y-%m-%d")


def _hours_between(start: Any, end: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


DAY_COLUMNS = (
    "day",
    "brand",
    "is_competitor",
    "source",
    "mentions",
    "positive",
    "negative",
    "sentiment_sum",
    "rating_sum",
    "rated",
    "attention",
)


def _day_totals() -> list[Any]:
    return [
        func.coalesce(func.sum(col(MentionDay.mentions)), 0).label("mentions"),
        func.coalesce(func.sum(col(MentionDay.positive)), 0).label("positive"),
        func.coalesce(func.sum(col(MentionDay.negative)), 0).label("negative"),
        func.coalesce(func.sum(col(MentionDay.sentiment_sum)), 0.0).label("sentiment_sum"),
        func.coalesce(func.sum(col(MentionDay.rating_sum)), 0.0).label("rating_sum"),
        func.coalesce(func.sum(col(MentionDay.rated)), 0).label("rated"),
        func.coalesce(func.sum(col(MentionDay.attention)), 0).label("attention"),
    ]


def _days(period: Period) -> list[ColumnElement[bool]]:
    return [col(MentionDay.day) >= period.first_day, col(MentionDay.day) < period.end_day]


def _in(period: Period, column: Any) -> list[ColumnElement[bool]]:
    return [column >= period.start, column < period.end]


def derived(row: dict[str, Any]) -> dict[str, Any]:
    """Add the ratios (net sentiment, average rating, share needing attention) to counts, and
    ``praise`` (the positive mentions: the happy voices count as well as the complaints)."""
    n = row.get("mentions") or 0
    rated = row.get("rated") or 0
    return {
        **row,
        "net_sentiment": (row["positive"] - row["negative"]) / n if n else None,
        "avg_sentiment": row["sentiment_sum"] / n if n else None,
        "avg_rating": row["rating_sum"] / rated if rated else None,
        "attention_share": row["attention"] / n if n else None,
        "praise": row["positive"],
        "praise_share": row["positive"] / n if n else None,
    }


def _typed(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("mentions", "positive", "negative", "rated", "attention"):
        data[key] = int(data[key] or 0)
    for key in ("sentiment_sum", "rating_sum"):
        data[key] = float(data[key] or 0)
    return data


def mention_kpis(engine: Engine, period: Period, *, competitor: bool = False) -> dict[str, Any]:
    """Counts and ratios of the own brand's (or the competitors') mentions in ``period``.

    Keys: ``mentions``, ``positive``, ``negative``, ``sentiment_sum``, ``rating_sum``,
    ``rated``, ``attention`` and the ratios of :func:`derived`.
    """
    query = select(*_day_totals()).where(
        *_days(period), col(MentionDay.is_competitor).is_(competitor)
    )
    with Session(engine) as session:
        row = session.execute(query).one()
    return derived(_typed(dict(row._mapping)))


def daily(engine: Engine, period: Period) -> list[dict[str, Any]]:
    """Per UTC day, brand and source: the counts of :func:`mention_kpis` (every brand).

    Row keys: ``day``, ``brand``, ``is_competitor``, ``source`` and the counts.
    """
    query = (
        select(*(col(getattr(MentionDay, name)) for name in DAY_COLUMNS))
        .where(*_days(period), col(MentionDay.mentions) > 0)
        .order_by(col(MentionDay.day), col(MentionDay.brand), col(MentionDay.source))
    )
    with Session(engine) as session:
        rows = session.execute(query).all()
    out = []
    for row in rows:
        data = _typed(dict(row._mapping))
        data["is_competitor"] = bool(data["is_competitor"])
        out.append(data)
    return out


def complaint_themes(engine: Engine, period: Period) -> list[dict[str, Any]]:
    """Per UTC day and aspect: how many of the own brand's mentions needing attention."""
    query = (
        select(col(AspectDay.day), col(AspectDay.aspect), col(AspectDay.mentions))
        .where(
            col(AspectDay.day) >= period.first_day,
            col(AspectDay.day) < period.end_day,
            col(AspectDay.mentions) > 0,
        )
        .order_by(col(AspectDay.day), col(AspectDay.mentions).desc(), col(AspectDay.aspect))
    )
    with Session(engine) as session:
        return [dict(row._mapping) for row in session.execute(query).all()]


def case_kpis(engine: Engine, period: Period, *, now: datetime | None = None) -> dict[str, Any]:
    """How the team did on the cases opened in ``period``, and the open backlog.

    Keys: ``opened``, ``closed`` (resolved or dismissed in the period), ``first_actions``,
    ``median_first_action_hours``, ``sla_due`` (cases whose first action was due or done),
    ``sla_met``, ``sla_share``, ``open_end`` and ``open_start`` (open cases at the ends of
    the period; reopened cases are counted as open since they first opened).

    The first action (``Case.first_action_at``) is the first response: a reply or a contact
    recorded, not an assignment or a status change (:data:`triage.cases.RESPONSE_ACTIONS`).
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
        opened, first_actions, sla_due, sla_met = (int(v or 0) for v in totals)
        median_hours = None
        if first_actions:  # the median in the database: sort, take the middle one or two
            hours = _hours_between(col(Case.opened_at), col(Case.first_action_at), dialect)
            middle = [
                float(h)
                for (h,) in session.execute(
                    select(hours)
                    .where(*opened_in, acted)
                    .order_by(hours)
                    .limit(2 - first_actions % 2)
                    .offset((first_actions - 1) // 2)
                )
            ]
            median_hours = statistics.fmean(middle) if middle else None
        open_now = session.scalar(
            select(func.count()).select_from(Case).where(col(Case.status).in_(OPEN_CASE_STATUSES))
        )

        def since(column: Any, moment: datetime) -> int:
            return int(
                session.scalar(select(func.count()).select_from(Case).where(column >= moment)) or 0
            )

        def open_at(moment: datetime) -> int:
            # open then = open now + closed since - opened since (a case closes after it opens)
            if moment >= now:
                return int(open_now or 0)
            return max(
                0,
                int(open_now or 0)
                + since(col(Case.resolved_at), moment)
                - since(col(Case.opened_at), moment),
            )

        closed = session.scalar(
            select(func.count()).select_from(Case).where(*_in(period, col(Case.resolved_at)))
        )
        open_start, open_end = open_at(period.start), open_at(period.end)
    return {
        "opened": opened,
        "closed": int(closed or 0),
        "first_actions": first_actions,
        "median_first_action_hours": median_hours,
        "sla_due": sla_due,
        "sla_met": sla_met,
        "sla_share": sla_met / sla_due if sla_due else None,
        "open_start": open_start,
        "open_end": open_end,
    }
