"""Ticket status comes back: the sync between the helpdesks' tickets and the cases.

A run (``grapevine helpdesk sync``, the daily job, the scheduler's export tick):

1. **tracks** every case the export sent to a helpdesk target (the ledger row's reference,
   :func:`triage.helpdesk.clients.parse_reference`) — audit ``ticket.created``;
2. **reads** each tracked ticket's state and compares both sides with what the last sync
   saw (the ticket's status; the case's ``version``):

   * only the ticket changed: solved/closed resolves an open case (the helpdesk's newest
     note on the timeline; resolving schedules the 30/60/90-day follow-ups as any
     resolution does), reopened reopens a closed case (``in_progress``);
   * only the case changed: a case resolved (or dismissed) here adds one note to its
     ticket (``Grapevine: …``), once per resolution;
   * both changed and they disagree: a **conflict** — flagged on the ticket row, a line on
     the case's timeline, shown on the case page and in ``grapevine status``; nothing is
     overwritten. It clears by itself once both sides agree (someone resolves the case, or
     reopens the ticket).

A ticket closed for good (``closed``) whose case is closed and unchanged is not read again.
Every change is audited as ``ticket.synced``. A 429 ends a helpdesk's turn in the run; other
errors are kept on the ticket row and the run goes on.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from storage.audit import record_audit
from storage.models import CLOSED_CASE_STATUSES
from storage.tickets import (
    add_case_event,
    save_sync,
    track_ticket,
    tracked_tickets,
    untracked_exports,
)
from storage.types import utcnow
from triage.cases import CaseConflict, CaseError, Change, update_case
from triage.export.targets import HelpdeskTarget, Target
from triage.helpdesk.base import HelpdeskClient, HelpdeskError, TicketRef, TicketState
from triage.helpdesk.clients import client_for, parse_reference
from triage.helpdesk.http import NOTE_PREFIX

log = logging.getLogger(__name__)

NAMES = {"rt": "RT", "zendesk": "Zendesk", "freshdesk": "Freshdesk"}
DONE = ("solved", "closed")


@dataclass(frozen=True)
class SyncChange:
    """One thing a sync did: ``tracked``, ``resolved``, ``reopened``, ``noted``, ``conflict``,
    ``agreed`` (a conflict that cleared) or ``error``."""

    case_id: int
    target: str
    ticket_id: str
    what: str
    detail: str = ""


@dataclass
class SyncReport:
    """What a sync run did."""

    checked: int = 0
    changes: list[SyncChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def count(self, what: str) -> int:
        """How many changes of one kind."""
        return sum(1 for c in self.changes if c.what == what)


def helpdesk_targets(targets: Sequence[Target]) -> list[HelpdeskTarget]:
    """The targets that are helpdesks."""
    return [t for t in targets if isinstance(t, HelpdeskTarget)]


def track_sent(
    engine: Engine, targets: Sequence[HelpdeskTarget], *, actor: str
) -> list[SyncChange]:
    """Start tracking the tickets the export created (their ledger row says ``sent``)."""
    kinds = {t.name: t.kind for t in targets}
    changes = []
    with engine.begin() as conn:
        for row in untracked_exports(conn, targets=list(kinds)):
            parsed = parse_reference(row["reference"])
            if parsed is None:
                continue  # sent before the target was a helpdesk (e.g. a webhook renamed)
            kind, ref = parsed
            track_ticket(
                conn, case_id=row["case_id"], target=row["target"], kind=kind,
                ticket_id=ref.ticket_id, url=ref.url, case_version=row["version"],
            )  # fmt: skip
            record_audit(
                conn, actor=actor, action="ticket.created", subject_type="case",
                subject_id=row["case_id"],
                summary=f"{NAMES.get(kind, kind)} ticket #{ref.ticket_id} on {row['target']}",
                detail={"target": row["target"], "ticket_id": ref.ticket_id, "kind": kind},
            )  # fmt: skip
            changes.append(SyncChange(row["case_id"], row["target"], ref.ticket_id, "tracked"))
    return changes


def sync_tickets(
    engine: Engine,
    targets: Sequence[Target],
    *,
    actor: str = "system",
    follow_up_days: Sequence[int] | None = None,
    only: str | None = None,
    clock: Callable[[], datetime] = utcnow,
    clients: Callable[[HelpdeskTarget], HelpdeskClient] = client_for,
) -> SyncReport:
    """Track new tickets, then bring each ticket's state back to its case (and back)."""
    report = SyncReport()
    usable = []
    for target in helpdesk_targets(targets):
        if only is not None and target.name != only:
            continue
        if target.problem is not None:
            report.problems.append(f"{target.name}: {target.problem}")
            continue
        usable.append(target)
    if not usable:
        return report
    report.changes += track_sent(engine, usable, actor=actor)
    for target in usable:
        with engine.connect() as conn:
            rows = tracked_tickets(conn, targets=[target.name])
        client = clients(target)
        try:
            for row in rows:
                if _settled(row):
                    continue
                report.checked += 1
                try:
                    change = _sync_one(engine, client, target, row, actor, follow_up_days, clock)
                except HelpdeskError as exc:
                    with engine.begin() as conn:
                        save_sync(conn, ticket_row=row["id"], last_error=str(exc)[:1000])
                    report.changes.append(
                        SyncChange(row["case_id"], target.name, row["ticket_id"], "error", str(exc))
                    )
                    if exc.retry_after is not None:
                        report.problems.append(f"{target.name}: {exc}")
                        break  # rate limited: the rest waits for the next sync
                    continue
                if change is not None:
                    report.changes.append(change)
        finally:
            close = getattr(client, "close", None)
            if close is not None:
                close()
    return report


