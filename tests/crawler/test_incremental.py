"""Daily runs are incremental: a second run stops at what the first one stored, for every
paged source type at once; an edited review updates its mention and keeps the old text; the
full mode (``grapevine crawl --full``) pages through everything again.

And incremental runs cannot lose items: a status that reaches the timeline late, dated before
the mark, is read (Mastodon ids, and the overlap window); a crawl stopped at ``max_pages`` is
``partial``, keeps its place in the cursor, and the next runs finish the backlog without
moving the mark past it; a time-only source (Trustpilot) does the same with its overlap."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from crawler_sites import (
    MASTODON_ARRIVALS,
    MastodonTimeline,
    TrustpilotSite,
    load,
    trustpilot_page1,
    trustpilot_page2,
    trustpilot_reviews,
)
from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply
from sqlalchemy import Engine, select
from test_appstore import path as appstore_path
from test_appstore import routes as appstore_routes
from test_hackernews import routes as hn_routes
from test_mastodon import TAG
from test_mastodon import routes as mastodon_routes
from test_reddit import new_posts
from test_schemaorg import _paged_site

from crawler.normalise import parse_time
from storage import make_engine, upgrade
from storage.models import CrawlRun, Mention, MentionRevision, SourceState
from storage.runs import high_water_mark

MENTION = Mention.__table__  # type: ignore[attr-defined]
REVISION = MentionRevision.__table__  # type: ignore[attr-defined]
STATE = SourceState.__table__  # type: ignore[attr-defined]
CRAWL_RUN = CrawlRun.__table__  # type: ignore[attr-defined]
BRANDS = [
    {"name": "Calo", "terms": ["people", "toot", "ssh"], "exclusions": [], "is_competitor": False}
]
TP1 = "/review/calo.app?languages=all&sort=recency"
TP2 = "/review/calo.app?languages=all&page=2&sort=recency"


def sources(base: str) -> list[dict[str, object]]:
    return [
        {"name": "tp", "type": "trustpilot", "domain": "calo.app"},
        {"name": "apps", "type": "appstore", "app_id": "375380948", "countries": ["jp"]},
        {"name": "reddit", "type": "reddit", "subreddits": ["askreddit"]},
        {"name": "hn", "type": "hackernews", "query": "ssh"},
        {"name": "toots", "type": "mastodon", "hashtags": ["gvtest"]},
        {"name": "shop", "type": "schemaorg", "urls": [base + "/p1"], "brand": "Calo"},
    ]


def test_second_runs_stop_at_the_high_water_mark(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    engine = make_engine(url)
    upgrade(engine)
    settings = {"GRAPEVINE_DATABASE_URL": url, "GRAPEVINE_BRANDS": BRANDS}
    with LocalServer() as server:
        base = server.base_url
        server.routes.update(
            {
                TP1: Reply(trustpilot_page1()),
                TP2: Reply(trustpilot_page2()),
                "/r/askreddit/new.json": new_posts,  # type: ignore[dict-item]
                **appstore_routes(),
                **hn_routes(),  # type: ignore[dict-item]
                **mastodon_routes(base),
                **_paged_site(),
            }
        )
        specs = [{**s, "base_url": base} if "urls" not in s else s for s in sources(base)]
        specs = [{**s, "overlap_days": 0} for s in specs]  # exactly at the mark (see below)
        first = {r["name"]: r for r in crawl(specs, settings)}
        after_first = list(server.requests)
        # overnight, the newest Trustpilot review was edited: 5 stars became 2
        server.routes[TP1] = Reply(trustpilot_page1(edit_first="Cold food twice this week."))
        second = {r["name"]: r for r in crawl(specs, settings)}
        after_second = server.requests[len(after_first) :]
        [full] = crawl([specs[-1]], settings, incremental=False)
        after_full = server.requests[len(after_first) + len(after_second) :]

    assert {n: r["status"] for n, r in first.items()} == dict.fromkeys(first, "ok")
    assert {n: r["items_new"] for n, r in first.items()} == {
        "tp": 40,
        "apps": 100,
        "reddit": 18,
        "hn": 34,
        "toots": 20,
        "shop": 4,
    }
    assert {n: r["status"] for n, r in second.items()} == dict.fromkeys(second, "ok")
    assert {n: r["items_new"] for n, r in second.items()} == dict.fromkeys(second, 0)

    def count(requests: list[str], prefix: str) -> int:
        return sum(p.startswith(prefix) for p in requests)

    # each source read one page the second time (Algolia was asked for newer items only)
    assert count(after_first, "/review/") == 2 and count(after_second, "/review/") == 1
    assert count(after_first, "/jp/rss/") == 3 and after_second.count(appstore_path(1)) == 1
    assert count(after_second, "/jp/rss/") == 1
    assert count(after_first, "/r/") == 3 and count(after_second, "/r/") == 1
    assert count(after_first, "/api/v1/search") == 2 and count(after_second, "/api/v1/search") == 1
    assert "numericFilters=created_at_i%3E" in next(p for p in after_second if "search" in p)
    assert count(after_first, TAG) == 3 and count(after_second, TAG) == 1
    assert count(after_first, "/p2") == 1 and count(after_second, "/p2") == 0
    # the full mode pages through everything again, and finds nothing new
    assert count(after_full, "/p2") == 1 and full["items_new"] == 0

    # the edited review: updated in place, the previous text kept in its history
    assert second["tp"]["items_updated"] == 1
    with engine.connect() as conn:
        edited = conn.execute(
            select(MENTION).where(MENTION.c.external_id == "698c6d8cc5a00780babd0c29")
        ).one()
        history = conn.execute(select(REVISION)).all()
    assert edited.text == "Cold food twice this week." and edited.rating == 2.0
    assert edited.needs_attention
    assert len(history) == 1 and history[0].mention_id == edited.id
    assert history[0].text.startswith("The quality of the food") and history[0].rating == 5.0


LARKWOOD = [{"name": "Larkwood", "terms": ["larkwood"], "exclusions": [], "is_competitor": False}]


def _texts(engine: Engine, source: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(select(MENTION.c.text).where(MENTION.c.source == source)).scalars()
        )


def _asked(requests: list[str], tag: str) -> list[dict[str, str]]:
    """The query of each timeline request, in order."""
    return [
        {k: v[0] for k, v in parse_qs(urlparse(p).query).items()}
        for p in requests
        if p.startswith(f"/api/v1/timelines/tag/{tag}")
    ]


def test_a_status_that_arrives_late_dated_before_the_mark_is_collected(
    engine: Engine, db_url: str
) -> None:
    data = load(MASTODON_ARRIVALS)
    settings = {"GRAPEVINE_DATABASE_URL": db_url, "GRAPEVINE_BRANDS": LARKWOOD}
    with LocalServer() as server:
        timeline = MastodonTimeline(server.base_url, "larkwood", data["run1"], cap=10)
        server.routes[timeline.path] = timeline
        spec = {"name": "lark", "type": "mastodon", "base_url": server.base_url}
        spec["hashtags"] = ["larkwood"]
        [first] = crawl([spec], settings)
        mark = high_water_mark(engine, "lark")
        # overnight: newer statuses, and one federated late, published before the mark
        [late] = data["arrive_before_run2"]["late"]
        timeline.arrive([*data["arrive_before_run2"]["newer"], late])
        before = len(server.requests)
        [second] = crawl([spec], settings)
        run2 = _asked(server.requests[before:], "larkwood")

    assert first["status"] == "ok" and first["items_new"] == 12
    assert mark == datetime(2026, 8, 2, 10, 12, tzinfo=UTC)
    late_at = parse_time(late["created_at"])
    assert late_at is not None and mark is not None and late_at < mark  # before the mark...
    assert second["status"] == "ok", second["error"]
    assert second["items_new"] == 4  # ...and stored with the three newer ones
    texts = _texts(engine, "lark")
    assert len(texts) == 16
    assert any("lost my parcel" in t for t in texts)
    # the run read down to the id of (mark - 3 days): no time filter skipped the late one
    assert run2[0]["since_id"] == str(int((mark - timedelta(days=3)).timestamp() * 1000) << 16)
    assert all(q.get("since_id") == run2[0]["since_id"] for q in run2)
    assert high_water_mark(engine, "lark") == datetime(2026, 8, 2, 12, 3, tzinfo=UTC)


def test_a_crawl_stopped_at_max_pages_keeps_its_place(engine: Engine, db_url: str) -> None:
    backlog = load(MASTODON_ARRIVALS)["backlog"]  # 25 statuses: pages of 10, 10 and 5
    settings = {"GRAPEVINE_DATABASE_URL": db_url, "GRAPEVINE_BRANDS": LARKWOOD}
    spec = {"name": "lark", "type": "mastodon", "hashtags": ["larkwood"], "max_pages": 1}
    spec["overlap_days"] = 0  # so that every page read twice is visible below
    runs: list[dict[str, Any]] = []
    asked: list[list[dict[str, str]]] = []
    cursors: list[Any] = []
    with LocalServer() as server:
        timeline = MastodonTimeline(server.base_url, "larkwood", backlog, cap=10)
        server.routes[timeline.path] = timeline
        spec["base_url"] = server.base_url
        for _ in range(4):
            before = len(server.requests)
            [result] = crawl([spec], settings)
            runs.append(result)
            asked.append(_asked(server.requests[before:], "larkwood"))
            with engine.connect() as conn:
                cursors.append(conn.execute(select(STATE.c.cursor)).scalar_one_or_none())
            if len(runs) < 4:
                assert high_water_mark(engine, "lark") is None  # never past the unread part
    reason = "stopped at max_pages=1; the rest continues next run"
    assert [r["status"] for r in runs] == ["partial", "partial", "partial", "ok"]
    assert [r["error"] for r in runs[:3]] == [reason] * 3
    assert [r["items_new"] for r in runs] == [10, 10, 5, 0]
    assert len(set(_texts(engine, "lark"))) == 25  # nothing lost
    ids = [int(s["id"]) for s in backlog]
    # run 1: the newest page; the cursor says where the rest continues
    assert asked[0] == [{"limit": "40"}]
    assert cursors[0]["tag:larkwood"]["gap"] == {"resume": str(ids[9]), "floor": None}
    # runs 2-4: the top (nothing new above it) and one page of the backlog each, each once
    gap_pages = [[q.get("max_id") for q in run if "max_id" in q] for run in asked[1:]]
    assert gap_pages == [[str(ids[9])], [str(ids[19])], [str(ids[24])]]
    assert all(len(run) == 2 for run in asked[1:])
    assert "gap" not in cursors[3]["tag:larkwood"]
    newest = parse_time(backlog[0]["created_at"])
    assert high_water_mark(engine, "lark") == newest
    with engine.connect() as conn:
        summaries = conn.execute(
            select(CRAWL_RUN.c.status, CRAWL_RUN.c.error_summary).order_by(CRAWL_RUN.c.id)
        ).all()
    assert [tuple(s) for s in summaries] == [("partial", reason)] * 3 + [("ok", None)]


def test_a_time_only_source_overlaps_the_mark_and_finishes_its_backlog(
    engine: Engine, db_url: str
) -> None:
    newest = datetime(2026, 3, 10, 12, tzinfo=UTC)
    site = TrustpilotSite(trustpilot_reviews(50, newest, timedelta(hours=6)))  # 3 pages
    settings = {"GRAPEVINE_DATABASE_URL": db_url, "GRAPEVINE_BRANDS": BRANDS}
    runs, pages, marks = [], [], []
    with LocalServer({"/review/calo.app": site}) as server:
        spec = {"name": "tp", "type": "trustpilot", "domain": "calo.app", "max_pages": 1}
        spec["base_url"] = server.base_url
        for n in range(4):
            if n == 3:  # a review held for moderation shows up, a day older than the mark
                [newer, late] = trustpilot_reviews(2, newest + timedelta(days=1), timedelta(days=2))
                late["id"], newer["id"] = "aa" * 12, "bb" * 12  # published 2026-03-09 12:00
                site.publish([late, newer])
            before = len(server.requests)
            [result] = crawl([spec], settings)
            runs.append(result)
            asked = [p for p in server.requests[before:] if p.startswith("/review/")]
            pages.append([int(parse_qs(urlparse(p).query).get("page", ["1"])[0]) for p in asked])
            marks.append(high_water_mark(engine, "tp"))
    assert [r["status"] for r in runs] == ["partial", "partial", "ok", "ok"]
    assert runs[0]["error"] == "stopped at max_pages=1; the rest continues next run"
    assert [r["items_new"] for r in runs] == [20, 20, 10, 2]
    # each run: page 1 (new reviews, and the overlap); the backlog from one page before
    # where it stopped (a page read again, in case reviews were removed), one page a run
    assert pages == [[1], [1, 1, 2], [1, 2, 3], [1]]
    assert marks[:2] == [None, None] and marks[2] == newest
    late_at = parse_time("2026-03-09T12:00:00Z")
    assert late_at is not None and late_at < newest  # the late one: before the mark...
    assert marks[3] == newest + timedelta(days=1)
    assert len(_texts(engine, "tp")) == 52  # ...and stored


def test_a_failed_page_keeps_the_cursor_and_the_mark(engine: Engine, db_url: str) -> None:
    backlog = load(MASTODON_ARRIVALS)["backlog"]
    settings = {"GRAPEVINE_DATABASE_URL": db_url, "GRAPEVINE_BRANDS": LARKWOOD}
    spec = {"name": "lark", "type": "mastodon", "hashtags": ["larkwood"], "max_pages": 1}
    with LocalServer() as server:
        timeline = MastodonTimeline(server.base_url, "larkwood", backlog, cap=10)
        server.routes[timeline.path] = timeline
        spec["base_url"] = server.base_url
        crawl([spec], settings)
        with engine.connect() as conn:
            kept = conn.execute(select(STATE.c.cursor)).scalar_one()
        # the backlog's page now fails: the run is not clean, so nothing moves
        server.routes[timeline.path] = lambda path: (
            Reply("upstream down", status=502) if "max_id" in path else timeline(path)
        )
        [second] = crawl([spec], settings)
    assert second["status"] in ("partial", "failed") and "502" in (second["error"] or "")
    with engine.connect() as conn:
        assert conn.execute(select(STATE.c.cursor)).scalar_one() == kept
    assert kept["tag:larkwood"]["gap"]["resume"] == backlog[9]["id"]
    assert high_water_mark(engine, "lark") is None
