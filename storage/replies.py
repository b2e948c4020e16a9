"""Replies written on a case and the case-side records of an answer (SQL only; policy in
:mod:`triage.replies`).

Every function takes a connection inside the caller's transaction, so a reply's new state, its
timeline entry, the case's first response and the audit row land together.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, insert, or_, select, update

from storage.cases import add_case_event as add_case_event  # the timeline, for callers
from storage.models import OPEN_CASE_STATUSES, Case, CaseEvent, Mention
from storage.tables.replies import Reply
from storage.types import utcnow

REPLY = Reply.__table__  # type: ignore[attr-defined]
CASE = Case.__table__  # type: ignore[attr-defined]
EVENT = CaseEvent.__table__  # type: ignore[attr-defined]
MENTION = Mention.__table__  # type: ignore[attr-defined]

#: The timeline kind of an answer found on the platform (written outside Grapevine or not).
ANSWERED = "answered"


def create_reply(
    conn: Connection,
    *,
    case_id: int,
    mention_id: int,
    platform: str,
    visibility: str,
    text: str,
    posted_by: str,
    idempotency_key: str,
) -> int:
    """A new draft; its id."""
    result = conn.execute(
        insert(REPLY).values(
            case_id=case_id,
            mention_id=mention_id,
            platform=platform,
            visibility=visibility,
            text=text,
            state="draft",
            posted_by=posted_by,
            created_at=utcnow(),
            idempotency_key=idempotency_key,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def get_reply(conn: Connection, *, reply_id: int) -> Reply | None:
    """One reply."""
    row = conn.execute(select(REPLY).where(REPLY.c.id == reply_id)).mappings().first()
    return Reply(**row) if row else None


def replies_for_case(conn: Connection, *, case_id: int) -> list[Reply]:
    """A case's replies, oldest first (drafts, failures and deleted ones included)."""
    rows = conn.execute(
        select(REPLY).where(REPLY.c.case_id == case_id).order_by(REPLY.c.id)
    ).mappings()
    return [Reply(**row) for row in rows]


def set_reply(conn: Connection, *, reply_id: int, **values: Any) -> None:
    """Change a reply's columns (state, text, platform_id, url, posted_at, last_error…)."""
    conn.execute(update(REPLY).where(REPLY.c.id == reply_id).values(**values))


def record_first_response(
    conn: Connection, *, case_id: int, at: datetime, action: str | None = None
) -> bool:
    """Mark the case answered at ``at`` unless it already was; bump its version either way
    (the case changed). Whether this was its first response."""
    now = utcnow()
    values: dict[str, Any] = {"updated_at": now, "version": CASE.c.version + 1}
    if action:
        values["action_taken"] = action
    conn.execute(update(CASE).where(CASE.c.id == case_id).values(**values))
    result = conn.execute(
        update(CASE)
        .where(CASE.c.id == case_id, CASE.c.first_action_at.is_(None))
        .values(first_action_at=at)
    )
    return bool(result.rowcount)


def cases_answered_on_platform(conn: Connection, *, limit: int = 1000) -> list[dict[str, Any]]:
    """Cases whose mention carries the company's reply (``reply_text``/``reply_at``, filled
    by the crawl) and whose timeline does not have it yet: ``case_id``, ``opened_at``,
    ``reply_at``, ``source``."""
    recorded = exists().where(EVENT.c.case_id == CASE.c.id, EVENT.c.kind == ANSWERED)
    query = (
        select(
            CASE.c.id.label("case_id"),
            CASE.c.opened_at,
            MENTION.c.reply_at,
            MENTION.c.source,
        )
        .join(MENTION, MENTION.c.id == CASE.c.mention_id)
        .where(
            or_(MENTION.c.reply_text.is_not(None), MENTION.c.reply_at.is_not(None)),
            ~recorded,
        )
        .order_by(CASE.c.id)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def unanswered_cases(
    conn: Connection, *, sources: Sequence[str], limit: int = 200
) -> list[dict[str, Any]]:
    """Open cases of ``sources`` nobody has answered yet and no answer was found for:
    ``case_id``, ``opened_at``, ``source``, ``source_type``, ``external_id``, ``url``,
    ``author_handle``, ``raw``."""
    if not sources:
        return []
    recorded = exists().where(EVENT.c.case_id == CASE.c.id, EVENT.c.kind == ANSWERED)
    query = (
        select(
            CASE.c.id.label("case_id"),
            CASE.c.opened_at,
            MENTION.c.source,
            MENTION.c.source_type,
            MENTION.c.external_id,
            MENTION.c.url,
            MENTION.c.author_handle,
            MENTION.c.raw,
        )
        .join(MENTION, MENTION.c.id == CASE.c.mention_id)
        .where(
            and_(
                MENTION.c.source.in_(list(sources)),
                CASE.c.status.in_(OPEN_CASE_STATUSES),
                CASE.c.first_action_at.is_(None),
                ~recorded,
            )
        )
        .order_by(CASE.c.opened_at.desc())
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
