"""The reads and writes of opening cases: the mentions that need one, and the new cases.

Which mentions get a case, their priority, due time and the per-source cap are policy
(:mod:`triage.opening`); this module only reads and writes, on the caller's connection or
session (the caller opens the transaction).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, func, insert, select, update
from sqlmodel import Session, col

from storage.models import OPEN_CASE_STATUSES, Case, CaseEvent, Customer, CustomerLink, Mention

CASE = Case.__table__  # type: ignore[attr-defined]
EVENT = CaseEvent.__table__  # type: ignore[attr-defined]


def candidate_conditions(
    *, competitor_cases: bool, source: str | None = None
) -> list[ColumnElement[bool]]:
    """The mentions that need a case: flagged, without one (and not about a competitor unless
    ``competitor_cases``; of ``source`` when given)."""
    has_case = exists().where(col(Case.mention_id) == col(Mention.id))
    conditions: list[ColumnElement[bool]] = [col(Mention.needs_attention).is_(True), ~has_case]
    if not competitor_cases:
        conditions.append(col(Mention.is_competitor).is_(False))
    if source is not None:
        conditions.append(col(Mention.source) == source)
    return conditions


def confirmed_customer_field(*, column: Any) -> Any:
    """A column of the mention's confirmed customer, as a correlated scalar subquery."""
    return (
        select(col(column))
        .join(CustomerLink, col(CustomerLink.customer_id) == col(Customer.id))
        .where(
            col(CustomerLink.mention_id) == col(Mention.id),
            col(CustomerLink.status) == "confirmed",
        )
        .limit(1)
        .correlate(Mention)
        .scalar_subquery()
    )


def candidate_counts(conn: Connection, *, competitor_cases: bool) -> Sequence[Any]:
    """(source, how many mentions need a case) for every source that has some."""
    return conn.execute(
        select(col(Mention.source), func.count())
        .where(and_(*candidate_conditions(competitor_cases=competitor_cases)))
        .group_by(col(Mention.source))
    ).all()


def candidate_rows(
    conn: Connection, *, competitor_cases: bool, source: str, after_id: int, limit: int
) -> Sequence[Any]:
    """The next ``limit`` candidates of ``source`` with an id above ``after_id``, by id: rows
    of (id, sentiment, complaint_score, rating, reach, published_at, ltv, tier)."""
    conditions = candidate_conditions(competitor_cases=competitor_cases, source=source)
    return conn.execute(
        select(
            col(Mention.id),
            col(Mention.sentiment),
            col(Mention.complaint_score),
            col(Mention.rating),
            col(Mention.reach),
            col(Mention.published_at),
            confirmed_customer_field(column=Customer.lifetime_value).label("ltv"),
            confirmed_customer_field(column=Customer.tier).label("tier"),
        )
        .where(and_(*conditions, col(Mention.id) > after_id))
        .order_by(col(Mention.id))
        .limit(limit)
    ).all()


def insert_cases(conn: Connection, *, rows: list[dict[str, Any]]) -> list[int]:
    """Insert case rows; their ids, in the order of ``rows``."""
    return list(
        conn.execute(
            insert(CASE).returning(CASE.c.id, sort_by_parameter_order=True), rows
        ).scalars()
    )


def insert_case_events(conn: Connection, *, rows: list[dict[str, Any]]) -> None:
    """Insert timeline entries (case_id, at, actor, kind, message, data) in one statement."""
    conn.execute(insert(EVENT), rows)


def open_cases_with_mentions(session: Session) -> Sequence[Any]:
    """Every open case with its mention: rows of (Case, Mention)."""
    return session.execute(
        select(Case, Mention)
        .join(Mention, col(Mention.id) == col(Case.mention_id))
        .where(col(Case.status).in_(OPEN_CASE_STATUSES))
    ).all()


def confirmed_customers(session: Session) -> dict[int, Customer]:
    """The customer of every mention with a confirmed link, by mention id."""
    return {
        mention_id: customer
        for mention_id, customer in session.execute(
            select(col(CustomerLink.mention_id), Customer)
            .join(Customer, col(Customer.id) == col(CustomerLink.customer_id))
            .where(col(CustomerLink.status) == "confirmed")
        ).all()
    }


def set_case_priority(conn: Connection, *, case_id: int, priority: float) -> None:
    """Write a case's priority."""
    conn.execute(update(CASE).where(CASE.c.id == case_id).values(priority=priority))
