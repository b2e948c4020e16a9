"""SQL of the helpdesk tickets: which cases have a ticket, and what the last sync saw.

The policy (what a solved ticket does to a case) is in :mod:`triage.helpdesk.sync`; this
module only reads and writes rows, on a connection the caller's transaction owns.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update
from sqlmodel import col

from storage.cases import add_case_event as add_case_event  # the timeline, for callers
from storage.models import Case, Export
from storage.tables.helpdesk import HelpdeskTicket
from storage.types import utcnow

TICKET = HelpdeskTicket.__table__  # type: ignore[attr-defined]
EXPORT = Export.__table__  # type: ignore[attr-defined]
CASE = Case.__table__  # type: ignore[attr-defined]


def untracked_exports(conn: Connection, *, targets: Sequence[str]) -> list[dict[str, Any]]:
    """Ledger rows ``sent`` to one of ``targets`` whose ticket is not tracked yet."""
    if not targets:
        return []
    rows = conn.execute(
        select(EXPORT.c.case_id, EXPORT.c.target, EXPORT.c.reference, CASE.c.version)
        .join(CASE, CASE.c.id == EXPORT.c.case_id)
        .outerjoin(
            TICKET, and_(TICKET.c.case_id == EXPORT.c.case_id, TICKET.c.target == EXPORT.c.target)
        )
        .where(
            EXPORT.c.target.in_(list(targets)),
            EXPORT.c.state == "sent",
            TICKET.c.id.is_(None),
        )
        .order_by(EXPORT.c.id)
    ).all()
    return [dict(r._mapping) for r in rows]


def track_ticket(
    conn: Connection,
    *,
    case_id: int,
    target: str,
    kind: str,
    ticket_id: str,
    url: str | None,
    case_version: int,
    status: str = "open",
    now: datetime | None = None,
) -> int:
    """Start tracking a case's ticket; returns the row's id."""
    now = now or utcnow()
    result = conn.execute(
        insert(TICKET).values(
            case_id=case_id, target=target, kind=kind, ticket_id=ticket_id, url=url,
            last_status=status, case_version=case_version, conflict=False, created_at=now,
            synced_at=now,
        )
    )  # fmt: skip
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def tracked_tickets(
    conn: Connection, *, targets: Sequence[str] | None = None, case_ids: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """The tracked tickets with their case's status, version and resolution time."""
    stmt = (
        select(
            TICKET,
            CASE.c.status.label("case_status"),
            CASE.c.version.label("current_version"),
            CASE.c.resolved_at.label("case_resolved_at"),
        )
        .join(CASE, CASE.c.id == TICKET.c.case_id)
        .order_by(TICKET.c.id)
    )
    if targets is not None:
        stmt = stmt.where(TICKET.c.target.in_(list(targets)))
    if case_ids is not None:
        stmt = stmt.where(TICKET.c.case_id.in_(list(case_ids)))
    return [dict(r._mapping) for r in conn.execute(stmt).all()]


def save_sync(conn: Connection, *, ticket_row: int, **values: Any) -> None:
    """Write what a sync saw (``last_status``, ``case_version``, ``conflict``…)."""
    allowed = set(TICKET.c.keys()) - {"id", "case_id", "target"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not helpdesk_ticket columns: {', '.join(sorted(unknown))}")
    conn.execute(update(TICKET).where(TICKET.c.id == ticket_row).values(**values))


def tickets_of_case(conn: Connection, *, case_id: int) -> list[dict[str, Any]]:
    """A case's tickets (for the case page)."""
    rows = conn.execute(
        select(TICKET).where(TICKET.c.case_id == case_id).order_by(TICKET.c.id)
    ).all()
    return [dict(r._mapping) for r in rows]


def conflicts(conn: Connection, *, limit: int = 100) -> list[dict[str, Any]]:
    """Tickets whose case and ticket both changed since the last sync (not overwritten)."""
    rows = conn.execute(
        select(TICKET)
        .where(col(HelpdeskTicket.conflict).is_(True))
        .order_by(TICKET.c.case_id)
        .limit(limit)
    ).all()
    return [dict(r._mapping) for r in rows]
