"""Every row handed to storage comes back counted; one that does not is lost, never "ok".

A storage worker that never answers (a pool broken in a forked process, a batch dropped on
the floor) used to leave a crawl that read 2 items and stored none saying ``ok``. The storage
pipeline now counts what it hands over (``grapevine/items_to_store``), and the outcome checks
that each row came back as new, updated, unchanged, quarantined, forgotten or failed.
"""

import json
from types import SimpleNamespace

import pytest
from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from crawler.extensions import crawl_outcome, items_lost, items_unconfirmed
from storage.models import CrawlRun, Mention

BRANDS = [{"name": "Slack", "terms": ["Slack"], "exclusions": [], "is_competitor": False}]


def test_rows_that_never_come_back_counted_make_the_crawl_partial() -> None:
    spider = SimpleNamespace(problems=[], monitor_results={})
    stats = {"item_scraped_count": 2, "grapevine/items_to_store": 2}
    status, _, summary = crawl_outcome(spider, stats, "finished")  # type: ignore[arg-type]
    assert items_unconfirmed(stats) == 2 and items_lost(stats) == 2
    assert status == "partial"
    assert summary is not None and "2 items not confirmed stored" in summary
    stats |= {"grapevine/items_new": 1, "grapevine/items_quarantined": 1}
    assert items_unconfirmed(stats) == 0
    assert crawl_outcome(spider, stats, "finished")[0] == "partial"  # the quarantined one
    stats = {"item_scraped_count": 3, "grapevine/items_to_store": 3, "grapevine/items_new": 2}
    stats["grapevine/items_repeated"] = 1  # served twice in one batch, stored once
    assert crawl_outcome(spider, stats, "finished")[0] == "ok"
    assert items_unconfirmed({"item_scraped_count": 5}) == 0  # no storage: nothing to check


@pytest.mark.parametrize("workers", [0, 1], ids=["in-process", "worker"])
def test_an_item_served_twice_in_one_page_is_stored_once_and_the_crawl_is_ok(
    sqlite_engine: Engine, workers: int
) -> None:
    sqlite_url = sqlite_engine.url.render_as_string(hide_password=False)
    hit = {
        "objectID": "201",
        "author": "ann",
        "comment_text": "<p>Slack lost my messages again</p>",
        "created_at_i": 1767225600,
        "_tags": ["comment"],
        "points": 3,
    }
    other = dict(hit, objectID="202", comment_text="<p>Slack is fine today</p>")
    body = {"hits": [hit, other, hit], "nbHits": 3, "page": 0, "nbPages": 1}
    routes = {
        "/api/v1/search_by_date": Reply(json.dumps(body).encode(), content_type="application/json")
    }
    with LocalServer(routes) as server:  # type: ignore[arg-type]
        [result] = crawl(
            [{"name": "hn", "type": "hackernews", "query": "slack", "base_url": server.base_url}],
            {
                "GRAPEVINE_DATABASE_URL": sqlite_url,
                "GRAPEVINE_BRANDS": BRANDS,
                "GRAPEVINE_ANALYSIS_WORKERS": workers,
            },
        )
    with Session(sqlite_engine) as session:
        stored = session.scalar(select(func.count()).select_from(Mention))
        run = session.scalars(select(CrawlRun).where(CrawlRun.source == "hn")).one()
    assert stored == 2
    assert result["status"] == "ok" and run.status == "ok", run.error_summary
    assert run.stats.get("grapevine/items_to_store") == run.stats.get("item_scraped_count")
