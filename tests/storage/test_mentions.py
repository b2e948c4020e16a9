"""Upserts keyed on (source, external id): re-crawling never duplicates; edits keep history."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from storage.mentions import revisions, upsert_mentions
from storage.models import Mention


def row(external_id: str, text: str = "Great coffee", **extra: object) -> dict[str, object]:
    return {
        "source": "reviews",
        "source_type": "schemaorg",
        "external_id": external_id,
        "url": f"https://example.com/r/{external_id}",
        "author": "Ann",
        "text": text,
        "content_hash": f"h-{text}-{extra.get('rating')}",
        "published_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        **extra,
    }


def count(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Mention)) or 0


def test_new_then_unchanged_then_edited(engine) -> None:
    first = upsert_mentions(engine, [row("1"), row("2"), row("3", rating=2.0)])
    assert (first.new, first.updated, first.unchanged) == (3, 0, 0)
    again = upsert_mentions(engine, [row("1"), row("2", reach=40), row("3", rating=2.0)])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert count(engine) == 3
    edited = upsert_mentions(engine, [row("3", "Still waiting for my refund", rating=1.0)])
    assert (edited.new, edited.updated) == (0, 1)
    with Session(engine) as session:
        mention = session.scalars(select(Mention).where(Mention.external_id == "3")).one()
        reach = session.scalars(select(Mention.reach).where(Mention.external_id == "2")).one()
    assert mention.text == "Still waiting for my refund" and mention.rating == 1.0
    assert reach == 40  # refreshed in place
    history = revisions(engine, mention.id)
    assert [(h.text, h.rating) for h in history] == [("Great coffee", 2.0)]


def test_times_come_back_in_utc(engine) -> None:
    berlin = datetime(2026, 5, 1, 12, 0, tzinfo=UTC) + timedelta(0)
    upsert_mentions(engine, [row("tz", published_at=berlin.astimezone(UTC))])
    with Session(engine) as session:
        stored = session.scalars(select(Mention.published_at)).one()
    assert stored == berlin and stored.tzinfo is not None


def test_large_batches_and_duplicate_keys_in_one_batch(engine) -> None:
    rows = [row(str(i), f"text {i}") for i in range(1500)] + [row("7", "text 7 edited")]
    result = upsert_mentions(engine, rows)
    assert result.new == 1500 and count(engine) == 1500
    with Session(engine) as session:
        text = session.scalars(select(Mention.text).where(Mention.external_id == "7")).one()
    assert text == "text 7 edited"  # the last row for a key wins


def test_short_fields_are_cleaned_and_cut_text_never(engine) -> None:
    from storage.sanitise import LIMITS, stable_id

    long_text = "Still waiting.\n\n" + "word " * 5000
    result = upsert_mentions(
        engine,
        [
            row(
                "c1",
                long_text,
                author="Ann\x07\x1b[31m Lee",
                language="en" * 30,
                reach=10**12,
                url="https://example.com/" + "p" * 5000,
            )
        ],
    )
    assert result.new == 1
    with Session(engine) as session:
        stored = session.scalars(select(Mention)).one()
    assert stored.text == long_text  # never cut
    assert stored.url is not None and len(stored.url) > 5000
    assert stored.author == "Ann[31m Lee"  # control characters gone, the rest kept
    assert stored.language is not None and len(stored.language) == LIMITS["language"]
    assert stored.language.endswith("…")
    assert stored.reach == 2**31 - 1
    assert stable_id("a" * 500, 400) == stable_id("a" * 500, 400) != stable_id("a" * 501, 400)
    assert len(stable_id("a" * 500, 400)) == 400
