"""The daily rollups follow every insert, edit and delete of mentions (SQLite and PostgreSQL)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlmodel import Session, col

from storage import rollups
from storage.mentions import upsert_mentions
from storage.models import AspectDay, Mention, MentionDay


def snapshot(engine) -> tuple[set, set]:
    with Session(engine) as session:
        days = {
            (
                d.day,
                d.brand,
                d.is_competitor,
                d.source,
                d.mentions,
                d.positive,
                d.negative,
                round(d.sentiment_sum, 6),
                round(d.rating_sum, 6),
                d.rated,
                d.attention,
            )
            for d in session.execute(select(MentionDay)).scalars()
            if d.mentions
        }
        aspects = {
            (a.day, a.aspect, a.mentions)
            for a in session.execute(select(AspectDay)).scalars()
            if a.mentions
        }
    return days, aspects


def rebuilt(engine) -> tuple[set, set]:
    with engine.begin() as conn:
        rollups.rebuild(conn)
    return snapshot(engine)


def row(key: str, day: datetime, **values) -> dict:
    return {
        "source": values.pop("source", "reviews"),
        "source_type": "schemaorg",
        "external_id": key,
        "text": f"text {key}",
        "content_hash": key,
        "published_at": day,
        **values,
    }


def test_triggers_keep_the_rollups_equal_to_a_rebuild(engine) -> None:
    with engine.connect() as conn:
        assert rollups.installed(conn) == set(rollups.TRIGGERS)
    day = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    upsert_mentions(
        engine,
        [
            row(
                "a",
                day,
                label="negative",
                sentiment=-0.5,
                rating=1.0,
                needs_attention=True,
                aspects=["billing", "delivery"],
                brand="Acme",
            ),
            row("b", day, label="positive", sentiment=0.9, rating=5.0, brand="Acme"),
            row(
                "c",
                day + timedelta(hours=1),
                label="negative",
                needs_attention=True,
                aspects=[],
                brand="Acme",
            ),
            row(
                "d",
                day,
                label="negative",
                needs_attention=True,
                aspects=["billing"],
                brand="Globex",
                is_competitor=True,
                source="forum",
            ),
        ],
    )
    days, aspects = snapshot(engine)
    assert ("2026-11-20", "Acme", False, "reviews", 2, 1, 1, 0.4, 6.0, 2, 1) in days
    assert ("2026-11-21", "Acme", False, "reviews", 1, 0, 1, 0.0, 0.0, 0, 1) in days
    assert aspects == {
        ("2026-11-20", "billing", 1),
        ("2026-11-20", "delivery", 1),
        ("2026-11-21", "(none)", 1),
    }
    assert (days, aspects) == rebuilt(engine)

    # an author edits a rating; a re-analysis changes a label and the aspects
    upsert_mentions(
        engine,
        [
            row(
                "b",
                day,
                label="positive",
                sentiment=0.9,
                rating=2.0,
                brand="Acme",
                text="edited",
                content_hash="b2",
            )
        ],
    )
    with Session(engine) as session:
        session.execute(
            update(Mention)
            .where(col(Mention.external_id) == "a")
            .values(label="neutral", aspects=["price"], needs_attention=True)
        )
        session.execute(delete(Mention).where(col(Mention.external_id) == "c"))
        session.commit()
    days, aspects = snapshot(engine)
    assert ("2026-11-20", "Acme", False, "reviews", 2, 1, 0, 0.4, 3.0, 2, 1) in days
    assert aspects == {("2026-11-20", "price", 1)}
    assert (days, aspects) == rebuilt(engine)


def test_rollups_can_be_removed_for_a_bulk_load_and_rebuilt(engine) -> None:
    with engine.begin() as conn:
        rollups.remove(conn)
        assert rollups.installed(conn) == set()
    upsert_mentions(engine, [row("x", datetime(2026, 1, 2, tzinfo=UTC), label="positive")])
    assert snapshot(engine) == (set(), set())
    with engine.begin() as conn:
        rollups.rebuild(conn)
        rollups.install(conn)
        assert rollups.installed(conn) == set(rollups.TRIGGERS)
    assert len(snapshot(engine)[0]) == 1
