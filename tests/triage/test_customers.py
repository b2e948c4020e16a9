"""Customers are upserted in bulk; new mentions are linked to them (SQLite and PostgreSQL)."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session

from storage.mentions import upsert_mentions
from storage.models import Customer, CustomerLink, Mention
from triage.customers import link_new_mentions, upsert_customers


def mention(external_id: str, author: str, text: str, source_type: str = "feed") -> dict:
    return {
        "source": "s",
        "source_type": source_type,
        "external_id": external_id,
        "url": f"https://example.com/{external_id}",
        "author": author,
        "text": text,
        "content_hash": external_id,
        "published_at": datetime(2026, 11, 1, tzinfo=UTC),
    }


def test_upsert_creates_then_updates(engine) -> None:
    rows = [
        {"external_id": "C1", "name": "Maria Lopez", "tier": "gold", "orders": ["LW-1"]},
        {"external_id": "C2", "name": "Ben Carter", "handles": {"reddit": "bencarter"}},
    ]
    assert upsert_customers(engine, rows).created == 2
    again = upsert_customers(
        engine, [{"external_id": "C1", "name": "Maria López", "extra": {"city": "Leeds"}}]
    )
    assert (again.created, again.updated) == (0, 1)
    with Session(engine) as session:
        maria = session.exec(select(Customer).where(Customer.external_id == "C1")).scalar_one()
        assert maria.name == "Maria López" and maria.extra == {"city": "Leeds"}
        assert maria.orders == []  # the row is the customer's whole record now


def test_link_new_mentions_confirms_and_suggests_once(engine) -> None:
    upsert_customers(
        engine,
        [
            {"external_id": "C1", "name": "Maria Lopez", "orders": ["LW-204518"]},
            {"external_id": "C2", "name": "Lars Eriksen", "handles": {"reddit": "latte_lars"}},
        ],
    )
    upsert_mentions(
        engine,
        [
            mention("1", "Maria Lopez", "Still waiting, order LW-204518"),
            mention("2", "latte_lars", "grinder broke", source_type="reddit"),
            mention("3", "Lars Eriksen", "lovely"),
            mention("4", "nobody", "hello"),
        ],
    )
    counts = link_new_mentions(engine, order_pattern=r"\b(LW-\d{6})\b")
    assert (counts.mentions, counts.confirmed, counts.suggested) == (4, 2, 1)
    with Session(engine) as session:
        links = {
            (link.mention_id, link.method, link.status)
            for link in session.exec(select(CustomerLink)).scalars()
        }
        assert {status for _, _, status in links} == {"confirmed", "suggested"}
        assert ("order" in {m for _, m, _ in links}) and ("name" in {m for _, m, _ in links})
        assert all(m.linked_at is not None for m in session.exec(select(Mention)).scalars())
    # nothing new: nothing to do; a new import makes every mention eligible again
    assert link_new_mentions(engine).mentions == 0
    upsert_customers(engine, [{"external_id": "C3", "name": "Nobody Special"}])
    again = link_new_mentions(engine, order_pattern=r"\b(LW-\d{6})\b")
    assert again.mentions == 4 and again.confirmed == again.suggested == 0
