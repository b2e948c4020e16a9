"""The feed spider on a real local server serving the recorded Google Alerts feed."""

from pathlib import Path

from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply

from storage import make_engine, upgrade
from storage.queries import status_summary

ALERTS = "rss/google_alerts_atom_slack.xml"
BRANDS = [{"name": "Slack", "terms": ["Slack"], "exclusions": [], "is_competitor": False}]


def test_google_alerts_feed_items_and_fields() -> None:
    with LocalServer({"/alerts/feeds/1/2": Reply.fixture(ALERTS)}) as server:
        [result] = crawl(
            [{"name": "alerts", "type": "feed", "urls": [server.url("/alerts/feeds/1/2")]}],
            {"GRAPEVINE_BRANDS": BRANDS},
        )
    assert result["status"] == "ok", result
    items = result["items"]
    assert len(items) == 20
    first = items[0]
    # the redirect link is unwrapped to the article itself
    assert first["url"].startswith("https://www.aglobalmarketresearch.com/report-offers")
    assert first["external_id"] == "tag:google.com,2013:googlealerts/feed:8974135267215335962"
    assert first["title"].startswith("Report offers Prediction of Automotive Slack Market")
    assert "<b>" not in first["title"] and "&nbsp;" not in first["text"]
    assert first["author"] == "www.aglobalmarketresearch.com"  # the feed gives no author
    assert first["published_at"].isoformat() == "2019-07-10T11:53:37+00:00"
    assert first["brand"] == "Slack" and first["analysis"]["label"] in {
        "negative",
        "neutral",
        "positive",
    }


def test_a_general_feed_keeps_only_mentions_of_a_brand() -> None:
    feed = (Path(__file__).parents[1] / "fixtures" / ALERTS).read_text()
    feed = feed.replace("Google Alert - Slack", "Tech news")
    with LocalServer({"/news.xml": Reply(feed, content_type="application/atom+xml")}) as server:
        [result] = crawl(
            [{"name": "news", "type": "feed", "urls": [server.url("/news.xml")]}],
            {
                "GRAPEVINE_BRANDS": [
                    {"name": "Stock", "terms": ["stock"], "exclusions": [], "is_competitor": False}
                ]
            },
        )
    titles = [i["title"] for i in result["items"]]
    assert titles and all(
        "stock" in (t + i["text"]).lower() for t, i in zip(titles, result["items"], strict=True)
    )
    assert len(titles) < 20


def test_a_broken_feed_is_recorded_and_the_other_source_goes_on(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    upgrade(make_engine(url))
    routes = {
        "/good.xml": Reply.fixture(ALERTS),
        "/bad.xml": Reply("oops", status=500),
        "/html.xml": Reply("<html><body>We moved!</body></html>"),
    }
    with LocalServer(routes) as server:
        results = crawl(
            [
                {
                    "name": "good",
                    "type": "feed",
                    "urls": [server.url("/good.xml")],
                    "match_terms": False,
                },
                {"name": "bad", "type": "feed", "urls": [server.url("/bad.xml")]},
                {"name": "html", "type": "feed", "urls": [server.url("/html.xml")]},
            ],
            {"GRAPEVINE_DATABASE_URL": url, "GRAPEVINE_BRANDS": BRANDS},
        )
    by_name = {r["name"]: r for r in results}
    assert by_name["good"]["status"] == "ok" and by_name["good"]["items_new"] == 20
    assert by_name["bad"]["status"] == "failed" and "HTTP 500" in by_name["bad"]["error"]
    assert (
        by_name["html"]["status"] == "failed" and "not an RSS/Atom feed" in by_name["html"]["error"]
    )
    summary = {s["name"]: s for s in status_summary(make_engine(url))["sources"]}
    assert summary["bad"]["last_status"] == "failed" and "HTTP 500" in summary["bad"]["error"]
    assert summary["good"]["items_total"] == 20
