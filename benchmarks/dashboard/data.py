"""Make a big, realistic Grapevine database fast: mentions over a year, cases, links.

SQLAlchemy Core bulk inserts (``executemany`` in chunks, one transaction per table) into a
database upgraded by the real migrations, so the indexes are the ones users get. Seeded:
the same arguments give the same data.

    python benchmarks/dashboard/data.py /tmp/bench.db --mentions 1000000
"""

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text

from storage import make_engine, rollups, upgrade
from storage.models import Case, Customer, CustomerLink, Mention

MENTION = Mention.__table__  # type: ignore[attr-defined]
CASE = Case.__table__  # type: ignore[attr-defined]
CUSTOMER = Customer.__table__  # type: ignore[attr-defined]
LINK = CustomerLink.__table__  # type: ignore[attr-defined]

BRAND = "Larkwood Coffee"
COMPETITORS = ["Beanstalk Roasters", "Copperpot Coffee"]
SOURCES = [
    ("trustpilot", "trustpilot", 0.22, True),
    ("appstore", "appstore", 0.10, True),
    ("google-reviews", "schemaorg", 0.18, True),
    ("reddit", "reddit", 0.16, False),
    ("hackernews", "hackernews", 0.04, False),
    ("mastodon", "mastodon", 0.08, False),
    ("bluesky", "bluesky", 0.10, False),
    ("news", "feed", 0.12, False),
]
ASPECTS = ["delivery", "billing", "customer service", "product quality", "price", "app/website"]
PEOPLE = ["ana", "sam", "lee", "kim", "jo", "alex", "max", "pat"]
FIRST = ["Maria", "James", "Priya", "Tom", "Aisha", "Lukas", "Chloe", "Daniel", "Sofia", "Ben"]
LAST = ["Lopez", "Whitfield", "Natarajan", "Becker", "Rahman", "Meyer", "Martin", "Okafor"]
GOOD = [
    "The coffee is fresh and fragrant, delivery was quick.",
    "Lovely beans, the subscription is easy to change in the app.",
    "Customer care sorted my issue within an hour.",
    "Great value bundle and a handwritten card.",
]
BAD = [
    "Still waiting for my refund after three weeks, support never replied.",
    "My box never arrived and the courier tracking page never updated.",
    "Charged twice for the same order, the chat bot keeps closing.",
    "The grinder broke after a week, nobody answers my emails.",
    "The app logs me out every time I try to skip a delivery.",
    "Price went up again without notice, not worth it anymore.",
]
NEUTRAL = [
    "Switched roasters last month, still comparing.",
    "Anyone tried the new decaf blend?",
    "The company opened a second roastery this year.",
]
CHUNK = 20_000


def _pick_source(rng: random.Random) -> tuple[str, str, bool]:
    roll, total = rng.random(), 0.0
    for name, kind, share, rated in SOURCES:
        total += share
        if roll <= total:
            return name, kind, rated
    name, kind, _share, rated = SOURCES[-1]
    return name, kind, rated


def mentions(count: int, now: datetime, rng: random.Random) -> list[dict[str, Any]]:
    """``count`` mention rows spread over the last year (more recently than long ago)."""
    rows = []
    for i in range(count):
        source, kind, rated = _pick_source(rng)
        days = rng.random() * 365
        published = now - timedelta(days=days)
        competitor = rng.random() < 0.2
        roll = rng.random()
        label = "negative" if roll < 0.25 else "neutral" if roll < 0.45 else "positive"
        text_pool = BAD if label == "negative" else NEUTRAL if label == "neutral" else GOOD
        body = " ".join(rng.sample(text_pool, k=min(2, len(text_pool))))
        rating = None
        if rated:
            rating = float(rng.choice([1, 2]) if label == "negative" else rng.choice([3, 4, 5]))
        aspects = sorted(set(rng.sample(ASPECTS, k=rng.choice([0, 1, 1, 2, 3]))))
        attention = label == "negative" and not competitor
        sentiment = {"negative": -0.6, "neutral": 0.0, "positive": 0.7}[label]
        rows.append(
            {
                "source": source,
                "source_type": kind,
                "external_id": f"{source}-{i}",
                "url": f"https://{source}.example/{i}",
                "author": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "author_handle": None,
                "title": None,
                "text": f"{body} Order LW-{100000 + i % 900000}.",
                "rating": rating,
                "published_at": published,
                "published_estimated": False,
                "fetched_at": published,
                "updated_at": published,
                "reach": rng.randint(0, 5000),
                "metrics": {},
                "brand": rng.choice(COMPETITORS) if competitor else BRAND,
                "is_competitor": competitor,
                "content_hash": f"{i:064x}",
                "raw": {},
                "sentiment": sentiment + rng.uniform(-0.3, 0.3),
                "label": label,
                "complaint": attention,
                "complaint_score": 0.8 if attention else 0.1,
                "aspects": aspects,
                "cues": [],
                "analyser_version": "bench",
                "needs_attention": attention,
            }
        )
    return rows


