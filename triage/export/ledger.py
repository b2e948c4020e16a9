"""The support-queue delivery ledger: one ``export`` row per case and target.

This module only reads and marks the ledger; :mod:`triage.export.run` does the sending. A case
sent by hand from the dashboard is marked ``pending`` here and goes out with the next export
run (``grapevine export``, ``grapevine run`` or the scheduler's export tick, every few
minutes). A case that was already delivered goes again under a new idempotency key (the
row's ``resends`` counter), so the receiver does not discard it as a duplicate.
"""

from sqlalchemy import Engine
from sqlmodel import Session

from storage import exports as exports_sql
from storage.models import Export
from storage.types import utcnow
from triage.audit_trail import audit_export


def exports_for_case(engine: Engine, case_id: int) -> list[Export]:
    """The ledger rows of one case, by target."""
    with Session(engine) as session:
        return exports_sql.rows_for_case(session, case_id=case_id)


def request_send(engine: Engine, case_id: int, target: str, *, actor: str) -> Export:
    """Queue a case for ``target`` now, or again if it was sent before (a resend by hand)."""
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        conn = session.connection()
        resend = exports_sql.request(conn, case_id=case_id, target=target, now=now)
        message = f"queued for {target}" if resend is None else f"queued again for {target}"
        action = "export.resend" if resend else "export.requested"
        audit_export(conn, case_id=case_id, target=target, action=action, actor=actor)
        exports_sql.add_event(
            conn, case_id=case_id, at=now, actor=actor, message=message,
            data={"target": target, "manual": True},
        )  # fmt: skip
        session.commit()
        row = exports_sql.row_for(session, case_id=case_id, target=target)
        assert row is not None  # written just above
        return row
