"""The case workflow: work the case opened for a mention (:mod:`triage.opening` opens them).

Statuses: new -> in_progress -> waiting_on_customer -> resolved, or dismissed (with a reason)
from any open status; a closed case can be reopened. Every change is a :class:`CaseEvent`
on the case's timeline. Writes are optimistic: the caller names the version it saw, and a
stale version raises :class:`CaseConflict` carrying the current state (two people editing one
case never overwrite each other silently).
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from storage.cases import add_case_event, case_events, load_case, update_case_at_version
from storage.models import (
    CASE_STATUSES,
    CLOSED_CASE_STATUSES,
    Case,
    CaseEvent,
)
from storage.types import utcnow
from triage.audit_trail import audit_case_events
from triage.followups import follow_up_values
from triage.policy import TriagePolicy

log = logging.getLogger(__name__)

#: Allowed status changes (a closed case may be reopened to in_progress).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("in_progress", "waiting_on_customer", "resolved", "dismissed"),
    "in_progress": ("new", "waiting_on_customer", "resolved", "dismissed"),
    "waiting_on_customer": ("in_progress", "resolved", "dismissed"),
    "resolved": ("in_progress",),
    "dismissed": ("in_progress",),
}

#: What a responder can record as done.
ACTIONS = (
    "public reply",
    "private reply",
    "refund",
    "replacement",
    "call",
    "discount",
    "escalated",
    "other",
)
#: The actions that answer the customer (the service level's first response); escalating is
#: a hand-over inside the company, not an answer.
RESPONSE_ACTIONS = frozenset(ACTIONS) - {"escalated"}


class CaseError(ValueError):
    """A change a case does not allow (unknown status, missing reason...)."""


class CaseConflict(Exception):
    """Someone else changed the case since it was read; ``current`` is its state now."""

    def __init__(self, current: Case) -> None:
        self.current = current
        super().__init__(
            f"case {current.id} was changed by someone else (now version {current.version}, "
            f"status {current.status}, assignee {current.assignee or 'nobody'})"
        )


def get_case(engine: Engine, case_id: int) -> Case | None:
    """One case."""
    with Session(engine, expire_on_commit=False) as session:
        return load_case(session, case_id=case_id)


def timeline(engine: Engine, case_id: int) -> list[CaseEvent]:
    """A case's events, oldest first."""
    with Session(engine) as session:
        return case_events(session, case_id=case_id)


@dataclass
class Change:
    """What a responder changes on a case (``None``: leave as is)."""

    status: str | None = None
    assignee: str | None = None
    unassign: bool = False
    note: str | None = None
    action: str | None = None
    dismissed_reason: str | None = None
    follow_up_at: datetime | None = None
    follow_up_done: bool = False
    clear_follow_up: bool = False