def cases(
    attention: list[tuple[int, datetime]],
    now: datetime,
    rng: random.Random,
    neglect: float = 0.005,
) -> list[dict[str, Any]]:
    """A case per mention needing attention: the recent ones partly open, and ``neglect``
    (the share of cases older than two weeks that nobody closed) as the old backlog."""
    rows = []
    for mention_id, published in attention:
        opened = published + timedelta(minutes=rng.randint(5, 600))
        if opened > now:
            opened = now
        age_days = (now - opened).total_seconds() / 86400
        closed = rng.random() < (1 - neglect if age_days > 14 else 0.8 if age_days > 2 else 0.3)
        priority = round(rng.random(), 4)
        due = opened + timedelta(hours=4 if priority >= 0.7 else 24)
        acted = closed or rng.random() < 0.4
        first = opened + timedelta(hours=rng.expovariate(1 / 10)) if acted else None
        if first and first > now:
            first = now
        status = (
            (rng.choice(["resolved"] * 9 + ["dismissed"]))
            if closed
            else rng.choice(["new", "in_progress", "waiting_on_customer"])
            if acted
            else "new"
        )
        resolved = (
            min(now, (first or opened) + timedelta(hours=rng.randint(1, 96))) if closed else None
        )
        follow = (
            resolved + timedelta(days=30)
            if resolved and status == "resolved" and age_days < 120
            else None
        )
        rows.append(
            {
                "mention_id": mention_id,
                "status": status,
                "priority": priority,
                "assignee": rng.choice(PEOPLE) if acted or rng.random() < 0.3 else None,
                "opened_at": opened,
                "updated_at": resolved or first or opened,
                "due_at": due,
                "first_action_at": first,
                "resolved_at": resolved,
                "dismissed_reason": "spam" if status == "dismissed" else None,
                "action_taken": rng.choice(["public reply", "refund", "call"]) if acted else None,
                "follow_up_at": follow,
                "follow_ups_done": 0,
                "version": 1,
            }
        )
    return rows


def _bulk(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert in chunks; the table's indexes are dropped for the load and built again after
    (the same definitions the migrations create: a bulk build is much faster)."""
    with engine.begin() as conn:
        for index in table.indexes:
            index.drop(conn)
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(table), rows[start : start + CHUNK])
        for index in table.indexes:
            index.create(conn)


def build(path: Path, count: int, *, neglect: float = 0.005, seed: int = 7) -> dict[str, Any]:
    """Create ``path`` with ``count`` mentions and their cases; what was made and how fast.

    The rollup triggers are off during the load and the rollups rebuilt once after it.
    """
    if path.exists():
        path.unlink()
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("PRAGMA synchronous=OFF"))
        rollups.remove(conn)
    rows = mentions(count, now, rng)
    _bulk(engine, MENTION, rows)
    made_mentions = time.perf_counter() - started
    with engine.connect() as conn:
        attention = [
            (mid, datetime.fromisoformat(pub).replace(tzinfo=UTC))
            for mid, pub in conn.execute(
                text("SELECT id, published_at FROM mention WHERE needs_attention = 1")
            )
        ]
    case_rows = cases(attention, now, rng, neglect)
    _bulk(engine, CASE, case_rows)
    customers = [
        {
            "external_id": f"C-{i}",
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "email": f"customer{i}@example.com",
            "handles": {},
            "extra": {},
            "tier": rng.choice([None, "gold", "silver"]),
            "lifetime_value": rng.randint(0, 3000),
            "created_at": now,
            "updated_at": now,
        }
        for i in range(20_000)
    ]
    _bulk(engine, CUSTOMER, customers)
    linked = rng.sample(attention, k=len(attention) // 20)
    _bulk(
        engine,
        LINK,
        [
            {
                "mention_id": mid,
                "customer_id": rng.randint(1, len(customers)),
                "method": "email",
                "confidence": 1.0,
                "evidence": "",
                "status": "confirmed",
                "created_at": now,
            }
            for mid, _ in linked
        ],
    )
    with engine.begin() as conn:
        rollups.rebuild(conn)
        rollups.install(conn)
        conn.execute(text("ANALYZE"))
    engine.dispose()
    open_count = sum(
        1 for c in case_rows if c["status"] in ("new", "in_progress", "waiting_on_customer")
    )
    return {
        "mentions": count,
        "cases": len(case_rows),
        "open_cases": open_count,
        "links": len(linked),
        "seconds": round(time.perf_counter() - started, 1),
        "mention_seconds": round(made_mentions, 1),
        "size_mb": round(path.stat().st_size / 1e6),
    }


def main() -> None:
    """Build the database named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument(
        "--neglect", type=float, default=0.005, help="Share of old cases left open."
    )
    args = parser.parse_args()
    print(json.dumps(build(args.path, args.mentions, neglect=args.neglect)), file=sys.stdout)


if __name__ == "__main__":
    main()
