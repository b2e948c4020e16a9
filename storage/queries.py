"""Read-side queries shared by the CLI and the dashboard."""

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Text,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    or_,
    select,
)
from sqlmodel import Session, col

from storage.models import OPEN_CASE_STATUSES, Case, CrawlRun, Customer, CustomerLink, Mention
from storage.runs import last_runs
from storage.search import few_matches, mention_matches
from storage.types import utcnow


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


# --- the triage queue -----------------------------------------------------------------------

#: ``QueueFilter.assignees`` value meaning "nobody".
UNASSIGNED = ""
#: With conditions on the mention (a search, a source, an aspect…), :func:`queue_page` counts
#: the matching cases up to this many and then stops (it returns ``QUEUE_COUNT_CAP + 1``):
#: an exact count of a common word over two million closed cases takes seconds.
QUEUE_COUNT_CAP = 1000
#: How far ahead "due soon" looks.
DUE_SOON = timedelta(hours=24)
QUEUE_SORTS = ("priority", "due", "newest", "oldest")

QUEUE_CASE_COLUMNS = (
    "id",
    "mention_id",
    "status",
    "priority",
    "assignee",
    "opened_at",
    "due_at",
    "first_action_at",
    "follow_up_at",
    "version",
)
QUEUE_MENTION_COLUMNS = (
    "source",
    "author",
    "title",
    "text",
    "rating",
    "sentiment",
    "label",
    "complaint",
    "aspects",
    "url",
    "published_at",
    "brand",
    "is_competitor",
)


@dataclass(frozen=True)
class QueueFilter:
    """What the triage queue shows; an empty field filters nothing.

    ``assignees`` may hold :data:`UNASSIGNED` for cases nobody owns; ``brand`` is ``own``,
    ``competitor`` or ``any``; ``linked`` asks for a confirmed customer link (or none);
    ``published_from``/``published_to`` bound the mention's publication (the end excluded);
    ``text`` matches the title, text and author (every word, any case; ``"a phrase"``,
    ``prefix*``: :mod:`storage.search`) or ``#<case id>``;
    ``due`` is ``overdue`` (past due with no first action), ``soon`` (due within 24 h with
    no first action) or ``any``.
    """

    statuses: tuple[str, ...] = OPEN_CASE_STATUSES
    sources: tuple[str, ...] = ()
    aspects: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    brand: str = "any"
    linked: bool | None = None
    published_from: datetime | None = None
    published_to: datetime | None = None
    text: str = ""
    due: str = "any"
    sort: str = "priority"


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _confirmed_link() -> Any:
    return exists().where(
        col(CustomerLink.mention_id) == col(Case.mention_id),
        col(CustomerLink.status) == "confirmed",
    )


def _case_conditions(filters: QueueFilter, now: datetime) -> list[ColumnElement[bool]]:
    """Conditions on the case itself (status, owner, due time, customer link)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.statuses:
        conditions.append(col(Case.status).in_(filters.statuses))
    if filters.assignees:
        named = [a for a in filters.assignees if a != UNASSIGNED]
        options: list[ColumnElement[bool]] = []
        if named:
            options.append(col(Case.assignee).in_(named))
        if UNASSIGNED in filters.assignees:
            options.append(col(Case.assignee).is_(None))
        conditions.append(or_(*options))
    if filters.linked is True:
        conditions.append(_confirmed_link())
    elif filters.linked is False:
        conditions.append(~_confirmed_link())
    if re.fullmatch(r"#\d{1,12}", filters.text.strip()):
        conditions.append(col(Case.id) == int(filters.text.strip()[1:]))
    if filters.due == "overdue":
        conditions += [col(Case.first_action_at).is_(None), col(Case.due_at) < now]
    elif filters.due == "soon":
        conditions += [
            col(Case.first_action_at).is_(None),
            col(Case.due_at) >= now,
            col(Case.due_at) < now + DUE_SOON,
        ]
    return conditions


def _mention_conditions(
    filters: QueueFilter, dialect: str, *, words_found: bool = False
) -> list[ColumnElement[bool]]:
    """Conditions on the case's mention (source, aspects, brand, date, words).

    ``words_found``: the search was already resolved to mention ids (:func:`_found_ids`).
    """
    conditions: list[ColumnElement[bool]] = []
    if filters.sources:
        conditions.append(col(Mention.source).in_(filters.sources))
    if filters.aspects:
        # aspects is a JSON list stored as text on both backends: match the quoted name
        aspects_text = cast(col(Mention.aspects), Text)
        conditions.append(
            or_(
                *(
                    aspects_text.like(f"%{_like_escape(json.dumps(a))}%", escape="\\")
                    for a in filters.aspects
                )
            )
        )
    if filters.brand == "own":
        conditions.append(col(Mention.is_competitor).is_(False))
    elif filters.brand == "competitor":
        conditions.append(col(Mention.is_competitor).is_(True))
    if filters.published_from is not None:
        conditions.append(col(Mention.published_at) >= filters.published_from)
    if filters.published_to is not None:
        conditions.append(col(Mention.published_at) < filters.published_to)
    text = filters.text.strip()
    if text and not words_found and not re.fullmatch(r"#\d{1,12}", text):
        # full-text: words, "phrases" and prefix* (storage.search; never a syntax error)
        conditions.append(mention_matches(text, dialect))
    return conditions


def _found_ids(session: Session, filters: QueueFilter) -> list[int] | None:
    """A rare search's mention ids, looked up first (PostgreSQL; see search.few_matches)."""
    text = filters.text.strip()
    if not text or re.fullmatch(r"#\d{1,12}", text):
        return None
    return few_matches(session.connection(), query=text)


