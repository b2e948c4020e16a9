"""The audit trail: append an action, read them back (filters) — nothing updates or deletes.

Every part of Grapevine that acts for a person calls :func:`record_audit` inside the same
transaction as the change it records, so a change and its audit row land together.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from storage.tables.audit import AuditEvent
from storage.types import utcnow

AUDIT = AuditEvent.__table__  # type: ignore[attr-defined]


def record_audit(
    conn: Connection,
    *,
    actor: str,
    action: str,
    subject_type: str = "",
    subject_id: str | int = "",
    summary: str = "",
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Append one audit row on ``conn`` (a connection inside the caller's transaction).

    ``summary`` is one human line ("status new → resolved"); neither it nor ``detail`` may
    carry review text, emails or phone numbers — ids and counts only.
    """
    conn.execute(
        insert(AUDIT),
        {
            "at": at or utcnow(),
            "actor": (actor or "system")[:200],
            "action": action[:60],
            "subject_type": subject_type[:40],
            "subject_id": str(subject_id)[:200],
            "summary": summary,
            "detail": detail or {},
        },
    )


def list_audit(
    conn: Connection,
    *,
    actor: str | None = None,
    action: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """The newest audit rows first, filtered by whichever arguments are given."""
    t = AUDIT
    q = select(t)
    if actor:
        q = q.where(t.c.actor == actor)
    if action:
        q = q.where(t.c.action.startswith(action))
    if subject_type:
        q = q.where(t.c.subject_type == subject_type)
    if subject_id:
        q = q.where(t.c.subject_id == str(subject_id))
    if since:
        q = q.where(t.c.at >= since)
    if until:
        q = q.where(t.c.at < until)
    rows = conn.execute(q.order_by(t.c.at.desc(), t.c.id.desc()).limit(limit)).mappings()
    return [dict(r) for r in rows]
