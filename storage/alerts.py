"""Alert rows and the reads the alert checks and the digest make.

The policy (thresholds, cool-downs, what a digest says) is in :mod:`triage.alerts`,
:mod:`triage.alerts_checks` and :mod:`triage.alerts_digest`; this module only reads and
writes, on the caller's connection (the caller opens the transaction).
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, exists, func, insert, select
from sqlmodel import col

from storage.models import Alert, Case, Mention
from storage.types import as_utc

ALERT = Alert.__table__  # type: ignore[attr-defined]


def record_alert(
    conn: Connection,
    *,
    kind: str,
    key: str,
    sent_at: datetime,
    channel: str,
    message: str,
    data: dict[str, Any],
) -> None:
    """Record that an alert was sent to one channel."""
    conn.execute(
        insert(ALERT).values(
            kind=kind, key=key, sent_at=sent_at, channel=channel, message=message, data=data
        )
    )


def last_alert_sent(conn: Connection, *, kind: str, key: str | None) -> datetime | None:
    """When an alert of this kind (and key; ``None``: any key) was last sent, to any channel."""
    condition = [col(Alert.kind) == kind]
    if key is not None:
        condition.append(col(Alert.key) == key)
    value = conn.execute(select(func.max(col(Alert.sent_at))).where(*condition)).scalar()
    return as_utc(value)


def alerted_since(conn: Connection, *, kind: str, key: str, since: datetime | None) -> bool:
    """Whether an alert of this kind and key was sent after ``since`` (``None``: ever)."""
    condition = [col(Alert.kind) == kind, col(Alert.key) == key]
    if since is not None:
        condition.append(col(Alert.sent_at) > since)
    return bool(conn.execute(select(exists().where(*condition))).scalar())


def attention_mentions(conn: Connection, *, since: datetime, until: datetime) -> Sequence[Any]:
    """The own brand's mentions needing attention published in [since, until]:
    rows of (source, aspects, published_at)."""
    return conn.execute(
        select(col(Mention.source), col(Mention.aspects), col(Mention.published_at)).where(
            col(Mention.needs_attention).is_(True),
            col(Mention.is_competitor).is_(False),
            col(Mention.published_at) >= since,
            col(Mention.published_at) <= until,
        )
    ).all()


def digest_counts(
    conn: Connection,
    *,
    since: datetime,
    now: datetime,
    open_statuses: Iterable[str],
    top: int,
) -> dict[str, Any]:
    """The raw reads of a daily digest: mentions fetched by (source, is_competitor) with
    their count, cases opened, open cases, the ``top`` open cases by priority, the open
    cases past due without a first action and the resolved cases whose follow-up is due."""
    mentions = conn.execute(
        select(col(Mention.source), col(Mention.is_competitor), func.count())
        .where(col(Mention.fetched_at) > since, col(Mention.fetched_at) <= now)
        .group_by(col(Mention.source), col(Mention.is_competitor))
    ).all()
    opened = conn.execute(
        select(func.count()).where(col(Case.opened_at) > since, col(Case.opened_at) <= now)
    ).scalar()
    is_open = col(Case.status).in_(list(open_statuses))
    open_count = conn.execute(select(func.count()).where(is_open)).scalar()
    top_rows = conn.execute(
        select(col(Case.id), col(Case.priority), col(Case.status), col(Case.due_at),
               col(Mention.source), col(Mention.aspects))
        .join(Mention, col(Mention.id) == col(Case.mention_id))
        .where(is_open)
        .order_by(col(Case.priority).desc(), col(Case.id))
        .limit(top)
    ).all()  # fmt: skip
    breaches = conn.execute(
        select(col(Case.id))
        .where(is_open, col(Case.due_at) < now, col(Case.first_action_at).is_(None))
        .order_by(col(Case.due_at))
    ).scalars().all()  # fmt: skip
    follow_ups = conn.execute(
        select(col(Case.id))
        .where(col(Case.status) == "resolved", col(Case.follow_up_at) <= now)
        .order_by(col(Case.follow_up_at))
    ).scalars().all()  # fmt: skip
    return {
        "mentions": mentions,
        "opened": opened,
        "open_count": open_count,
        "top": top_rows,
        "breaches": breaches,
        "follow_ups": follow_ups,
    }
