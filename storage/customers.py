"""The customer base: bulk upserts from a CRM export, and the mentions still to link.

Batching and matching are in :mod:`triage.customers` and :mod:`sentiment.linking`; this module
only reads and writes, on the caller's connection (the caller opens the transaction).
"""

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import Customer, Mention

CUSTOMER = Customer.__table__  # type: ignore[attr-defined]
MENTION = Mention.__table__  # type: ignore[attr-defined]


def customer_count(conn: Connection) -> int:
    """How many customers there are."""
    return int(conn.scalar(select(func.count()).select_from(CUSTOMER)) or 0)


def upsert_customer_rows(
    conn: Connection, *, rows: list[dict[str, Any]], update_columns: Sequence[str]
) -> None:
    """Insert customers, or update ``update_columns`` of those whose ``external_id`` exists."""
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(CUSTOMER)
    stmt = stmt.on_conflict_do_update(
        index_elements=["external_id"],
        set_={name: stmt.excluded[name] for name in update_columns},
    )
    conn.execute(stmt, rows)


def forget_linking(conn: Connection) -> None:
    """Mark every mention as not linked yet (the next linking pass looks at it again)."""
    conn.execute(update(MENTION).values(linked_at=None))


def customer_match_rows(conn: Connection, *, yield_per: int) -> Iterator[Any]:
    """Every customer's id, name, email, phone, handles and orders, streamed."""
    columns = (
        CUSTOMER.c.id,
        CUSTOMER.c.name,
        CUSTOMER.c.email,
        CUSTOMER.c.phone,
        CUSTOMER.c.handles,
        CUSTOMER.c.orders,
    )
    yield from conn.execution_options(yield_per=yield_per).execute(select(*columns))


def unlinked_mention_count(conn: Connection) -> int:
    """How many mentions have not been through linking yet."""
    return int(
        conn.scalar(select(func.count()).select_from(MENTION).where(MENTION.c.linked_at.is_(None)))
        or 0
    )


def unlinked_mentions(conn: Connection, *, after_id: int, limit: int) -> Sequence[Any]:
    """The next ``limit`` mentions not linked yet with an id above ``after_id``, by id:
    rows of (id, title, text, author, author_handle, source_type)."""
    return conn.execute(
        select(
            MENTION.c.id,
            MENTION.c.title,
            MENTION.c.text,
            MENTION.c.author,
            MENTION.c.author_handle,
            MENTION.c.source_type,
        )
        .where(MENTION.c.linked_at.is_(None), MENTION.c.id > after_id)
        .order_by(MENTION.c.id)
        .limit(limit)
    ).all()


def mark_linked(conn: Connection, *, mention_ids: Iterable[int], at: datetime) -> None:
    """Record that these mentions went through linking."""
    conn.execute(update(MENTION).where(MENTION.c.id.in_(list(mention_ids))).values(linked_at=at))
