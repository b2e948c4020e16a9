"""Seed mentions and open their cases, for the export and alert tests."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from storage.mentions import upsert_mentions
from storage.models import Case, Mention
from triage.opening import open_cases
from triage.policy import TriagePolicy

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def mention(external_id: str, **overrides: Any) -> dict[str, Any]:
    """A mention of the own brand that needs attention (overrides change any field)."""
    row: dict[str, Any] = {
        "source": "reviews",
        "source_type": "schemaorg",
        "external_id": external_id,
        "url": f"https://reviews.example/r/{external_id}",
        "author": f"Author {external_id}",
        "text": f"Still waiting for my refund ({external_id})",
        "content_hash": external_id,
        "needs_attention": True,
        "sentiment": -0.6,
        "label": "negative",
        "complaint": True,
        "complaint_score": 0.8,
        "aspects": ["billing"],
        "rating": 2.0,
        "brand": "Acme",
        "published_at": NOW - timedelta(hours=3),
        "fetched_at": NOW - timedelta(hours=1),
    }
    row.update(overrides)
    return row


def seed_cases(engine: Engine, rows: list[dict[str, Any]], now: datetime = NOW) -> list[int]:
    """Store ``rows`` and open cases for those needing attention; the case ids in row order."""
    upsert_mentions(engine, rows)
    open_cases(engine, TriagePolicy(competitor_cases=True), now=now)
    with Session(engine) as session:
        found = session.exec(
            select(Mention.external_id, Case.id).join(Case, Case.mention_id == Mention.id)
        ).all()
    by_external = dict(found)
    return [by_external[r["external_id"]] for r in rows if r["external_id"] in by_external]
