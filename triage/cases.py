"""The case workflow: open a case for each mention that needs attention, then work it.

Statuses: new -> in_progress -> waiting_on_customer -> resolved, or dismissed (with a reason)
from any open status; a closed case can be reopened. Every change is a :class:`CaseEvent`
on the case's timeline. Writes are optimistic: the caller names the version it saw, and a
stale version raises :class:`CaseConflict` carrying the current state (two people editing one
case never overwrite each other silently).
"""

import heapq
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, exists, func, insert, select, update
from sqlmodel import Session, col

from sentiment import priority as priority_of
from storage.models import (
    CASE_STATUSES,
    CLOSED_CASE_STATUSES,
    OPEN_CASE_STATUSES,
    Case,
    CaseEvent,
    Customer,
    CustomerLink,
    Mention,
)
from storage.types import utcnow
from triage.followups import follow_up_values
from triage.policy import TriagePolicy

log = logging.getLogger(__name__)

CASE = Case.__table__  # type: ignore[attr-defined]
EVENT = CaseEvent.__table__  # type: ignore[attr-defined]

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


def due_at(opened: datetime, case_priority: float, policy: TriagePolicy) -> datetime:
    """When a case opened at ``opened`` with ``case_priority`` must have a first action."""
    hours = policy.urgent_sla_hours if case_priority >= policy.urgent_priority else policy.sla_hours
    return opened + timedelta(hours=hours)


def customer_value(lifetime_value: float | None, tier: str | None) -> float:
    """A customer's value in 0..1 for the priority formula (tier or lifetime value)."""
    tiers = {"vip": 1.0, "platinum": 1.0, "gold": 0.75, "silver": 0.5, "bronze": 0.25}
    value = tiers.get((tier or "").strip().lower(), 0.0)
    if lifetime_value:
        value = max(value, min(1.0, float(lifetime_value) / 5000.0))
    return value


#: Mentions read, and cases written, per transaction when opening cases.
OPEN_BATCH = 1000


@dataclass
class Opening:
    """What :func:`open_new_cases` did: the cases it opened and, per source, the flood.

    ``needing[source]``: mentions of the source that needed a case at the start;
    ``waiting[source]``: those left without one because of the per-source cap (they stay
    flagged as needing attention and are opened by the next runs, highest priority first).
    """

    opened: list[int] = field(default_factory=list)
    needing: dict[str, int] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)

    def opened_for(self, source: str) -> int:
        """How many cases were opened for ``source``."""
        return self.needing.get(source, 0) - self.waiting.get(source, 0)


def open_cases(engine: Engine, policy: TriagePolicy, *, now: datetime | None = None) -> list[int]:
    """Open a case for every mention that needs attention and has none (up to the cap)."""
    return open_new_cases(engine, policy, now=now).opened


def _candidates(policy: TriagePolicy) -> list[ColumnElement[bool]]:
    has_case = exists().where(col(Case.mention_id) == col(Mention.id))
    conditions: list[ColumnElement[bool]] = [col(Mention.needs_attention).is_(True), ~has_case]
    if not policy.competitor_cases:
        conditions.append(col(Mention.is_competitor).is_(False))
    return conditions


def _customer_field(field_: Any) -> Any:
    return (
        select(col(field_))
        .join(CustomerLink, col(CustomerLink.customer_id) == col(Customer.id))
        .where(
            col(CustomerLink.mention_id) == col(Mention.id),
            col(CustomerLink.status) == "confirmed",
        )
        .limit(1)
        .correlate(Mention)
        .scalar_subquery()
    )


def _scored(engine: Engine, conditions: list[Any], now: datetime, batch: int) -> Any:
    """(priority, mention id) of every candidate, read in batches of ``batch`` by id."""
    last = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    col(Mention.id),
                    col(Mention.sentiment),
                    col(Mention.complaint_score),
                    col(Mention.rating),
                    col(Mention.reach),
                    col(Mention.published_at),
                    _customer_field(Customer.lifetime_value).label("ltv"),
                    _customer_field(Customer.tier).label("tier"),
                )
                .where(and_(*conditions, col(Mention.id) > last))
                .order_by(col(Mention.id))
                .limit(batch)
            ).all()
        for row in rows:
            score = priority_of(
                sentiment=row.sentiment or 0.0,
                complaint_score=row.complaint_score or 0.0,
                rating=row.rating,
                reach=row.reach,
                customer_value=customer_value(row.ltv, row.tier),
                published_at=row.published_at,
                now=now,
            )
            yield score, row.id
        if len(rows) < batch:
            return
        last = rows[-1].id


def _insert_cases(
    engine: Engine, scored: list[tuple[float, int]], policy: TriagePolicy, now: datetime
) -> list[int]:
    """Open one case per (priority, mention id), with its ``opened`` event; the case ids."""
    if not scored:
        return []
    with engine.begin() as conn:
        ids = (
            conn.execute(
                insert(CASE).returning(CASE.c.id, sort_by_parameter_order=True),
                [
                    {
                        "mention_id": mention_id,
                        "status": "new",
                        "priority": score,
                        "opened_at": now,
                        "updated_at": now,
                        "due_at": due_at(now, score, policy),
                        "version": 1,
                        "follow_ups_done": 0,
                    }
                    for score, mention_id in scored
                ],
            )
            .scalars()
            .all()
        )
        conn.execute(
            insert(EVENT),
            [
                {
                    "case_id": case_id,
                    "at": now,
                    "actor": "grapevine",
                    "kind": "opened",
                    "message": f"opened with priority {score:.2f}",
                    "data": {"priority": score},
                }
                for case_id, (score, _mention) in zip(ids, scored, strict=True)
            ],
        )
    return list(ids)


