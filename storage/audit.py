"""The audit trail: append an action, read them back (filters) — nothing updates or deletes.

Every part of Grapevine that acts for a person calls :func:`record_audit` inside the same
transaction as the change it records, so a change and its audit row land together.

Append-only is enforced by the database as well (migration ``0008_audit``): a trigger refuses
every UPDATE and DELETE of ``audit_event``. The one way out is the retention run's
:func:`purge_audit_before` when ``[retention] audit_days`` is set: on PostgreSQL the trigger
lets a DELETE through in a transaction that set ``grapevine.audit_purge``; on SQLite the purge
drops and recreates the trigger inside its own transaction.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text

from storage.tables.audit import AuditEvent
from storage.types import utcnow

AUDIT = AuditEvent.__table__  # type: ignore[attr-defined]

#: The append-only guard on SQLite (one trigger per refused statement).
SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
)
#: The append-only guard on PostgreSQL (a DELETE passes only for the retention purge).
POSTGRES_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION grapevine_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('grapevine.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only';
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION grapevine_audit_append_only()",
)


def install_guard(conn: Connection) -> None:
    """Create the triggers that refuse UPDATE and DELETE of audit rows (the migration)."""
    for statement in POSTGRES_TRIGGERS if conn.dialect.name == "postgresql" else SQLITE_TRIGGERS:
        conn.execute(text(statement))


def remove_guard(conn: Connection) -> None:
    """Drop the append-only triggers (the migration's downgrade)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event"))
        conn.execute(text("DROP FUNCTION IF EXISTS grapevine_audit_append_only()"))
    else:
        conn.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))


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


def audit_now(engine: Engine, **fields: Any) -> None:
    """Record one action that changes nothing else (a sign-in, a file viewed), on its own."""
    with engine.begin() as conn:
        record_audit(conn, **fields)


def count_audit_before(conn: Connection, *, before: datetime) -> int:
    """How many audit rows are older than ``before``."""
    return int(conn.scalar(select(func.count()).select_from(AUDIT).where(AUDIT.c.at < before)) or 0)


def purge_audit_before(conn: Connection, *, before: datetime) -> int:
    """Delete the audit rows older than ``before`` (the retention run only); how many.

    Runs inside the caller's transaction: on PostgreSQL it sets ``grapevine.audit_purge`` for
    that transaction only; on SQLite the delete trigger is dropped and recreated in it, so no
    other writer ever sees the trail unguarded.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT set_config('grapevine.audit_purge', 'on', true)"))
        removed = conn.execute(delete(AUDIT).where(AUDIT.c.at < before)).rowcount
        conn.execute(text("SELECT set_config('grapevine.audit_purge', 'off', true)"))
        return int(removed)
    conn.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
    removed = conn.execute(delete(AUDIT).where(AUDIT.c.at < before)).rowcount
    conn.execute(text(SQLITE_TRIGGERS[1]))
    return int(removed)


def audit_facets(conn: Connection) -> dict[str, list[str]]:
    """The actors and actions the trail holds (for the filters), sorted."""
    actors = conn.execute(select(AUDIT.c.actor).distinct().order_by(AUDIT.c.actor)).scalars()
    actions = conn.execute(select(AUDIT.c.action).distinct().order_by(AUDIT.c.action)).scalars()
    return {"actors": list(actors), "actions": list(actions)}
