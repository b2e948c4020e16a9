"""The support-queue delivery ledger: one ``export`` row per case and target.

This module only reads and marks the ledger; :mod:`triage.export` does the sending. A case
sent by hand from the dashboard is marked ``pending`` here and goes out with the next export
run (``grapevine export``, ``grapevine run`` or the scheduler's export tick, every few
minutes). A case that was already delivered goes again under a new idempotency key (the
row's ``resends`` counter), so the receiver does not discard it as a duplicate.
"""

from sqlalchemy import Engine, insert, select, update
from sqlmodel import Session, col

from storage.models import CaseEvent, Export
from storage.types import utcnow
from triage.audit_trail import audit_export

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
            # a case already delivered (or being delivered) goes again under a new key
            again = existing.state in ("sent", "sending")
            session.execute(
                update(EXPORT)
                .where(EXPORT.c.id == existing.id)
                .values(
                    state="pending",
                    attempts=0,
                    next_attempt_at=now,
                    last_error=None,
                    claim=None,
                    resends=EXPORT.c.resends + (1 if again else 0),
                )
            )
            message = f"queued again for {target}"
        resend = existing is not None and existing.state in ("sent", "sending")
        action = "export.resend" if resend else "export.requested"
        audit_export(
            session.connection(), case_id=case_id, target=target, action=action, actor=actor
        )
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
