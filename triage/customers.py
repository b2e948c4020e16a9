"""The customer base in the database: bulk upserts from a CRM export, and linking mentions.

:func:`upsert_customers` writes many customers in batches through SQLAlchemy Core (an
``INSERT … ON CONFLICT (external_id) DO UPDATE``, on SQLite and PostgreSQL alike).
:func:`link_new_mentions` matches every mention not yet linked against the whole customer base
(:class:`sentiment.linking.CustomerIndex`) and stores the candidates with
:func:`triage.links.record_links`: strong evidence as ``confirmed`` links, weak evidence as
``suggested`` ones for a person to decide.
"""

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from sentiment.linking import CustomerIndex, CustomerRecord, MentionRecord
from storage.customers import (
    customer_count,
    customer_match_rows,
    forget_linking,
    mark_linked,
    unlinked_mention_count,
    unlinked_mentions,
    upsert_customer_rows,
)
from storage.types import utcnow
from triage.links import LinkEvidence, record_links

log = logging.getLogger(__name__)

#: The columns an import writes (``external_id`` is the key).
FIELDS = ("name", "email", "phone", "handles", "tier", "lifetime_value", "orders", "extra")
BATCH = 5000


@dataclass(frozen=True)
class UpsertResult:
    """How many customers an import created and how many it updated."""

    created: int
    updated: int


def upsert_customers(
    engine: Engine,
    rows: Sequence[Mapping[str, Any]],
    *,
    progress: Callable[[int], None] | None = None,
) -> UpsertResult:
    """Insert or update customers by ``external_id``, in batches, in one transaction.

    Each row has ``external_id`` and any of :data:`FIELDS`. ``progress`` is called with the
    number of rows written after each batch.
    """
    now = utcnow()
    with engine.begin() as conn:
        before = customer_count(conn)
        for offset in range(0, len(rows), BATCH):
            batch = [
                {
                    "external_id": row["external_id"],
                    **{name: row.get(name) for name in FIELDS},
                    "handles": row.get("handles") or {},
                    "orders": row.get("orders") or [],
                    "extra": row.get("extra") or {},
                    "created_at": now,
                    "updated_at": now,
                }
                for row in rows[offset : offset + BATCH]
            ]
            upsert_customer_rows(conn, rows=batch, update_columns=(*FIELDS, "updated_at"))
            if progress is not None:
                progress(min(offset + BATCH, len(rows)))
        after = customer_count(conn)
        # a changed customer base may match mentions that matched nobody before
        forget_linking(conn)
    created = after - before
    return UpsertResult(created=created, updated=len({r["external_id"] for r in rows}) - created)


def customer_records(engine: Engine) -> Iterable[CustomerRecord]:
    """Every customer as plain data for :class:`~sentiment.linking.CustomerIndex`."""
    with engine.connect() as conn:
        for row in customer_match_rows(conn, yield_per=BATCH):
            yield CustomerRecord(
                id=row.id,
                name=row.name,
                email=row.email,
                phone=row.phone,
                handles=row.handles or {},
                orders=row.orders or [],
            )


@dataclass(frozen=True)
class LinkCounts:
    """What one linking pass did: mentions matched, new links suggested and confirmed."""

    mentions: int
    suggested: int
    confirmed: int


def link_new_mentions(
    engine: Engine, *, order_pattern: str | None = None, min_confidence: float = 0.9
) -> LinkCounts:
    """Match every mention not linked yet against the customer base; store the candidates."""
    with engine.connect() as conn:
        pending = unlinked_mention_count(conn)
    if not pending:
        return LinkCounts(0, 0, 0)
    index = CustomerIndex(
        customer_records(engine), order_pattern=order_pattern, min_confidence=min_confidence
    )
    mentions = suggested = confirmed = 0
    last_id = 0
    while True:
        with engine.connect() as conn:
            rows = unlinked_mentions(conn, after_id=last_id, limit=BATCH)
        if not rows:
            break
        last_id = rows[-1].id
        mentions += len(rows)
        evidence = []
        if index.size:
            for row in rows:
                text = "\n".join(part for part in (row.title, row.text) if part)
                for c in index.link(
                    MentionRecord(row.id, text, row.author, row.author_handle, row.source_type)
                ):
                    evidence.append(
                        LinkEvidence(
                            c.mention_id,
                            c.customer_id,
                            c.method,
                            c.confidence,
                            c.evidence,
                            c.confirmed,
                        )
                    )
        confirmed += record_links(engine, [e for e in evidence if e.confirmed])
        suggested += record_links(engine, [e for e in evidence if not e.confirmed])
        with engine.begin() as conn:
            mark_linked(conn, mention_ids=[row.id for row in rows], at=utcnow())
    log.info("linked %d mentions: %d confirmed, %d suggested", mentions, confirmed, suggested)
    return LinkCounts(mentions, suggested, confirmed)
