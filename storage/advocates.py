"""Advocates: the own brand's happy mentions, who wrote them, and the customer timeline.

The thresholds (what counts as enthusiastic) are policy and come from
:mod:`triage.advocacy`; this module only reads and writes. A mention's author is the
customer of its best non-rejected link (confirmed before suggested, then the most
confident); "came back happier" means that customer had a case resolved before the
mention was published.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, insert, or_, select
from sqlmodel import Session, col

from storage.models import Case, Customer, CustomerEvent, CustomerLink, Mention
from storage.types import as_utc, utcnow

CUSTOMER_EVENT = CustomerEvent.__table__  # type: ignore[attr-defined]

MENTION_COLUMNS = (
    "id",
    "source",
    "source_type",
    "url",
    "author",
    "author_handle",
    "title",
    "text",
    "rating",
    "published_at",
    "reach",
    "sentiment",
    "label",
    "aspects",
)


def happy_mentions(
    engine: Engine,
    *,
    since: datetime,
    until: datetime | None = None,
    min_sentiment: float,
    min_rating: float,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The own brand's happy mentions published in ``[since, until)``, newest first.

    Happy: rated ``min_rating`` or more, or unrated with a sentiment of ``min_sentiment`` or
    more; never one that needs attention (that one is in the triage queue). Each row has
    the :data:`MENTION_COLUMNS`, the linked customer (``customer_id``, ``customer_name``,
    ``tier``, ``lifetime_value``, ``link_status``; ``None`` when unknown),
    ``came_back`` (the customer's case resolved before it, or ``None``) and ``done`` (the
    kinds of timeline events already recorded for the mention).
    """
    happy = or_(
        col(Mention.rating) >= min_rating,
        and_(col(Mention.rating).is_(None), col(Mention.sentiment) >= min_sentiment),
    )
    conditions = [
        col(Mention.is_competitor).is_(False),
        col(Mention.needs_attention).is_(False),
        happy,
        col(Mention.published_at) >= since,
    ]
    if until is not None:
        conditions.append(col(Mention.published_at) < until)
    query = (
        select(*(col(getattr(Mention, name)) for name in MENTION_COLUMNS))
        .where(*conditions)
        .order_by(col(Mention.published_at).desc(), col(Mention.id).desc())
        .limit(limit)
    )
    with Session(engine) as session:
        rows = [dict(row._mapping) for row in session.execute(query).all()]
        ids = [row["id"] for row in rows]
        links = _best_links(session, ids)
        customer_ids = sorted({link["customer_id"] for link in links.values()})
        resolved = _resolved_cases(session, customer_ids)
        done = _done(session, ids)
    for row in rows:
        row["published_at"] = as_utc(row["published_at"])
        link = links.get(row["id"])
        row.update(
            customer_id=None, customer_name=None, tier=None, lifetime_value=None, link_status=None
        )
        row["came_back"] = None
        if link is not None:
            row.update(link)
            earlier = [
                c for c in resolved.get(link["customer_id"], []) if c[1] < row["published_at"]
            ]
            if earlier:
                case_id, resolved_at = max(earlier, key=lambda c: c[1])
                row["came_back"] = {"case_id": case_id, "resolved_at": resolved_at}
        row["done"] = done.get(row["id"], [])
    return rows


