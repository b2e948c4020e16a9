"""The rows a support-queue export reads: a case joined with its mention and the customer
it is confirmed to be linked to.

What is sent and when is policy (:mod:`triage.export.payload`, :mod:`triage.export.run`); this
module only reads, on the caller's connection (the caller opens the transaction).
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, exists, select
from sqlmodel import col

from storage.models import OPEN_CASE_STATUSES, Case, Customer, CustomerLink, Export, Mention

_COLUMNS: tuple[Any, ...] = (
    col(Case.id).label("case_id"),
    col(Case.status),
    col(Case.priority),
    col(Case.opened_at),
    col(Case.due_at),
    col(Case.assignee),
    col(Mention.id).label("mention_id"),
    col(Mention.url).label("mention_url"),
    col(Mention.source),
    col(Mention.source_type),
    col(Mention.author),
    col(Mention.author_handle),
    col(Mention.title),
    col(Mention.text),
    col(Mention.rating),
    col(Mention.sentiment),
    col(Mention.label),
    col(Mention.complaint),
    col(Mention.aspects),
    col(Mention.published_at),
    col(Mention.brand),
    col(Mention.is_competitor),
    col(Mention.reach),
)


def confirmed_customers_of(
    conn: Connection, *, mention_ids: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """The most confident confirmed customer of each mention (id, external_id, name, email,
    tier, lifetime_value), by mention id."""
    ids = list(set(mention_ids))
    if not ids:
        return {}
    rows = conn.execute(
        select(col(CustomerLink.mention_id), Customer)
        .join(Customer, col(Customer.id) == col(CustomerLink.customer_id))
        .where(col(CustomerLink.mention_id).in_(ids), col(CustomerLink.status) == "confirmed")
        .order_by(col(CustomerLink.confidence).desc(), col(CustomerLink.id))
    ).all()
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        mention_id = row[0]
        if mention_id in found:
            continue
        found[mention_id] = {
            "id": row.id,
            "external_id": row.external_id,
            "name": row.name,
            "email": row.email,
            "tier": row.tier,
            "lifetime_value": row.lifetime_value,
        }
    return found


def _rows(conn: Connection, where: Any) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(*_COLUMNS)
        .join(Mention, col(Mention.id) == col(Case.mention_id))
        .where(where)
        .order_by(col(Case.priority).desc(), col(Case.id))
    ).all()
    customers = confirmed_customers_of(conn, mention_ids=(r.mention_id for r in rows))
    return [{**r._asdict(), "customer": customers.get(r.mention_id)} for r in rows]


def case_rows(conn: Connection, *, case_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The given cases with their mention columns and ``customer``, highest priority first."""
    ids = list(set(case_ids))
    if not ids:
        return []
    return _rows(conn, col(Case.id).in_(ids))


def open_case_rows_without(conn: Connection, *, target: str) -> list[dict[str, Any]]:
    """Open cases that have no ledger row for ``target`` yet, highest priority first."""
    in_ledger = exists().where(
        and_(col(Export.case_id) == col(Case.id), col(Export.target) == target)
    )
    return _rows(conn, and_(col(Case.status).in_(OPEN_CASE_STATUSES), ~in_ledger))
