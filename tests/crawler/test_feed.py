"""The feed spider on a real local server serving the recorded Google Alerts feed."""

from pathlib import Path

from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply, Route

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
    assert result["status"] == "ok", result["error"]
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
    routes: dict[str, Route] = {
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


def _rss(title: str, guid: str, declaration: str | None) -> str:
    head = f'<?xml version="1.0" encoding="{declaration}"?>\n' if declaration else ""
    return (
        f'{head}<rss version="2.0"><channel><title>Feed</title><link>http://f.test/</link>'
        f"<description>d</description><item><guid>{guid}</guid><title>{title}</title>"
        f"<link>http://f.test/{guid}</link><pubDate>Mon, 30 Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>{title}</description></item></channel></rss>"
    )


def test_each_feed_is_decoded_in_its_own_encoding() -> None:
    """Declared, BOM-marked and HTTP-announced encodings, and one bad byte in Shift_JIS."""
    cp1252 = "Slack: 5 € “quoted” — naïve"
    latin1 = "Slack à la carte, señor"
    utf16 = "Slack 日本語 ελληνικά"
    sjis = "Slack 日本語のレビュー"
    bad_sjis = _rss(sjis, "sjis", "shift_jis").encode("shift_jis")
    bad_sjis = bad_sjis.replace("レ".encode("shift_jis"), b"\xff")  # not a Shift_JIS byte
    routes: dict[str, Route] = {
        "/cp1252": Reply(_rss(cp1252, "cp1252", "windows-1252").encode("cp1252")),
        "/latin1": Reply(
            _rss(latin1, "latin1", None).encode("latin-1"),
            content_type="application/rss+xml; charset=ISO-8859-1",
        ),
        "/utf16": Reply(_rss(utf16, "utf16", "utf-16").encode("utf-16")),
        "/sjis": Reply(bad_sjis),
        "/ascii": Reply(_rss(latin1, "ascii", "us-ascii").encode("utf-8")),
        "/ref": Reply(_rss("Slack caf&#233; &#x1F600; &#0; &#xD800;", "ref", "utf-8")),
    }
    with LocalServer(routes) as server:
        [result] = crawl(
            [{"name": "f", "type": "feed", "urls": [server.url(p) for p in routes]}],
            {"GRAPEVINE_BRANDS": BRANDS},
        )
    assert result["status"] == "ok", result["error"]
    titles = {i["external_id"]: i["title"] for i in result["items"]}
    assert titles["cp1252"] == cp1252
    assert titles["latin1"] == latin1
    assert titles["utf16"] == utf16
    assert titles["ascii"] == latin1  # declared ASCII, sent as UTF-8: read as UTF-8
    # the bad byte is marked where it was; the rest of the entry is read in its own encoding
    assert titles["sjis"] == "Slack 日本語の\ufffdビュー"
    # character references XML allows are kept; NUL and a lone surrogate are marked
    assert titles["ref"] == "Slack café 😀 \ufffd \ufffd"