def _events_for(
    case: Case, change: Change, actor: str, follow_up_days: Sequence[int] = (30, 60, 90)
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    values: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    if change.status is not None and change.status != case.status:
        if change.status not in CASE_STATUSES:
            raise CaseError(f"unknown status {change.status!r}; one of {', '.join(CASE_STATUSES)}")
        if change.status not in TRANSITIONS[case.status]:
            raise CaseError(f"a {case.status} case cannot become {change.status}")
        if change.status == "dismissed" and not (change.dismissed_reason or "").strip():
            raise CaseError("dismissing a case needs a reason")
        values["status"] = change.status
        if change.status == "dismissed":
            values["dismissed_reason"] = change.dismissed_reason
        if change.status in CLOSED_CASE_STATUSES:
            values["resolved_at"] = utcnow()
        elif case.status in CLOSED_CASE_STATUSES:
            values["resolved_at"] = None
        values.update(
            follow_up_values(case.status, change.status, values.get("resolved_at"), follow_up_days)
        )
        message = f"{case.status} → {change.status}"
        if change.status == "dismissed":
            message += f": {change.dismissed_reason}"
        events.append(
            {
                "kind": "status",
                "message": message,
                "data": {"from": case.status, "to": change.status},
            }
        )
    if change.unassign and case.assignee is not None:
        values["assignee"] = None
        events.append({"kind": "assigned", "message": "unassigned", "data": {"to": None}})
    elif change.assignee is not None and change.assignee != case.assignee:
        values["assignee"] = change.assignee
        events.append(
            {
                "kind": "assigned",
                "message": f"assigned to {change.assignee}",
                "data": {"to": change.assignee},
            }
        )
    if change.action:
        values["action_taken"] = change.action
        events.append(
            {"kind": "action", "message": change.action, "data": {"action": change.action}}
        )
    if change.note and change.note.strip():
        events.append({"kind": "note", "message": change.note.strip(), "data": {}})
    if change.follow_up_done:
        done = case.follow_ups_done + 1
        values["follow_ups_done"] = done
        events.append(
            {"kind": "follow_up", "message": f"follow-up #{done} done", "data": {"done": done}}
        )
        if change.follow_up_at is None:
            values["follow_up_at"] = None
    if change.clear_follow_up and change.follow_up_at is None and case.follow_up_at is not None:
        values["follow_up_at"] = None
        events.append({"kind": "follow_up", "message": "follow-up cleared", "data": {"at": None}})
    if change.follow_up_at is not None:
        values["follow_up_at"] = change.follow_up_at
        events.append(
            {
                "kind": "follow_up",
                "message": f"follow-up set for {change.follow_up_at:%Y-%m-%d}",
                "data": {"at": change.follow_up_at.isoformat()},
            }
        )
    for event in events:
        event["actor"] = actor
    return values, events


def next_follow_up(
    resolved_at: datetime | None,
    done: int,
    follow_up_days: Sequence[int],
    *,
    now: datetime | None = None,
) -> datetime | None:
    """When the next 30/60/90-day review is due after ``done`` reviews (``None``: all done).

    The days count from the resolution (from now for a case that is not resolved); a date
    already past becomes ``now``.
    """
    days = sorted(follow_up_days)
    if done >= len(days):
        return None
    now = now or utcnow()
    return max((resolved_at or now) + timedelta(days=days[done]), now)


def update_case(
    engine: Engine,
    case_id: int,
    *,
    version: int,
    actor: str,
    change: Change,
    follow_up_days: Sequence[int] | None = None,
) -> Case:
    """Apply ``change`` to a case the caller saw at ``version``; return the case as saved.

    Raises :class:`CaseConflict` when the case moved on since, and :class:`CaseError` when
    the change is not allowed. Nothing is written in either case. Resolving a case schedules
    its first follow-up ``follow_up_days[0]`` days later (default: the policy's 30, 60, 90).
    """
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        case = load_case(session, case_id=case_id)
        if case is None:
            raise CaseError(f"there is no case {case_id}")
        if case.version != version:
            raise CaseConflict(case)
        days = TriagePolicy().follow_up_days if follow_up_days is None else follow_up_days
        values, events = _events_for(case, change, actor, days)
        if not values and not events:
            return case
        # the first response is a reply or a contact recorded, not an assignment, a note or
        # a status change ("Take it" must not mark the service level answered)
        answered = any(
            e["kind"] == "action" and e["data"].get("action") in RESPONSE_ACTIONS for e in events
        )
        if answered and case.first_action_at is None and actor != "grapevine":
            values["first_action_at"] = now
        values.update(updated_at=now, version=version + 1)
        if not update_case_at_version(
            session.connection(), case_id=case_id, version=version, values=values
        ):
            session.rollback()
            current = load_case(session, case_id=case_id, fresh=True)
            assert current is not None
            raise CaseConflict(current)
        for event in events:
            add_case_event(session.connection(), case_id=case_id, at=now, **event)
        audit_case_events(session.connection(), case_id=case_id, actor=actor, events=events)
        session.commit()
        saved = load_case(session, case_id=case_id, fresh=True)
        assert saved is not None
        return saved


def bulk_update(
    engine: Engine,
    case_ids: Sequence[int],
    *,
    actor: str,
    change: Change,
    follow_up_days: Sequence[int] | None = None,
) -> tuple[int, list[str]]:
    """Apply one change to many cases at their current versions; (done, problems)."""
    done, problems = 0, []
    for case_id in case_ids:
        case = get_case(engine, case_id)
        if case is None:
            problems.append(f"case {case_id}: not found")
            continue
        try:
            update_case(
                engine,
                case_id,
                version=case.version,
                actor=actor,
                change=change,
                follow_up_days=follow_up_days,
            )
            done += 1
        except (CaseError, CaseConflict) as exc:
            problems.append(f"case {case_id}: {exc}")
    return done, problems
