"""The triage queue page, empty and seeded (Streamlit AppTest)."""

from datetime import UTC, datetime

from storage.mentions import upsert_mentions
from triage.cases import open_cases
from triage.policy import TriagePolicy


def seed(engine, count: int = 3) -> None:
    upsert_mentions(
        engine,
        [
            {
                "source": "reviews",
                "source_type": "schemaorg",
                "external_id": str(i),
                "url": "https://x",
                "author": f"Author {i}",
                "text": f"Still waiting for refund {i}",
                "content_hash": str(i),
                "needs_attention": True,
                "sentiment": -0.3 * i,
                "published_at": datetime(2026, 11, 1, tzinfo=UTC),
            }
            for i in range(count)
        ],
    )
    open_cases(engine, TriagePolicy())


def test_empty_queue(app) -> None:
    at = app().run()
    assert not at.exception
    assert "No open cases" in at.info[0].value


def test_seeded_queue_lists_cases_by_priority(app, sqlite_engine) -> None:
    seed(sqlite_engine)
    at = app().run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame["Author"]) == ["Author 2", "Author 1", "Author 0"]
    assert "3 open cases" in at.caption[-1].value or any(
        "3 open cases" in c.value for c in at.caption
    )
