"""Customer links: evidence that a known customer wrote a mention, and a person's decision.

Strong evidence (a platform handle, an email, a phone or an order number) links at once
(``confirmed`` by the method); weak evidence (a similar name) only ``suggested`` — a person
confirms or rejects it in the dashboard. Every decision is on the case's timeline when the
mention has a case.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from storage.cases import add_case_event, case_id_for_mention
from storage.links import (
    insert_links,
    known_link_pairs,
    load_customer,
    load_link,
    mention_links,
    set_link_status,
)
from storage.models import Customer, CustomerLink
from storage.types import utcnow
from triage.audit_trail import audit_link_decision


@dataclass(frozen=True)
class LinkEvidence:
    """One candidate link found by :mod:`sentiment.linking` (or by a person)."""

    mention_id: int
    customer_id: int
    method: str
    confidence: float
    evidence: str
    confirmed: bool = False


def record_links(engine: Engine, candidates: Iterable[LinkEvidence]) -> int:
    """Store candidate links (existing pairs are left as they are); how many were new."""
    rows = [
        {
            "mention_id": c.mention_id,
            "customer_id": c.customer_id,
            "method": c.method,
            "confidence": c.confidence,
            "evidence": c.evidence,
            "status": "confirmed" if c.confirmed else "suggested",
            "created_at": utcnow(),
            "decided_by": "grapevine" if c.confirmed else None,
            "decided_at": utcnow() if c.confirmed else None,
        }
        for c in candidates
    ]
    if not rows:
        return 0
    with engine.begin() as conn:
        mention_ids = {r["mention_id"] for r in rows}
        known = known_link_pairs(conn, mention_ids=mention_ids)
        fresh: dict[tuple[Any, Any], dict[str, Any]] = {}
        for r in rows:
            key = (r["mention_id"], r["customer_id"])
            if key not in known:
                fresh.setdefault(key, r)
        if not fresh:
            return 0
        insert_links(conn, rows=list(fresh.values()))
        return len(fresh)


def links_for_mention(engine: Engine, mention_id: int) -> list[tuple[CustomerLink, Customer]]:
    """The links of a mention (confirmed first, then by confidence) with their customers."""
    with Session(engine) as session:
        rows = mention_links(session, mention_id=mention_id)
    return list(reversed(rows))


def decide_link(engine: Engine, link_id: int, *, confirm: bool, actor: str) -> CustomerLink:
    """Confirm or reject a link; the decision goes on the case timeline."""
    status = "confirmed" if confirm else "rejected"
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        link = load_link(session, link_id=link_id)
        if link is None:
            raise ValueError(f"there is no customer link {link_id}")
        customer = load_customer(session, customer_id=link.customer_id)
        set_link_status(
            session.connection(), link_id=link_id, status=status, decided_at=now, decided_by=actor
        )
        audit_link_decision(session.connection(), link_id=link_id, mention_id=link.mention_id,
                            customer_id=link.customer_id, status=status, actor=actor)  # fmt: skip
        case_id = case_id_for_mention(session.connection(), mention_id=link.mention_id)
        if case_id is not None:
            name = customer.name if customer else f"customer {link.customer_id}"
            add_case_event(
                session.connection(),
                case_id=case_id,
                at=now,
                actor=actor,
                kind="link",
                message=f"{status} link to {name} ({link.method})",
                data={"customer_id": link.customer_id, "status": status},
            )
        session.commit()
        saved = load_link(session, link_id=link_id, fresh=True)
        assert saved is not None
        return saved
