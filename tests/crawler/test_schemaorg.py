"""The schema.org spider on recorded pages: JSON-LD, microdata, pagination, stop at seen."""

from datetime import UTC, datetime
from pathlib import Path

from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply

BRANDS = [{"name": "Acme", "terms": ["Acme"], "exclusions": [], "is_competitor": False}]
MICRODATA = "schemaorg/schemaorg_eg-0010_product_reviews_microdata.html"
JSONLD = "schemaorg/extruct_CreativeWork.001_book_reviews_jsonld.html"


def source(url: str, **extra: object) -> dict[str, object]:
    return {"name": "reviews", "type": "schemaorg", "urls": [url], "brand": "Acme", **extra}


def test_microdata_jsonld_and_a_page_without_reviews() -> None:
    routes = {
        "/p": Reply.fixture(MICRODATA),
        "/book": Reply.fixture(JSONLD),
        "/gone": Reply("<html><body>Redesigned!</body></html>"),
    }
    with LocalServer(routes) as server:
        micro, book, gone = crawl(
            [
                source(server.url("/p")),
                {**source(server.url("/book")), "name": "book"},
                {**source(server.url("/gone")), "name": "gone"},
            ],
            {"GRAPEVINE_BRANDS": BRANDS},
        )
    items = {i["author"]: i for i in micro["items"]}
    assert set(items) == {"Ellie", "Lucas"}
    ellie = items["Ellie"]
    assert ellie["title"] == "Not a happy camper" and ellie["rating"] == 1.0
    assert ellie["text"] == "The lamp burned out and now I have to replace it."
    assert ellie["published_at"] == datetime(2011, 4, 1, tzinfo=UTC)
    assert ellie["metrics"] == {"item_reviewed": 'Kenmore White 17" Microwave'}
    assert ellie["analysis"]["label"] == "negative" and ellie["analysis"]["needs_attention"]
    assert items["Lucas"]["rating"] == 4.0 and items["Lucas"]["analysis"]["label"] == "positive"

    # JSON-LD, with an author as a plain string and a bare rating string
    items = {i["author"]: i for i in book["items"]}
    assert items["John Doe"]["rating"] == 5.0 and items["Bob Smith"]["rating"] == 4.0
    assert items["Bob Smith"]["title"] == "A good read."

    # a page that should have reviews and has none is a failure, not silence
    assert gone["status"] == "failed" and "no schema.org reviews" in gone["error"]


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