def open_new_cases(
    engine: Engine,
    policy: TriagePolicy,
    *,
    now: datetime | None = None,
    batch: int = OPEN_BATCH,
) -> Opening:
    """Open cases for mentions that need attention, at most the policy's cap per source.

    **Flood control.** A source that brings more than ``max_new_cases_per_source`` such
    mentions in one run (one noisy feed once brought 52,829) gets that many cases, the
    highest priority first; the rest stay stored and flagged, waiting for the next runs (the
    queue is never flooded by one source and a person can still find them). The caller
    reports the flood (:attr:`Opening.waiting`).

    **Bounded memory.** Candidates are read ``batch`` at a time (by id) and cases written in
    transactions of ``batch``; under a cap only the best ``cap`` are kept (a heap), so memory
    does not grow with the number of mentions. A run that dies half way leaves the cases it
    opened; the next run opens the rest.
    """
    now = now or utcnow()
    conditions = _candidates(policy)
    cap = policy.max_new_cases_per_source
    report = Opening()
    with engine.connect() as conn:
        counts = conn.execute(
            select(col(Mention.source), func.count())
            .where(and_(*conditions))
            .group_by(col(Mention.source))
        ).all()
    for source, needing in sorted(counts):
        report.needing[source] = int(needing)
        where = [*conditions, col(Mention.source) == source]
        if cap <= 0 or needing <= cap:
            pending: list[tuple[float, int]] = []
            for item in _scored(engine, where, now, batch):
                pending.append(item)
                if len(pending) >= batch:
                    report.opened += _insert_cases(engine, pending, policy, now)
                    pending = []
            report.opened += _insert_cases(engine, pending, policy, now)
            continue
        best: list[tuple[float, int]] = []  # a min-heap of the ``cap`` best (ties: older)
        for score, mention_id in _scored(engine, where, now, batch):
            entry = (score, -mention_id)
            if len(best) < cap:
                heapq.heappush(best, entry)
            elif entry > best[0]:
                heapq.heapreplace(best, entry)
        chosen = sorted(((score, -neg) for score, neg in best), reverse=True)
        for start in range(0, len(chosen), batch):
            report.opened += _insert_cases(engine, chosen[start : start + batch], policy, now)
        report.waiting[source] = int(needing) - len(chosen)
        log.warning(
            "flood from %s: %d mentions need attention; %d cases opened, %d waiting",
            source, needing, len(chosen), report.waiting[source],
        )  # fmt: skip
    if report.opened:
        log.info("opened %d cases", len(report.opened))
    return report


def refresh_priorities(engine: Engine, *, now: datetime | None = None) -> int:
    """Recompute the priority of every open case (age and customer links change it)."""
    now = now or utcnow()
    with Session(engine) as session:
        rows = session.execute(
            select(Case, Mention)
            .join(Mention, col(Mention.id) == col(Case.mention_id))
            .where(col(Case.status).in_(OPEN_CASE_STATUSES))
        ).all()
        links: dict[int, Customer] = {
            mention_id: customer
            for mention_id, customer in session.execute(
                select(col(CustomerLink.mention_id), Customer)
                .join(Customer, col(Customer.id) == col(CustomerLink.customer_id))
                .where(col(CustomerLink.status) == "confirmed")
            ).all()
        }
        changed = 0
        for case, mention in rows:
            customer = links.get(mention.id)
            score = priority_of(
                sentiment=mention.sentiment or 0.0,
                complaint_score=mention.complaint_score,
                rating=mention.rating,
                reach=mention.reach,
                customer_value=customer_value(customer.lifetime_value, customer.tier)
                if customer
                else 0.0,
                published_at=mention.published_at,
                now=now,
            )
            if abs(score - case.priority) >= 0.0001:
                session.execute(update(CASE).where(CASE.c.id == case.id).values(priority=score))
                changed += 1
        session.commit()
    return changed


def get_case(engine: Engine, case_id: int) -> Case | None:
    """One case."""
    with Session(engine, expire_on_commit=False) as session:
        return session.get(Case, case_id)


def timeline(engine: Engine, case_id: int) -> list[CaseEvent]:
    """A case's events, oldest first."""
    with Session(engine) as session:
        return list(
            session.execute(
                select(CaseEvent)
                .where(col(CaseEvent.case_id) == case_id)
                .order_by(col(CaseEvent.at), col(CaseEvent.id))
            ).scalars()
        )


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
        case = session.get(Case, case_id)
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
        result = session.execute(
            update(CASE).where(CASE.c.id == case_id, CASE.c.version == version).values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            current = session.get(Case, case_id, populate_existing=True)
            assert current is not None
            raise CaseConflict(current)
        for event in events:
            session.execute(insert(EVENT).values(case_id=case_id, at=now, **event))
        session.commit()
        saved = session.get(Case, case_id, populate_existing=True)
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
