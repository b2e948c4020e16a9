"""Reads behind one case and one customer: the mention, its history, the customer's file.

Also the follow-up list (the 30/60/90-day reviews that are due). Everything here reads a
bounded number of rows; lists take a ``limit``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, String, and_, case, cast, func, or_, select
from sqlmodel import Session, col

from storage.models import (
    OPEN_CASE_STATUSES,
    Case,
    Customer,
    CustomerLink,
    Mention,
)
from storage.types import utcnow

#: The largest id an integer primary key holds on every backend (PostgreSQL's INTEGER).
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class CaseFile:
    """A case with the mention it is about."""

    case: Case
    mention: Mention


def case_file(engine: Engine, case_id: int) -> CaseFile | None:
    """The case and its mention (``None`` when there is no such case).

    An id past the database's integers is no case (rather than an overflow or a driver
    error quoting the statement)."""
    if not 0 < case_id <= MAX_ID:
        return None
    with Session(engine, expire_on_commit=False) as session:
        row = session.execute(
            select(Case, Mention)
            .join(Mention, col(Mention.id) == col(Case.mention_id))
            .where(col(Case.id) == case_id)
        ).first()
        if row is None:
            return None
        session.expunge_all()
        return CaseFile(case=row[0], mention=row[1])


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_customers(engine: Engine, text: str = "", *, limit: int = 50) -> list[dict[str, Any]]:
    """Customers whose name, email, phone, CRM id or handles contain ``text`` (any case).

    Each row has the customer's columns plus ``confirmed`` and ``suggested`` link counts;
    an empty ``text`` lists the customers with the most confirmed mentions first.
    """
    confirmed = func.coalesce(
        func.sum(case((col(CustomerLink.status) == "confirmed", 1), else_=0)), 0
    )
    suggested = func.coalesce(
        func.sum(case((col(CustomerLink.status) == "suggested", 1), else_=0)), 0
    )
    query = (
        select(Customer, confirmed.label("confirmed"), suggested.label("suggested"))
        .outerjoin(CustomerLink, col(CustomerLink.customer_id) == col(Customer.id))
        .group_by(col(Customer.id))
    )
    for word in text.split()[:6]:
        pattern = _like(word)
        query = query.where(
            or_(
                col(Customer.name).ilike(pattern, escape="\\"),
                col(Customer.email).ilike(pattern, escape="\\"),
                col(Customer.phone).ilike(pattern, escape="\\"),
                col(Customer.external_id).ilike(pattern, escape="\\"),
                cast(col(Customer.handles), String).ilike(pattern, escape="\\"),
            )
        )
    query = query.order_by(confirmed.desc(), col(Customer.name), col(Customer.id)).limit(limit)
    with Session(engine) as session:
        rows = session.execute(query).all()
        return [
            {**customer.model_dump(), "confirmed": int(c), "suggested": int(s)}
            for customer, c, s in rows
        ]


def get_customer(engine: Engine, customer_id: int) -> Customer | None:
    """One customer."""
    with Session(engine, expire_on_commit=False) as session:
        return session.get(Customer, customer_id)


def customer_mentions(
    engine: Engine,
    customer_id: int,
    *,
    statuses: tuple[str, ...] = ("confirmed", "suggested"),
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The mentions linked to a customer (newest first) with the link and any case.

    Row keys: ``link_id``, ``link_status``, ``method``, ``confidence``, ``mention_id``,
    ``source``, ``published_at``, ``title``, ``text``, ``rating``, ``label``, ``url``,
    ``case_id``, ``case_status``, ``assignee``.
    """
    query: Any = (
        select(
            col(CustomerLink.id).label("link_id"),
            col(CustomerLink.status).label("link_status"),
            col(CustomerLink.method),
            col(CustomerLink.confidence),
            col(Mention.id).label("mention_id"),
            col(Mention.source),
            col(Mention.published_at),
            col(Mention.title),
            col(Mention.text),
            col(Mention.rating),
            col(Mention.label),
            col(Mention.url),
            col(Case.id).label("case_id"),
            col(Case.status).label("case_status"),
            col(Case.assignee),
        )
        .join(Mention, col(Mention.id) == col(CustomerLink.mention_id))
        .outerjoin(Case, col(Case.mention_id) == col(Mention.id))
        .where(
            col(CustomerLink.customer_id) == customer_id,
            col(CustomerLink.status).in_(statuses),
        )
        .order_by(col(Mention.published_at).desc(), col(Mention.id).desc())
        .limit(limit)
    )
    with Session(engine) as session:
        return [dict(row._mapping) for row in session.execute(query).all()]


FOLLOW_UP_COLUMNS = (
    "id",
    "status",
    "assignee",
    "resolved_at",
    "follow_up_at",
    "follow_ups_done",
    "action_taken",
    "version",
)


def follow_ups(
    engine: Engine,
    *,
    until: datetime | None = None,
    assignee: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Cases with a follow-up set, the earliest (so the most overdue) first, and the count.

    ``until`` keeps the follow-ups due before it (``None``: every scheduled follow-up).
    Rows carry the case's :data:`FOLLOW_UP_COLUMNS` and the mention's ``author``,
    ``source``, ``title``, ``text``, ``url``.
    """
    conditions: list[ColumnElement[bool]] = [col(Case.follow_up_at).is_not(None)]
    if until is not None:
        conditions.append(col(Case.follow_up_at) < until)
    if assignee:
        conditions.append(col(Case.assignee) == assignee)
    columns = [
        *(col(getattr(Case, name)) for name in FOLLOW_UP_COLUMNS),
        col(Mention.author),
        col(Mention.source),
        col(Mention.title),
        col(Mention.text),
        col(Mention.url),
    ]
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0
        rows = session.execute(
            select(*columns)
            .join(Mention, col(Mention.id) == col(Case.mention_id))
            .where(*conditions)
            .order_by(col(Case.follow_up_at), col(Case.id))
            .limit(limit)
            .offset(offset)
        ).all()
    return [dict(row._mapping) for row in rows], int(total)


def follow_up_counts(engine: Engine, *, now: datetime | None = None) -> dict[str, int]:
    """How many follow-ups are overdue, due in the next 7 days, and scheduled in all."""
    now = now or utcnow()
    at = col(Case.follow_up_at)
    with Session(engine) as session:
        row = session.execute(
            select(
                func.coalesce(func.sum(case((at < now, 1), else_=0)), 0),
                func.coalesce(
                    func.sum(case((and_(at >= now, at < now + timedelta(days=7)), 1), else_=0)),
                    0,
                ),
                func.count(),
            ).where(at.is_not(None))
        ).one()
    return {"overdue": int(row[0]), "this_week": int(row[1]), "scheduled": int(row[2])}


def open_case_count_for(engine: Engine, customer_id: int) -> int:
    """How many open cases a customer's confirmed mentions have."""
    with Session(engine) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Case)
                .join(CustomerLink, col(CustomerLink.mention_id) == col(Case.mention_id))
                .where(
                    col(CustomerLink.customer_id) == customer_id,
                    col(CustomerLink.status) == "confirmed",
                    col(Case.status).in_(OPEN_CASE_STATUSES),
                )
            )
            or 0
        )
