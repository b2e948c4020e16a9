"""The App Store spider on the recorded customer-review feeds, XML (dated) and JSON."""

import json
from datetime import UTC, datetime

from crawler_sites import (
    APPSTORE_EMPTY_XML,
    APPSTORE_JSON,
    APPSTORE_XML,
    appstore_json_newer,
    appstore_xml_older,
)
from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply

BRANDS = [{"name": "Apple", "terms": ["Apple"], "exclusions": [], "is_competitor": False}]
FEED = "/{cc}/rss/customerreviews/page={n}/id=375380948/sortby=mostrecent/{fmt}"


def path(n: int, fmt: str = "xml", cc: str = "jp") -> str:
    return FEED.format(cc=cc, n=n, fmt=fmt)


def source(server: LocalServer, name: str, fmt: str, **extra: object) -> dict[str, object]:
    return {
        "name": name,
        "type": "appstore",
        "app_id": "375380948",
        "countries": ["jp"],
        "format": fmt,
        "base_url": server.base_url,
        **extra,
    }


def routes() -> dict[str, Reply]:
    return {
        path(1): Reply.fixture(APPSTORE_XML),
        path(2): Reply(appstore_xml_older(40, "9"), content_type="application/xml"),
        path(3): Reply(APPSTORE_EMPTY_XML, content_type="application/xml"),
        path(1, "json"): Reply.fixture(APPSTORE_JSON),
        path(2, "json"): Reply(json.dumps(appstore_json_newer()), content_type="application/json"),
        path(1, "json", "us"): Reply(
            json.dumps({"feed": {"entry": appstore_json_newer()["feed"]["entry"][0]}}),
            content_type="application/json",
        ),
    }


def test_xml_and_json_feeds_with_every_variant() -> None:
    with LocalServer(routes()) as server:
        results = crawl(
            [
                source(server, "apps-xml", "xml"),
                source(server, "apps-json", "json", countries=["jp", "us"], max_pages=2),
            ],
            {"GRAPEVINE_BRANDS": BRANDS},
        )
        asked = list(server.requests)
    by_name = {r["name"]: r for r in results}
    xml = by_name["apps-xml"]
    assert xml["status"] == "ok", xml
    assert path(3) in asked and len(xml["items"]) == 100  # 50 + 50, then an empty page
    review = {i["external_id"]: i for i in xml["items"]}["1248275433"]
    assert review["author"] == "佑介⭐️" and review["rating"] == 1.0
    assert review["title"] == "お気に入り登録" and review["language"] == "ja"
    assert review["text"] == "お気に入り登録できないじゃん。ハートのアイコンどこにあるん。"
    assert review["published_at"] == datetime(2015, 8, 25, 8, 45, tzinfo=UTC)
    assert not review.get("published_estimated")
    assert review["metrics"] == {"votes": 0, "vote_sum": 0, "version": "3.4", "country": "jp"}

    js = by_name["apps-json"]
    # Japan has more pages than max_pages=2: said so, not "ok"
    assert js["status"] == "partial", js["error"]
    assert js["error"] == "stopped at max_pages=2; the rest continues next run"
    # two pages of 50 in Japan (the app's own entry skipped), a lone entry in the US
    assert len(js["items"]) == 101
    [old] = [
        i
        for i in js["items"]
        if i["external_id"] == "1205430410"
        and i["metrics"]["country"] == "jp"
        and i.get("published_estimated")
    ]
    assert old["rating"] == 4.0 and old["author"] == "m.aaa..." and old["title"] == "あまり"
    assert old["published_estimated"]  # the 2015 JSON feed carries no dates
    assert {i["metrics"]["country"] for i in js["items"]} == {"jp", "us"}
    dated = [i for i in js["items"] if not i.get("published_estimated")]
    assert len(dated) == 51  # newer JSON feeds carry ``updated``