def _best_links(session: Session, mention_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not mention_ids:
        return {}
    query: Any = (
        select(
            col(CustomerLink.mention_id),
            col(CustomerLink.status).label("link_status"),
            col(CustomerLink.confidence),
            col(Customer.id).label("customer_id"),
            col(Customer.name).label("customer_name"),
            col(Customer.tier),
            col(Customer.lifetime_value),
        )
        .join(Customer, col(Customer.id) == col(CustomerLink.customer_id))
        .where(
            col(CustomerLink.mention_id).in_(mention_ids),
            col(CustomerLink.status).in_(("confirmed", "suggested")),
        )
    )
    best: dict[int, dict[str, Any]] = {}
    for row in session.execute(query).all():
        data = dict(row._mapping)
        key = (data["link_status"] == "confirmed", data.pop("confidence") or 0.0)
        mention_id = data.pop("mention_id")
        known = best.get(mention_id)
        if known is None or key > known["_key"]:
            best[mention_id] = {**data, "_key": key}
    for data in best.values():
        data.pop("_key")
    return best


def _resolved_cases(
    session: Session, customer_ids: list[int]
) -> dict[int, list[tuple[int, datetime]]]:
    """Per customer: (case id, resolved at) of the resolved cases of their linked mentions."""
    if not customer_ids:
        return {}
    query = (
        select(col(CustomerLink.customer_id), col(Case.id), col(Case.resolved_at))
        .join(Case, col(Case.mention_id) == col(CustomerLink.mention_id))
        .where(
            col(CustomerLink.customer_id).in_(customer_ids),
            col(CustomerLink.status).in_(("confirmed", "suggested")),
            col(Case.status) == "resolved",
            col(Case.resolved_at).is_not(None),
        )
    )
    out: dict[int, list[tuple[int, datetime]]] = {}
    for customer_id, case_id, resolved_at in session.execute(query).all():
        moment = as_utc(resolved_at)
        if moment is not None:
            out.setdefault(customer_id, []).append((case_id, moment))
    return out


def _done(session: Session, mention_ids: list[int]) -> dict[int, list[str]]:
    if not mention_ids:
        return {}
    query = (
        select(col(CustomerEvent.mention_id), col(CustomerEvent.kind))
        .where(col(CustomerEvent.mention_id).in_(mention_ids))
        .order_by(col(CustomerEvent.at))
    )
    out: dict[int, list[str]] = {}
    for mention_id, kind in session.execute(query).all():
        if kind not in out.setdefault(mention_id, []):
            out[mention_id].append(kind)
    return out


def record_customer_event(
    engine: Engine,
    *,
    kind: str,
    actor: str,
    customer_id: int | None = None,
    mention_id: int | None = None,
    message: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> int:
    """Add one entry to a customer's timeline (or an unknown author's, by the mention)."""
    if customer_id is None and mention_id is None:
        raise ValueError("a customer event needs a customer or a mention")
    with engine.begin() as conn:
        result = conn.execute(
            insert(CUSTOMER_EVENT).values(
                customer_id=customer_id,
                mention_id=mention_id,
                kind=kind,
                actor=actor,
                at=at or utcnow(),
                message=message,
                data=data or {},
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def customer_events(engine: Engine, *, customer_id: int, limit: int = 100) -> list[dict[str, Any]]:
    """A customer's timeline, newest first: ``id``, ``at``, ``kind``, ``actor``,
    ``message``, ``data``, ``mention_id``."""
    query = (
        select(
            col(CustomerEvent.id),
            col(CustomerEvent.at),
            col(CustomerEvent.kind),
            col(CustomerEvent.actor),
            col(CustomerEvent.message),
            col(CustomerEvent.data),
            col(CustomerEvent.mention_id),
        )
        .where(col(CustomerEvent.customer_id) == customer_id)
        .order_by(col(CustomerEvent.at).desc(), col(CustomerEvent.id).desc())
        .limit(limit)
    )
    with Session(engine) as session:
        rows = [dict(row._mapping) for row in session.execute(query).all()]
    for row in rows:
        row["at"] = as_utc(row["at"])
    return rows


def event_counts(engine: Engine, *, since: datetime, until: datetime) -> dict[str, int]:
    """How many thank-yous, review requests and referral invitations in ``[since, until)``."""
    query = (
        select(col(CustomerEvent.kind), func.count())
        .where(col(CustomerEvent.at) >= since, col(CustomerEvent.at) < until)
        .group_by(col(CustomerEvent.kind))
    )
    with Session(engine) as session:
        return {kind: int(n) for kind, n in session.execute(query).all()}


def attention_examples(
    engine: Engine, *, since: datetime, until: datetime, limit: int = 500
) -> list[dict[str, Any]]:
    """The own brand's mentions needing attention in ``[since, until)``, the strongest
    complaints first (``id``, ``author``, ``title``, ``text``, ``aspects``, ``source``,
    ``url``, ``published_at``): the weekly report picks an example per complaint theme."""
    query = (
        select(
            col(Mention.id),
            col(Mention.author),
            col(Mention.title),
            col(Mention.text),
            col(Mention.aspects),
            col(Mention.source),
            col(Mention.url),
            col(Mention.published_at),
        )
        .where(
            col(Mention.needs_attention).is_(True),
            col(Mention.is_competitor).is_(False),
            col(Mention.published_at) >= since,
            col(Mention.published_at) < until,
        )
        .order_by(col(Mention.complaint_score).desc(), col(Mention.published_at).desc())
        .limit(limit)
    )
    with Session(engine) as session:
        return [dict(row._mapping) for row in session.execute(query).all()]
