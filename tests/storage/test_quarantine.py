"""Every row is stored or quarantined with its reason; one bad field never costs a batch."""

from datetime import UTC, datetime

from helpers.refusal import allow, refuse
from sqlalchemy import Engine, select
from sqlmodel import Session

from storage import quarantine
from storage.mentions import upsert_mentions
from storage.models import Mention
from storage.sanitise import LIMITS, stable_id


def row(external_id: str, body: str = "Great coffee", **extra: object) -> dict[str, object]:
    return {
        "source": "reviews",
        "source_type": "schemaorg",
        "external_id": external_id,
        "url": f"https://example.com/r/{external_id}",
        "author": "Ann",
        "text": body,
        "content_hash": f"h-{external_id}",
        "published_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        **extra,
    }


def mentions(engine: Engine) -> dict[str, Mention]:
    with Session(engine) as session:
        return {m.external_id: m for m in session.scalars(select(Mention))}


def test_a_batch_of_hostile_fields_is_stored_whole(engine: Engine) -> None:
    long_id = "x" * 1000 + "\x00"
    result = upsert_mentions(
        engine,
        [
            row("nul-url", url="https://example.com/\x00evil"),
            row("nul\x00id"),
            row("long-author", author="A" * 1000, author_handle="@" + "h" * 900),
            row("surrogate", "Broken \ud83d emoji and \udc00 more"),
            row(long_id, raw={"k\x00": ["v\x00", {"deep": "\ud800"}]}, metrics={"n\x00": 1}),
            row("good"),
        ],
    )
    assert (result.new, result.quarantined) == (6, 0)
    stored = mentions(engine)
    assert stored["nul-url"].url == "https://example.com/evil"
    assert "nulid" in stored
    author = stored["long-author"].author
    assert author is not None and len(author) == LIMITS["author"] and author.endswith("…")
    assert stored["surrogate"].text == "Broken \ufffd emoji and \ufffd more"
    key = stable_id("x" * 1000, LIMITS["external_id"])
    assert stored[key].raw == {"k": ["v", {"deep": "\ufffd"}]} and stored[key].metrics == {"n": 1}
    assert stored["good"].text == "Great coffee"
    # the same long id on the next run is the same mention, not a new one
    again = upsert_mentions(engine, [row(long_id)])
    assert (again.new, again.unchanged) == (0, 1)


def test_a_row_the_database_refuses_is_quarantined_and_the_rest_stored(engine: Engine) -> None:
    refuse(engine, "bad")
    result = upsert_mentions(
        engine, [row("a"), row("bad", "My private complaint"), row("b")], crawl_run_id=7
    )
    assert (result.new, result.quarantined) == (2, 1)
    assert set(mentions(engine)) == {"a", "b"}
    [item] = quarantine.list_items(engine)
    assert (item["source"], item["external_id"], item["stage"], item["crawl_run_id"]) == (
        "reviews",
        "bad",
        "store",
        7,
    )
    assert "refused by policy" in item["reason"]
    assert "My private complaint" not in item["reason"]
    assert item["item"]["text"] == "My private complaint"  # kept for the retry
    assert quarantine.open_counts(engine) == {"reviews": 1}
    allow(engine)
    again = upsert_mentions(engine, [item["item"]], quarantine_refused=False)
    assert again.new == 1 and not again.refused
    quarantine.resolve(engine, item_id=item["id"], mention_id=again.new_ids[0])
    assert quarantine.open_counts(engine) == {}
    [done] = quarantine.list_items(engine, include_resolved=True)
    assert done["attempts"] == 2 and done["resolved_at"] is not None


def test_in_a_callers_transaction_refused_rows_roll_back_alone(engine: Engine) -> None:
    """With a connection, each row is retried in a savepoint of the caller's transaction."""
    refuse(engine, "bad")
    with engine.begin() as conn:
        result = upsert_mentions(conn, [row("a"), row("bad"), row("b")])
    assert (result.new, result.quarantined) == (2, 1)
    assert set(mentions(engine)) == {"a", "b"}
    assert [q["external_id"] for q in quarantine.list_items(engine)] == ["bad"]
