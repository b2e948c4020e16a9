"""The schema.org spider on recorded pages: JSON-LD, microdata, pagination, stop at seen."""

from datetime import UTC, datetime
from pathlib import Path

from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply

from storage import make_engine, upgrade

BRANDS = [{"name": "Acme", "terms": ["Acme"], "exclusions": [], "is_competitor": False}]
MICRODATA = "schemaorg/schemaorg_eg-0010_product_reviews_microdata.html"
JSONLD = "schemaorg/extruct_CreativeWork.001_book_reviews_jsonld.html"


def source(url: str, **extra: object) -> dict[str, object]:
    return {"name": "reviews", "type": "schemaorg", "urls": [url], "brand": "Acme", **extra}


def test_microdata_reviews_with_ratings() -> None:
    with LocalServer({"/p": Reply.fixture(MICRODATA)}) as server:
        [result] = crawl([source(server.url("/p"))], {"GRAPEVINE_BRANDS": BRANDS})
    items = {i["author"]: i for i in result["items"]}
    assert set(items) == {"Ellie", "Lucas"}
    ellie = items["Ellie"]
    assert ellie["title"] == "Not a happy camper" and ellie["rating"] == 1.0
    assert ellie["text"] == "The lamp burned out and now I have to replace it."
    assert ellie["published_at"] == datetime(2011, 4, 1, tzinfo=UTC)
    assert ellie["metrics"] == {"item_reviewed": 'Kenmore White 17" Microwave'}
    assert ellie["analysis"]["label"] == "negative" and ellie["analysis"]["needs_attention"]
    assert items["Lucas"]["rating"] == 4.0 and items["Lucas"]["analysis"]["label"] == "positive"


def test_jsonld_reviews_with_a_bare_rating_string() -> None:
    with LocalServer({"/book": Reply.fixture(JSONLD)}) as server:
        [result] = crawl([source(server.url("/book"))], {"GRAPEVINE_BRANDS": BRANDS})
    items = {i["author"]: i for i in result["items"]}
    assert items["John Doe"]["rating"] == 5.0 and items["Bob Smith"]["rating"] == 4.0
    assert items["Bob Smith"]["title"] == "A good read."


def _paged_site() -> dict[str, Reply]:
    body = (Path(__file__).parents[1] / "fixtures" / MICRODATA).read_text()
    page2 = (
        body.replace("Ellie", "Erin")
        .replace("Lucas", "Liam")
        .replace("2011-04-01", "2011-02-01")
        .replace("2011-03-25", "2011-01-25")
    )
    return {
        "/p1": Reply('<link rel="next" href="/p2">' + body),
        "/p2": Reply(page2),
    }


def test_follows_rel_next_and_stops_at_the_high_water_mark(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    upgrade(make_engine(url))
    settings = {"GRAPEVINE_DATABASE_URL": url, "GRAPEVINE_BRANDS": BRANDS}
    with LocalServer(_paged_site()) as server:
        [first] = crawl([source(server.url("/p1"))], settings)
        assert first["items_new"] == 4 and server.requests.count("/p2") == 1
        [second] = crawl([source(server.url("/p1"))], settings)
        # nothing newer than the high-water mark on page 1: page 2 is not fetched again
        assert second["status"] == "ok" and second["items_new"] == 0
        assert server.requests.count("/p2") == 1
        [full] = crawl([source(server.url("/p1"))], settings, incremental=False)
        assert full["items_new"] == 0 and server.requests.count("/p2") == 2


def test_a_page_without_reviews_is_a_failure_not_silence() -> None:
    with LocalServer({"/p": Reply("<html><body>Redesigned!</body></html>")}) as server:
        [result] = crawl([source(server.url("/p"))], {"GRAPEVINE_BRANDS": BRANDS})
    assert result["status"] == "failed" and "no schema.org reviews" in result["error"]
