"""The Trustpilot spider on the recorded review page: fields, replies, paging, fallbacks, edits."""

from datetime import UTC, datetime
from pathlib import Path

from crawler_sites import (
    TRUSTPILOT,
    trustpilot_jsonld_only,
    trustpilot_page1,
    trustpilot_page2,
)
from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply

BRANDS = [{"name": "Calo", "terms": ["Calo"], "exclusions": [], "is_competitor": False}]
P1 = "/review/calo.app?languages=all&sort=recency"
P2 = "/review/calo.app?languages=all&page=2&sort=recency"


def source(server: LocalServer, domain: str = "calo.app", **extra: object) -> dict[str, object]:
    return {
        "name": f"tp-{domain}",
        "type": "trustpilot",
        "domain": domain,
        "base_url": server.base_url,
        **extra,
    }


def test_reviews_replies_paging_and_fallbacks() -> None:
    routes = {
        P1: Reply(trustpilot_page1(total_pages=2)),
        P2: Reply(trustpilot_page2()),
        "/review/ld.example": Reply(trustpilot_jsonld_only()),
        "/review/moved.example": Reply("<html><body><h1>New look!</h1></body></html>"),
    }
    with LocalServer(routes) as server:
        results = crawl(
            [
                source(server),
                source(server, "ld.example"),
                source(server, "moved.example"),
            ],
            {"GRAPEVINE_BRANDS": BRANDS},
        )
        asked = list(server.requests)
    by_name = {r["name"]: r for r in results}
    main = by_name["tp-calo.app"]
    assert main["status"] == "ok", main
    assert main["pages"] == 2 and asked.count(P2) == 1
    items = {i["external_id"]: i for i in main["items"]}
    assert len(items) == 40  # 20 reviews on each of the two pages
    first = items["698c6d8cc5a00780babd0c29"]
    assert first["url"] == "https://www.trustpilot.com/reviews/698c6d8cc5a00780babd0c29"
    assert first["author"] == "Jav" and first["rating"] == 5.0 and first["language"] == "en"
    assert first["title"].startswith("The quality of the food is super good")
    assert first["text"].startswith("The quality of the food is super good and I")
    assert first["published_at"] == datetime(2026, 2, 11, 13, 52, 44, tzinfo=UTC)
    assert first["reply_text"].startswith("Hi Jav,")
    assert first["reply_at"] == datetime(2026, 2, 11, 14, 0, 18, tzinfo=UTC)
    assert first["metrics"]["country"] == "GB" and first["metrics"]["pending"] is False
    assert first["reach"] == 0 and first["brand"] == "Calo"
    one_star = [i for i in items.values() if i["rating"] == 1.0]
    assert one_star and all(i["analysis"]["needs_attention"] for i in one_star)
    # the older variant of the pending flag (``pending``) is read as well
    assert items["698c6d8cc5a00780babdbeef"]["metrics"]["pending"] is True

    fallback = by_name["tp-ld.example"]
    assert fallback["status"] == "ok" and len(fallback["items"]) == 20
    review = {i["external_id"]: i for i in fallback["items"]}["6988d56056e3801a8681bbb2"]
    assert review["author"] == "Daniel Levy" and review["rating"] == 3.0
    assert review["title"] == "Excellent Food, Patchy Tech" and review["language"] == "en"
    assert "reply_text" not in review  # JSON-LD has no company replies

    moved = by_name["tp-moved.example"]
    assert moved["status"] == "failed" and "no reviews on a Trustpilot page" in moved["error"]


def test_fixture_is_the_recorded_page() -> None:
    # guard: the tests above derive their pages from this recording
    assert (Path(__file__).parents[1] / "fixtures" / TRUSTPILOT).stat().st_size > 600_000
