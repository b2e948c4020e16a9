"""Cached reads for the pages (``st.cache_data`` with a short TTL), keyed by the database.

Lists and aggregates are cached briefly so that reruns (a filter change, a selection) do not
query again; anything a person is about to change (a case) is read fresh. :func:`changed`
clears the caches after a write so the next render shows it.
"""

from datetime import datetime, timedelta
from typing import Any

import streamlit as st

from dashboard import context
from storage import casefile, health, queries, runs, views
from storage.health import Period
from storage.queries import QueueFilter

QUEUE_TTL = 15
HEALTH_TTL = 300
LIST_TTL = 60


def _url() -> str:
    return context.settings().database_url


@st.cache_data(ttl=QUEUE_TTL, show_spinner=False)
def _queue(
    url: str, filters: QueueFilter, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    return queries.queue_page(context.engine(), filters=filters, limit=limit, offset=offset)


def queue(filters: QueueFilter, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the triage queue and the number of matching cases."""
    return _queue(_url(), filters, limit, offset)


@st.cache_data(ttl=QUEUE_TTL, show_spinner=False)
def _neighbours(
    url: str, filters: QueueFilter, case_id: int
) -> tuple[int | None, int | None, int | None, int]:
    return queries.queue_neighbours(context.engine(), filters=filters, case_id=case_id)


def neighbours(
    filters: QueueFilter, case_id: int
) -> tuple[int | None, int | None, int | None, int]:
    """(previous, next, position, count) of ``case_id`` in the queue under ``filters``."""
    return _neighbours(_url(), filters, case_id)


@st.cache_data(ttl=QUEUE_TTL, show_spinner=False)
def _queue_counts(url: str) -> dict[str, int]:
    return queries.queue_counts(context.engine())


def queue_counts() -> dict[str, int]:
    """Open, overdue, due soon, unassigned and new cases."""
    return _queue_counts(_url())


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _options(url: str) -> dict[str, list[str]]:
    engine = context.engine()
    cfg = context.settings()
    sources = sorted({*cfg.sources, *queries.case_sources(engine)})
    people = sorted({*(u.name for u in cfg.users), *queries.assignees(engine)})
    return {"sources": sources, "assignees": people, "aspects": sorted(cfg.aspects)}


def options() -> dict[str, list[str]]:
    """The choices of the queue's filters: sources, assignees, aspects."""
    return _options(_url())


@st.cache_data(ttl=HEALTH_TTL, show_spinner=False)
def _health(url: str, start: datetime, end: datetime) -> dict[str, Any]:
    engine = context.engine()
    period = Period(start, end)
    baseline = timedelta(days=context.settings().spike_baseline_days)
    return {
        "kpis": health.mention_kpis(engine, period),
        "kpis_before": health.mention_kpis(engine, period.previous),
        "cases": health.case_kpis(engine, period),
        "cases_before": health.case_kpis(engine, period.previous),
        # the days before the period are the baseline that spikes are measured against
        "daily": health.daily(engine, Period(start - baseline, end)),
        "themes": health.complaint_themes(engine, period),
    }


def brand_health(period: Period) -> dict[str, Any]:
    """Everything the brand-health page shows for ``period`` (and the one before)."""
    return _health(_url(), period.start, period.end)


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _follow_ups(
    url: str, until: datetime | None, assignee: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    return casefile.follow_ups(
        context.engine(), until=until, assignee=assignee, limit=limit, offset=offset
    )


def follow_ups(
    until: datetime | None, assignee: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Cases with a follow-up, the most overdue first."""
    return _follow_ups(_url(), until, assignee, limit, offset)


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _follow_up_counts(url: str) -> dict[str, int]:
    return casefile.follow_up_counts(context.engine())


def follow_up_counts() -> dict[str, int]:
    """Overdue, due this week, scheduled follow-ups."""
    return _follow_up_counts(_url())


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _customers(url: str, text: str) -> list[dict[str, Any]]:
    return casefile.search_customers(context.engine(), text)


def customers(text: str) -> list[dict[str, Any]]:
    """Customers matching ``text``."""
    return _customers(_url(), text)


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _sources(url: str, names: tuple[str, ...]) -> list[dict[str, Any]]:
    return queries.status_summary(context.engine(), list(names))["sources"]


def sources() -> list[dict[str, Any]]:
    """Each source's last run and totals (configured sources first)."""
    return _sources(_url(), tuple(context.settings().sources))


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _runs(url: str, source: str, limit: int) -> list[dict[str, Any]]:
    return [run.model_dump() for run in runs.recent_runs(context.engine(), source, limit)]


def recent_runs(source: str, limit: int = 20) -> list[dict[str, Any]]:
    """The latest crawl runs of one source, newest first."""
    return _runs(_url(), source, limit)


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def _saved_views(url: str, owner: str) -> dict[str, dict[str, Any]]:
    return {v.name: dict(v.filters) for v in views.list_views(context.engine(), owner=owner)}


def saved_views(owner: str) -> dict[str, dict[str, Any]]:
    """``owner``'s saved queue views: name -> filters, by name."""
    return _saved_views(_url(), owner)


def changed() -> None:
    """Forget cached reads after a write."""
    for cached in (
        _queue,
        _neighbours,
        _saved_views,
        _queue_counts,
        _options,
        _follow_ups,
        _follow_up_counts,
        _customers,
    ):
        cached.clear()
