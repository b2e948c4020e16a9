"""A small desk to test against: mentions (one hostile), cases, customers, links, runs."""

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlmodel import Session, col

from storage.mentions import upsert_mentions
from storage.models import Case, Customer, Mention
from storage.runs import finish_crawl_run, start_crawl_run
from storage.types import utcnow
from triage.cases import Change, update_case
from triage.links import LinkEvidence, record_links
from triage.opening import open_cases
from triage.policy import TriagePolicy

HOSTILE_TITLE = "<script>window.__pwned = 1; alert('xss')</script> Scam?"
HOSTILE_TEXT = (
    'Click <a href="http://evil.example/phish">here</a> for a refund '
    '<img src=x onerror="window.__pwned=2;alert(1)"> — I was charged for a box I '
    "cancelled and support never replied. **Avoid** [support](javascript:alert(3))"
)


def mention(key: str, days_ago: float, **values: Any) -> dict[str, Any]:
    """A mention row published ``days_ago`` days ago."""
    row = {
        "source": "review-site",
        "source_type": "schemaorg",
        "external_id": key,
        "url": f"https://reviews.example/{key}",
        "author": f"Author {key}",
        "text": f"Text of {key}",
        "content_hash": key,
        "brand": "Larkwood Coffee",
        "published_at": utcnow() - timedelta(days=days_ago),
        "label": "neutral",
        "sentiment": 0.0,
    }
    row.update(values)
    return row


def unhappy(key: str, days_ago: float, **values: Any) -> dict[str, Any]:
    """A complaint that needs attention."""
    base: dict[str, Any] = {
        "needs_attention": True,
        "complaint": True,
        "complaint_score": 0.8,
        "sentiment": -0.6,
        "label": "negative",
        "rating": 1.0,
    }
    return mention(key, days_ago, **{**base, **values})


def seed_desk(engine: Engine) -> dict[str, int]:
    """Fill ``engine``'s database; return the ids tests refer to."""
    upsert_mentions(
        engine,
        [
            unhappy(
                "maria",
                0.2,
                author="Maria Lopez",
                title="Still waiting for my refund",
                text="Charged again after cancelling. Still waiting for my refund. "
                "Order LW-204518.",
                aspects=["billing", "customer service"],
                cues=["complaint cue: still waiting", "billing: 'refund'"],
                metrics={"item_reviewed": "Larkwood Coffee subscription"},
            ),
            unhappy(
                "hostile",
                1.0,
                author="Ahmed <b>Hassan</b>",
                title=HOSTILE_TITLE,
                text=HOSTILE_TEXT,
                url="javascript:alert(4)",
                aspects=["billing"],
            ),
            unhappy("late", 2.0, author="Daniel Okafor", aspects=["delivery"], rating=2.0),
            unhappy("stale", 3.0, author="Marco Bianchi", aspects=["product quality"]),
            unhappy(
                "rival",
                1.5,
                source="forums",
                source_type="feed",
                author="flatwhite_fan",
                brand="Beanstalk Roasters",
                is_competitor=True,
                aspects=["delivery"],
                rating=None,
            ),
            mention(
                "maria-old",
                40.0,
                author="Maria Lopez",
                text="Lovely beans, quick delivery.",
                label="positive",
                sentiment=0.8,
                rating=5.0,
            ),
            mention("happy", 0.5, author="James", label="positive", sentiment=0.9, rating=5.0),
        ],
    )
    open_cases(engine, TriagePolicy(competitor_cases=True))
    with Session(engine) as session:
        mention_ids = {
            m.external_id: m.id for m in session.execute(select(Mention)).scalars().all()
        }
        case_ids = {
            next(k for k, v in mention_ids.items() if v == c.mention_id): c.id
            for c in session.execute(select(Case)).scalars().all()
        }
        customers = {}
        for ext, name, email, tier in (
            ("C-100", "Maria Lopez", "maria@example.com", "gold"),
            ("C-200", "Ahmed Hassan", "ahmed@example.com", None),
        ):
            customers[ext] = session.execute(
                insert(Customer).values(
                    external_id=ext,
                    name=name,
                    email=email,
                    tier=tier,
                    handles={},
                    extra={},
                    created_at=utcnow(),
                    updated_at=utcnow(),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        session.commit()
    record_links(
        engine,
        [
            LinkEvidence(mention_ids["maria"], customers["C-100"], "order", 1.0, "LW-204518", True),
            LinkEvidence(mention_ids["maria-old"], customers["C-100"], "email", 1.0, "", True),
            LinkEvidence(mention_ids["hostile"], customers["C-200"], "name", 0.72, "similar name"),
        ],
    )
    # a case resolved a month ago whose first review is overdue
    stale = case_ids["stale"]
    with Session(engine) as session:
        version = session.scalar(select(col(Case.version)).where(col(Case.id) == stale))
    update_case(
        engine,
        stale,
        version=version or 1,
        actor="sam",
        change=Change(
            status="resolved",
            action="replacement",
            follow_up_at=utcnow() - timedelta(days=2),
        ),
    )
    ok = start_crawl_run(engine, source="review-site", source_type="schemaorg")
    finish_crawl_run(engine, ok, status="ok", finish_reason="finished", items_new=5, pages=2)
    blocked = start_crawl_run(engine, source="forums", source_type="feed")
    finish_crawl_run(
        engine,
        blocked,
        status="failed",
        finish_reason="finished",
        errors=3,
        error_summary="HTTP 403 ×3",
        monitors={"failed": ["item count: expected at least 1, got 0"]},
    )
    return {
        **{f"case_{k}": v for k, v in case_ids.items()},
        **{f"mention_{k}": v for k, v in mention_ids.items() if v is not None},
        "customer_maria": customers["C-100"],
        "customer_ahmed": customers["C-200"],
    }
