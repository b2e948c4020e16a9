"""A crawl of hostile items stores or quarantines every one, says so, and keeps its mark.

A real local server answers a Hacker News search with items a database would refuse (a NUL
in the id and so in the URL, a 1000-character author, a lone surrogate in the text, a
publication time out of range), one the database refuses anyway (a trigger,
:mod:`helpers.refusal`) and good ones. The crawl runs in a child process with the
project's settings (analysis worker included) on SQLite and PostgreSQL.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply
from helpers.refusal import MESSAGE, allow, refuse
from sqlalchemy import Engine, select
from sqlmodel import Session

from grapevine.cli import cli
from storage import quarantine
from storage.models import CrawlRun, Mention
from storage.runs import high_water_mark, set_high_water_mark

BRANDS = [{"name": "Slack", "terms": ["Slack"], "exclusions": [], "is_competitor": False}]
MARK = datetime(2024, 1, 1, tzinfo=UTC)
SECRET = "my order 4411 never came"  # review text that must not reach the log


def hit(object_id: str, text: str, author: str = "ann", when: int = 1767225600) -> dict:
    return {
        "objectID": object_id,
        "author": author,
        "comment_text": f"<p>Slack: {text}</p>",
        "created_at_i": when,
        "_tags": ["comment"],
        "points": 3,
    }


def page() -> bytes:
    hits = [
        hit("101", f"good one, {SECRET}"),
        hit("10\x002", "nul in the id"),
        hit("103", "long author", author="A" * 1000),
        hit("104", "broken \ud83d emoji"),
        hit("105", f"refused, {SECRET}"),
        hit("106", "time out of range", when=10**20),
        hit("107", "good two"),
    ]
    body = {"hits": hits, "nbHits": len(hits), "page": 0, "nbPages": 1}
    return json.dumps(body).encode()  # ensure_ascii: the surrogate travels as \ud83d


@pytest.mark.parametrize("workers", [0, 1], ids=["in-process", "worker"])
def test_hostile_items_are_stored_or_quarantined_and_the_crawl_is_partial(
    engine: Engine, db_url: str, workers: int, capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    if workers == 0 and engine.dialect.name != "sqlite":
        pytest.skip("the in-process path is the same code on PostgreSQL")
    refuse(engine, "105")
    set_high_water_mark(engine, "hn", MARK)
    routes = {"/api/v1/search_by_date": Reply(page(), content_type="application/json")}
    with LocalServer(routes) as server:  # type: ignore[arg-type]
        [result] = crawl(
            [{"name": "hn", "type": "hackernews", "query": "slack", "base_url": server.base_url}],
            {
                "GRAPEVINE_DATABASE_URL": db_url,
                "GRAPEVINE_BRANDS": BRANDS,
                "GRAPEVINE_ANALYSIS_WORKERS": workers,
                "LOG_LEVEL": "INFO",
            },
            scrapy_logging=True,
        )
    log = capfd.readouterr().err
    with Session(engine) as session:
        stored = {m.external_id: m for m in session.scalars(select(Mention))}
        run = session.scalars(select(CrawlRun).where(CrawlRun.source == "hn")).one()
    assert set(stored) == {"101", "102", "103", "104", "106", "107"}
    assert stored["102"].url == "https://news.ycombinator.com/item?id=102"
    assert stored["103"].author is not None and stored["103"].author.endswith("…")
    assert stored["104"].text == "Slack: broken \ufffd emoji"
    held = {q["external_id"]: q for q in quarantine.list_items(engine)}
    assert stored["106"].published_estimated  # a time out of range is no time
    assert set(held) == {"105"}
    assert held["105"]["stage"] == "store" and MESSAGE in held["105"]["reason"]
    assert all(q["crawl_run_id"] == run.id for q in held.values())
    # the source says it lost something, why, and where to look; its mark did not move
    assert result["status"] == "partial" and run.status == "partial"
    assert run.items_quarantined == 1 and run.items_new == 6
    summary = run.error_summary or ""
    assert "1 item quarantined: " in summary and MESSAGE in summary
    assert "see `grapevine quarantine list`" in summary
    assert high_water_mark(engine, "hn") == MARK
    # the log (INFO) names the items, never their text
    assert "quarantined" in log
    assert SECRET not in log and "good two" not in log
    # once the cause is fixed, the crawled item is stored from the quarantine
    allow(engine)
    config = tmp_path / "grapevine.toml"
    config.write_text('[brand]\nname = "Slack"\nterms = ["Slack"]\n')
    retried = CliRunner().invoke(
        cli,
        ["quarantine", "retry", "--config", str(config), "--source", "hn"],
        env={"GRAPEVINE_DATABASE_URL": db_url},
    )
    assert retried.exit_code == 0 and "1 stored, 0 still quarantined" in retried.output
    with Session(engine) as session:
        again = session.scalars(select(Mention).where(Mention.external_id == "105")).one()
    assert again.text == f"Slack: refused, {SECRET}" and again.brand == "Slack"
    assert again.complaint and again.needs_attention  # analysed as the crawl would have
    assert quarantine.open_counts(engine) == {}


def test_a_database_that_cannot_take_the_batch_loses_nothing_silently(
    sqlite_engine: Engine, capfd: pytest.CaptureFixture[str]
) -> None:
    """The mention table is gone (a real OperationalError on every write): the items are not
    quarantined as if they were bad, they are counted as failed and the source is not ok."""
    url = sqlite_engine.url.render_as_string(hide_password=False)
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql("DROP TABLE mention")
    set_high_water_mark(sqlite_engine, "hn", MARK)
    routes = {"/api/v1/search_by_date": Reply(page(), content_type="application/json")}
    with LocalServer(routes) as server:  # type: ignore[arg-type]
        [result] = crawl(
            [{"name": "hn", "type": "hackernews", "query": "slack", "base_url": server.base_url}],
            {
                "GRAPEVINE_DATABASE_URL": url,
                "GRAPEVINE_BRANDS": BRANDS,
                "GRAPEVINE_ANALYSIS_WORKERS": 0,
                "LOG_LEVEL": "INFO",
            },
            scrapy_logging=True,
        )
    log = capfd.readouterr().err
    with Session(sqlite_engine) as session:
        run = session.scalars(select(CrawlRun).where(CrawlRun.source == "hn")).one()
    assert result["status"] != "ok" and run.status == result["status"]
    assert run.items_failed == 7 and run.items_new == 0 and run.items_quarantined == 0
    assert "7 items not stored (database unavailable)" in (run.error_summary or "")
    assert quarantine.list_items(sqlite_engine) == []
    assert high_water_mark(sqlite_engine, "hn") == MARK
    assert "could not store 7 mentions: OperationalError" in log
    assert SECRET not in log and "good two" not in log


class Unreadable:
    """A field value whose text cannot be had: the normaliser raises on it."""

    def __str__(self) -> str:
        raise ValueError("no text")


def test_an_item_a_pipeline_raises_on_is_quarantined_not_swallowed(
    engine: Engine, db_url: str
) -> None:
    from scrapy.exceptions import DropItem
    from scrapy.utils.test import get_crawler

    from crawler.items import MentionItem
    from crawler.pipelines import NormalisePipeline

    crawler = get_crawler(settings_dict={"GRAPEVINE_DATABASE_URL": db_url})
    pipeline = NormalisePipeline.from_crawler(crawler)
    item = MentionItem(
        source="hn",
        source_type="hackernews",
        external_id="201",
        url="https://example.com/201",
        author="ann",
        text=Unreadable(),
    )
    with pytest.raises(DropItem, match="quarantined at normalise: ValueError: no text"):
        pipeline.process_item(item)
    [held] = quarantine.list_items(engine)
    assert (held["external_id"], held["stage"]) == ("201", "normalise")
    assert held["item"]["text"] == "<unreadable Unreadable>" and held["item"]["author"] == "ann"
    assert crawler.stats is not None
    assert crawler.stats.get_value("grapevine/items_quarantined") == 1