def _all_conditions(
    session: Session, filters: QueueFilter, now: datetime
) -> tuple[list[ColumnElement[bool]], bool]:
    """The queue's conditions on the case, and whether they include the mention's."""
    conditions = _case_conditions(filters, now)
    found = _found_ids(session, filters)
    if found is not None:
        conditions.append(col(Case.mention_id).in_(found) if found else false())
    dialect = session.get_bind().dialect.name
    on_mention = _mention_conditions(filters, dialect, words_found=found is not None)
    if on_mention:
        conditions.append(exists().where(col(Mention.id) == col(Case.mention_id), *on_mention))
    return conditions, bool(on_mention)


def _queue_order(sort: str) -> list[Any]:
    if sort == "due":
        return [col(Case.due_at).is_(None), col(Case.due_at), col(Case.id)]
    if sort == "newest":
        return [col(Mention.published_at).desc(), col(Case.id).desc()]
    if sort == "oldest":
        return [col(Case.opened_at), col(Case.id)]
    return [col(Case.priority).desc(), col(Case.id)]


def queue_page(
    engine: Engine,
    *,
    filters: QueueFilter | None = None,
    statuses: tuple[str, ...] | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the triage queue (highest priority first by default) and the total count.

    Filtering, sorting and paging happen in the database: only the page's rows are loaded.
    The cases drive the query (the open ones are few; the mentions are many): the mention's
    conditions are checked per case, then only the page's rows are joined and completed.
    With conditions on the mention the total stops at ``QUEUE_COUNT_CAP + 1`` ("more than
    :data:`QUEUE_COUNT_CAP`"). Each row has the case's and the mention's columns
    (:data:`QUEUE_CASE_COLUMNS`, :data:`QUEUE_MENTION_COLUMNS`) plus ``customer`` (the
    confirmed customer's name) and ``suggestions`` (links waiting for a decision).
    """
    filters = filters or QueueFilter()
    if statuses is not None:
        filters = replace(filters, statuses=statuses)
    with Session(engine) as session:
        conditions, capped = _all_conditions(session, filters, now or utcnow())
        # the page's ids walk the cases in order and stop at the page's end; with conditions
        # on the mention the count stops at QUEUE_COUNT_CAP + 1 (a common word matches
        # hundreds of thousands of cases), on the case alone an index counts them all
        page = select(col(Case.id)).where(*conditions)
        if filters.sort == "newest":
            page = page.join(Mention, col(Mention.id) == col(Case.mention_id))
        page = page.order_by(*_queue_order(filters.sort)).limit(limit).offset(offset)
        customer = (
            select(col(Customer.name))
            .join(CustomerLink, col(CustomerLink.customer_id) == col(Customer.id))
            .where(
                col(CustomerLink.mention_id) == col(Mention.id),
                col(CustomerLink.status) == "confirmed",
            )
            .limit(1)
            .correlate(Mention)
            .scalar_subquery()
        )
        suggestions = (
            select(func.count())
            .select_from(CustomerLink)
            .where(
                col(CustomerLink.mention_id) == col(Mention.id),
                col(CustomerLink.status) == "suggested",
            )
            .correlate(Mention)
            .scalar_subquery()
        )
        columns = [
            *(col(getattr(Case, name)) for name in QUEUE_CASE_COLUMNS),
            *(col(getattr(Mention, name)) for name in QUEUE_MENTION_COLUMNS),
            customer.label("customer"),
            suggestions.label("suggestions"),
        ]
        ids = [int(i) for i in session.scalars(page).all() if i is not None]
        if capped:
            first = select(col(Case.id)).where(*conditions).limit(QUEUE_COUNT_CAP + 1)
            total = session.scalar(select(func.count()).select_from(first.subquery())) or 0
        else:
            total = session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0
        rows = (
            session.execute(
                select(*columns)
                .join(Mention, col(Mention.id) == col(Case.mention_id))
                .where(col(Case.id).in_(ids))
            ).all()
            if ids
            else []
        )
    position = {case_id: i for i, case_id in enumerate(ids)}
    found = sorted((dict(row._mapping) for row in rows), key=lambda r: position[r["id"]])
    return found, int(total)


#: How many cases of one queue view the case page steps through (next/previous).
NEIGHBOUR_SCAN = 10_000


def queue_neighbours(
    engine: Engine,
    *,
    filters: QueueFilter,
    case_id: int,
    now: datetime | None = None,
) -> tuple[int | None, int | None, int | None, int]:
    """The cases before and after ``case_id`` in the queue's order under ``filters``.

    ``(previous, next, position, count)``: ``position`` is 1-based, ``None`` when the case
    is not in the view (closed meanwhile). Only the ids are read, in the queue's order, for
    the first :data:`NEIGHBOUR_SCAN` matching cases (a queue that long is worked with
    filters, not case by case).
    """
    with Session(engine) as session:
        conditions, _ = _all_conditions(session, filters, now or utcnow())
        ids_query = select(col(Case.id)).where(*conditions)
        if filters.sort == "newest":
            ids_query = ids_query.join(Mention, col(Mention.id) == col(Case.mention_id))
        ids_query = ids_query.order_by(*_queue_order(filters.sort)).limit(NEIGHBOUR_SCAN)
        ids = [int(i) for i in session.scalars(ids_query).all() if i is not None]
    if case_id not in ids:
        return None, None, None, len(ids)
    at = ids.index(case_id)
    before = ids[at - 1] if at > 0 else None
    after = ids[at + 1] if at + 1 < len(ids) else None
    return before, after, at + 1, len(ids)


def queue_counts(engine: Engine, *, now: datetime | None = None) -> dict[str, int]:
    """Headline counts of the open cases: open, overdue, due soon, unassigned, new."""
    now = now or utcnow()
    waiting = col(Case.first_action_at).is_(None)

    def count_if(*conditions: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    with Session(engine) as session:
        row = session.execute(
            select(
                func.count(),
                count_if(waiting, col(Case.due_at) < now),
                count_if(waiting, col(Case.due_at) >= now, col(Case.due_at) < now + DUE_SOON),
                count_if(col(Case.assignee).is_(None)),
                count_if(col(Case.status) == "new"),
            ).where(col(Case.status).in_(OPEN_CASE_STATUSES))
        ).one()
    keys = ("open", "overdue", "due_soon", "unassigned", "new")
    return {key: int(value or 0) for key, value in zip(keys, row, strict=True)}


def assignees(engine: Engine) -> list[str]:
    """Everyone who has been assigned a case, by name."""
    with Session(engine) as session:
        return [
            name
            for (name,) in session.execute(
                select(col(Case.assignee))
                .where(col(Case.assignee).is_not(None))
                .group_by(col(Case.assignee))
                .order_by(col(Case.assignee))
            ).all()
        ]


def case_sources(engine: Engine) -> list[str]:
    """The sources that have crawled (cheap: from the crawl log, not the mentions)."""
    with Session(engine) as session:
        return [
            name
            for (name,) in session.execute(
                select(col(CrawlRun.source))
                .group_by(col(CrawlRun.source))
                .order_by(col(CrawlRun.source))
            ).all()
        ]
