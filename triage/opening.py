"""Opening cases: one for each mention that needs attention, with its priority and due time.

The workflow that follows (statuses, assignment, notes, the timeline) is :mod:`triage.cases`.
"""

import heapq
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from sentiment import priority as priority_of
from storage.models import Customer
from storage.opening import (
    candidate_counts,
    candidate_rows,
    confirmed_customers,
    insert_case_events,
    insert_cases,
    open_cases_with_mentions,
    set_case_priority,
)
from storage.types import utcnow
from triage.audit_trail import audit_cases_opened
from triage.policy import TriagePolicy

log = logging.getLogger(__name__)


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


def _scored(engine: Engine, policy: TriagePolicy, source: str, now: datetime, batch: int) -> Any:
    """(priority, mention id) of every candidate of ``source``, read in batches by id."""
    last = 0
    while True:
        with engine.connect() as conn:
            rows = candidate_rows(
                conn,
                competitor_cases=policy.competitor_cases,
                source=source,
                after_id=last,
                limit=batch,
            )
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
        ids = insert_cases(
            conn,
            rows=[
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
        insert_case_events(
            conn,
            rows=[
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
        audit_cases_opened(conn, case_ids=list(ids))
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
    cap = policy.max_new_cases_per_source
    report = Opening()
    with engine.connect() as conn:
        counts = candidate_counts(conn, competitor_cases=policy.competitor_cases)
    for source, needing in sorted(counts):
        report.needing[source] = int(needing)
        if cap <= 0 or needing <= cap:
            pending: list[tuple[float, int]] = []
            for item in _scored(engine, policy, source, now, batch):
                pending.append(item)
                if len(pending) >= batch:
                    report.opened += _insert_cases(engine, pending, policy, now)
                    pending = []
            report.opened += _insert_cases(engine, pending, policy, now)
            continue
        best: list[tuple[float, int]] = []  # a min-heap of the ``cap`` best (ties: older)
        for score, mention_id in _scored(engine, policy, source, now, batch):
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
        rows = open_cases_with_mentions(session)
        links: dict[int, Customer] = confirmed_customers(session)
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
                set_case_priority(session.connection(), case_id=case.id, priority=score)
                changed += 1
        session.commit()
    return changed
