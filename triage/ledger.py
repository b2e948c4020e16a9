"""The support-queue delivery ledger: one ``export`` row per case and target.

This module only reads and marks the ledger; :mod:`triage.export` does the sending. A case
sent by hand from the dashboard is marked ``pending`` here and goes out with the next export
run (``grapevine export``, ``grapevine run`` or the scheduler).
"""

from sqlalchemy import Engine, insert, select, update
from sqlmodel import Session, col

from storage.models import CaseEvent, Export
from storage.types import utcnow

EXPORT = Export.__table__  # type: ignore[attr-defined]


def exports_for_case(engine: Engine, case_id: int) -> list[Export]:
    """The ledger rows of one case, by target."""
    with Session(engine) as session:
        return list(
            session.execute(
                select(Export).where(col(Export.case_id) == case_id).order_by(col(Export.target))
            ).scalars()
        )


def request_send(engine: Engine, case_id: int, target: str, *, actor: str) -> Export:
    """Queue a case for ``target`` now, or again if it was sent before (a resend by hand)."""
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        existing = session.execute(
            select(Export).where(col(Export.case_id) == case_id, col(Export.target) == target)
        ).scalar_one_or_none()
        if existing is None:
            session.execute(
                insert(EXPORT).values(
                    case_id=case_id,
                    target=target,
                    state="pending",
                    attempts=0,
                    created_at=now,
                    next_attempt_at=now,
                )
            )
            message = f"queued for {target}"
        else:
            session.execute(
                update(EXPORT)
                .where(EXPORT.c.id == existing.id)
                .values(state="pending", attempts=0, next_attempt_at=now, last_error=None)
            )
            message = f"queued again for {target}"
        session.execute(
            insert(CaseEvent.__table__).values(  # type: ignore[attr-defined]
                case_id=case_id,
                at=now,
                actor=actor,
                kind="export",
                message=message,
                data={"target": target, "manual": True},
            )
        )
        session.commit()
        row = session.execute(
            select(Export).where(col(Export.case_id) == case_id, col(Export.target) == target)
        ).scalar_one()
        return row
