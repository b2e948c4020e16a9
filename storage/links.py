"""Customer links: the rows that say a known customer wrote a mention.

What counts as evidence and who decides is policy (:mod:`triage.links`); this module only
reads and writes, on the caller's connection or session (the caller opens the transaction).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from storage.models import Customer, CustomerLink

LINK = CustomerLink.__table__  # type: ignore[attr-defined]


def known_link_pairs(conn: Connection, *, mention_ids: Iterable[Any]) -> set[tuple[Any, Any]]:
    """The (mention id, customer id) pairs already linked among these mentions."""
    return {
        (m, c)
        for m, c in conn.execute(
            select(LINK.c.mention_id, LINK.c.customer_id).where(
                LINK.c.mention_id.in_(list(mention_ids))
            )
        )
    }


def insert_links(conn: Connection, *, rows: list[dict[str, Any]]) -> None:
    """Insert link rows; a pair that exists meanwhile is left as it is."""
    stmt: Any = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(LINK)
    stmt = stmt.on_conflict_do_nothing(index_elements=["mention_id", "customer_id"])
    conn.execute(stmt, rows)


def mention_links(session: Session, *, mention_id: int) -> list[tuple[CustomerLink, Customer]]:
    """A mention's links with their customers, the best last (confirmed, then by confidence)."""
    rows = session.execute(
        select(CustomerLink, Customer)
        .join(Customer, col(Customer.id) == col(CustomerLink.customer_id))
        .where(col(CustomerLink.mention_id) == mention_id)
        .order_by(col(CustomerLink.status) == "confirmed", col(CustomerLink.confidence))
    ).all()
    return [(link, customer) for link, customer in rows]


def set_link_status(
    conn: Connection, *, link_id: int, status: str, decided_at: datetime, decided_by: str
) -> None:
    """Record a decision on a link."""
    conn.execute(
        update(LINK)
        .where(LINK.c.id == link_id)
        .values(status=status, decided_at=decided_at, decided_by=decided_by)
    )


def load_link(session: Session, *, link_id: int, fresh: bool = False) -> CustomerLink | None:
    """One link, in the session (``fresh``: read again, not from the session's memory)."""
    return session.get(CustomerLink, link_id, populate_existing=fresh)


def load_customer(session: Session, *, customer_id: int) -> Customer | None:
    """One customer, in the session."""
    return session.get(Customer, customer_id)
