"""Daily runs are incremental: a second run stops at what the first one stored, for every
paged source type at once; an edited review updates its mention and keeps the old text; the
full mode (``grapevine crawl --full``) pages through everything again."""

from pathlib import Path

from crawler_sites import trustpilot_page1, trustpilot_page2
from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply
from sqlalchemy import select
from test_appstore import path as appstore_path
from test_appstore import routes as appstore_routes
from test_hackernews import routes as hn_routes
from test_mastodon import TAG
from test_mastodon import routes as mastodon_routes
from test_reddit import new_posts
from test_schemaorg import _paged_site

from storage import make_engine, upgrade
from storage.models import Mention, MentionRevision

MENTION = Mention.__table__  # type: ignore[attr-defined]
REVISION = MentionRevision.__table__  # type: ignore[attr-defined]
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
