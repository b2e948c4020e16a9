"""Cases and their timeline: the writes the case workflow makes.

The workflow (transitions, SLAs, who may do what) is in :mod:`triage.cases`; this module only
reads and writes, on the caller's connection (the caller opens the transaction).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlmodel import Session, col

from storage.models import Case, CaseEvent
from storage.types import utcnow

CASE = Case.__table__  # type: ignore[attr-defined]
EVENT = CaseEvent.__table__  # type: ignore[attr-defined]


def add_case_event(
    conn: Connection,
    *,
    case_id: int,
    actor: str,
    kind: str,
    message: str,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """One entry on a case's timeline (``actor`` and ``kind`` cut to their columns' lengths)."""
    conn.execute(
        insert(EVENT).values(
            case_id=case_id,
            at=at or utcnow(),
            actor=actor[:200],
            kind=kind[:40],
            message=message,
            data=data if data is not None else {},
        )
    )


def case_id_for_mention(conn: Connection, *, mention_id: int) -> int | None:
    """The id of the mention's case, if it has one."""
    return conn.scalar(select(col(Case.id)).where(col(Case.mention_id) == mention_id))


def case_events(session: Session, *, case_id: int) -> list[CaseEvent]:
    """A case's timeline, oldest first."""
    return list(
        session.execute(
            select(CaseEvent)
            .where(col(CaseEvent.case_id) == case_id)
            .order_by(col(CaseEvent.at), col(CaseEvent.id))
        ).scalars()
    )


def update_case_at_version(
    conn: Connection, *, case_id: int, version: int, values: dict[str, Any]
) -> bool:
    """Write ``values`` to the case if it is still at ``version``; whether it was."""
    result = conn.execute(
        update(CASE).where(CASE.c.id == case_id, CASE.c.version == version).values(**values)
    )
    return bool(result.rowcount == 1)


def load_case(session: Session, *, case_id: int, fresh: bool = False) -> Case | None:
    """One case, in the session (``fresh``: read again, not from the session's memory)."""
    return session.get(Case, case_id, populate_existing=fresh)
