"""The helpdesk sync as the application runs it: targets from the config, under a lock.

Used by ``grapevine helpdesk sync``, the daily job's ``helpdesk`` step and the scheduler's
export tick (:mod:`triage.helpdesk.sync` has the rules).
"""

from sqlalchemy import Engine

from grapevine.config import Settings
from grapevine.locks import RunLock
from grapevine.wiring import export_targets, triage_policy
from storage.tickets import conflicts
from triage.helpdesk.sync import SyncReport, helpdesk_targets, sync_tickets


def has_helpdesks(settings: Settings) -> bool:
    """Whether any enabled target is a helpdesk."""
    return bool(helpdesk_targets(export_targets(settings)))


def sync_now(
    settings: Settings,
    engine: Engine,
    *,
    actor: str = "system",
    only: str | None = None,
    wait: float = 60.0,
) -> SyncReport:
    """Sync every helpdesk target (or ``only`` one) under the ``helpdesk`` lock.

    Raises :class:`grapevine.locks.Busy` when another sync holds it after ``wait`` seconds.
    """
    targets = export_targets(settings)
    if not helpdesk_targets(targets):
        return SyncReport()
    with RunLock(engine, "helpdesk", wait=wait):
        return sync_tickets(
            engine, targets, actor=actor, only=only,
            follow_up_days=triage_policy(settings).follow_up_days,
        )  # fmt: skip


def conflict_lines(engine: Engine, *, limit: int = 20) -> list[str]:
    """One line per case whose ticket and case both changed (for ``grapevine status``)."""
    with engine.connect() as conn:
        rows = conflicts(conn, limit=limit)
    return [
        f"case #{r['case_id']} ↔ {r['target']} ticket #{r['ticket_id']}: changed on both sides"
        for r in rows
    ]


def describe(report: SyncReport) -> list[str]:
    """What a sync changed, one line each, in words."""
    words = {
        "tracked": "now tracked",
        "resolved": "resolved here (ticket solved in the helpdesk)",
        "reopened": "reopened here (ticket reopened in the helpdesk)",
        "noted": "note added to the ticket (case closed here)",
        "conflict": "CONFLICT: changed on both sides, nothing overwritten",
        "agreed": "both sides agree again",
        "error": "could not read the ticket",
    }
    lines = []
    for c in report.changes:
        line = f"case #{c.case_id} ↔ {c.target} ticket #{c.ticket_id}: {words.get(c.what, c.what)}"
        if c.what == "error" and c.detail:
            line += f" ({c.detail})"
        lines.append(line)
    return lines