def _settled(row: dict[str, Any]) -> bool:
    """A closed ticket (final in Zendesk and Freshdesk) of a closed case nobody touched since:
    not read again (a case reopened here is)."""
    return (
        row["last_status"] == "closed"
        and row["case_status"] in CLOSED_CASE_STATUSES
        and row["current_version"] == row["case_version"]
        and not row["conflict"]
    )


def _sync_one(
    engine: Engine,
    client: HelpdeskClient,
    target: HelpdeskTarget,
    row: dict[str, Any],
    actor: str,
    follow_up_days: Sequence[int] | None,
    clock: Callable[[], datetime],
) -> SyncChange | None:
    state = client.ticket_state(TicketRef(row["ticket_id"], row["url"]), with_note=False)
    now = clock()
    case_closed = row["case_status"] in CLOSED_CASE_STATUSES
    ticket_done = state.status in DONE
    changed_here = row["current_version"] != row["case_version"]
    changed_there = state.status != row["last_status"]
    seen = {
        "last_status": state.status, "raw_status": state.raw_status[:40],
        "remote_updated_at": state.updated_at, "synced_at": now, "last_error": None,
    }  # fmt: skip
    name = NAMES.get(target.kind, target.kind)
    what = f"{name} ticket #{row['ticket_id']}"

    def change(kind: str, detail: str) -> SyncChange:
        return SyncChange(row["case_id"], target.name, row["ticket_id"], kind, detail)

    if changed_here and changed_there:
        if ticket_done == case_closed:  # both moved the same way: nothing to settle
            _save(
                engine,
                row,
                actor,
                {
                    **seen,
                    "case_version": row["current_version"],
                    "conflict": False,
                    "conflict_detail": None,
                },
                f"{what} and the case agree ({state.raw_status}, {row['case_status']})",
            )
            return change("agreed", f"{state.raw_status} / {row['case_status']}")
        if row["conflict"]:
            _save(engine, row, None, {"synced_at": now, "last_error": None})
            return None
        detail = (
            f"{what} is {state.raw_status} in {name}, but the case was changed here since the "
            f"last sync (now {row['case_status']}); neither side was overwritten"
        )
        with engine.begin() as conn:
            save_sync(conn, ticket_row=row["id"], conflict=True, conflict_detail=detail,
                      synced_at=now, last_error=None)  # fmt: skip
            add_case_event(conn, case_id=row["case_id"], actor=f"helpdesk:{target.name}",
                           kind="helpdesk", message=f"conflict: {detail}",
                           data={"target": target.name, "ticket_id": row["ticket_id"],
                                 "ticket_status": state.raw_status})  # fmt: skip
            _audit(conn, row, actor, "conflict", f"conflict with {what}")
        return change("conflict", detail)

    if changed_there:
        if ticket_done and not case_closed:
            noted = client.ticket_state(TicketRef(row["ticket_id"], row["url"]))  # + its note
            return _apply(engine, target, row, noted, actor, follow_up_days, seen, "resolved")
        if not ticket_done and case_closed:
            return _apply(engine, target, row, state, actor, follow_up_days, seen, "reopened")
        _save(engine, row, None, seen)
        return None

    if changed_here:
        values: dict[str, Any] = {**seen, "case_version": row["current_version"],
                                  "conflict": False, "conflict_detail": None}  # fmt: skip
        if case_closed and not ticket_done and row["resolved_note_at"] is None:
            text = f"{NOTE_PREFIX}case #{row['case_id']} was {row['case_status']} in Grapevine."
            client.add_note(TicketRef(row["ticket_id"], row["url"]), text)
            values["resolved_note_at"] = now
            with engine.begin() as conn:
                save_sync(conn, ticket_row=row["id"], **values)
                add_case_event(
                    conn,
                    case_id=row["case_id"],
                    actor=f"helpdesk:{target.name}",
                    kind="helpdesk",
                    message=f"note added to {what}",
                    data={"target": target.name, "ticket_id": row["ticket_id"]},
                )
                _audit(conn, row, actor, "noted", f"note added to {what}")
            return change("noted", f"case {row['case_status']}")
        if not case_closed:
            values["resolved_note_at"] = None  # a later resolution notes the ticket again
        _save(engine, row, None, values)
        return None

    if row["conflict"] and ticket_done == case_closed:
        _save(engine, row, actor, {**seen, "conflict": False, "conflict_detail": None},
              f"conflict with {what} settled")  # fmt: skip
        return change("agreed", "")
    _save(engine, row, None, seen)
    return None


def _apply(
    engine: Engine,
    target: HelpdeskTarget,
    row: dict[str, Any],
    state: TicketState,
    actor: str,
    follow_up_days: Sequence[int] | None,
    seen: dict[str, Any],
    outcome: str,
) -> SyncChange | None:
    name = NAMES.get(target.kind, target.kind)
    what = f"{name} ticket #{row['ticket_id']}"
    if outcome == "resolved":
        note = f"{what} was {state.raw_status} in {name}"
        note += f": {state.last_note}" if state.last_note else "."
        status = "resolved"
    else:
        note = f"{what} was reopened in {name} ({state.raw_status})"
        status = "in_progress"
    try:
        saved = update_case(
            engine, row["case_id"], version=row["current_version"],
            actor=f"helpdesk:{target.name}", change=Change(status=status, note=note),
            follow_up_days=follow_up_days,
        )  # fmt: skip
    except CaseConflict:
        return None  # changed here while syncing: the next sync sees both sides
    except CaseError as exc:
        log.warning("case %s: %s", row["case_id"], exc)
        return None
    values = {**seen, "case_version": saved.version, "conflict": False, "conflict_detail": None}
    # resolved there: no "resolved in Grapevine" note back; reopened: the next one may go
    values["resolved_note_at"] = seen["synced_at"] if outcome == "resolved" else None
    _save(engine, row, actor, values, f"case {outcome} from {what}")
    return SyncChange(row["case_id"], target.name, row["ticket_id"], outcome, state.raw_status)


def _save(
    engine: Engine,
    row: dict[str, Any],
    actor: str | None,
    values: dict[str, Any],
    summary: str = "",
) -> None:
    with engine.begin() as conn:
        save_sync(conn, ticket_row=row["id"], **values)
        if actor is not None:
            _audit(conn, row, actor, "synced", summary)


def _audit(conn: Any, row: dict[str, Any], actor: str, what: str, summary: str) -> None:
    record_audit(
        conn, actor=actor, action="ticket.synced", subject_type="case", subject_id=row["case_id"],
        summary=summary,
        detail={"target": row["target"], "ticket_id": row["ticket_id"], "what": what},
    )  # fmt: skip
