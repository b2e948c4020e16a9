"""The schema.org spider on recorded pages: JSON-LD, microdata, pagination, stop at seen."""

import json
from datetime import UTC, datetime
from pathlib import Path

from helpers.crawl import crawl
from helpers.httpserver import LocalServer, Reply, Route

BRANDS = [{"name": "Acme", "terms": ["Acme"], "exclusions": [], "is_competitor": False}]
MICRODATA = "schemaorg/schemaorg_eg-0010_product_reviews_microdata.html"
JSONLD = "schemaorg/extruct_CreativeWork.001_book_reviews_jsonld.html"


def source(url: str, **extra: object) -> dict[str, object]:
    return {"name": "reviews", "type": "schemaorg", "urls": [url], "brand": "Acme", **extra}


def test_microdata_jsonld_and_a_page_without_reviews() -> None:
    routes: dict[str, Route] = {
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


RDFA = "schemaorg/schemaorg_review_eg1_product_reviews_rdfa.html"


def _large_jsonld_page(offers: int = 90_000) -> str:
    """A marketplace product page whose one JSON-LD block is over lxml's 10 MB text limit."""
    doc = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "Acme Anvil",
        "offers": [
            {
                "@type": "Offer",
                "price": f"{i % 900 + 100}.00",
                "priceCurrency": "USD",
                "seller": {"@type": "Organization", "name": f"Seller number {i}"},
            }
            for i in range(offers)
        ],
        "review": [
            {
                "@type": "Review",
                "@id": "https://shop.test/anvil#review-1",
                "author": {"@type": "Person", "name": "Wile E."},
                "datePublished": "2024-03-01",
                "reviewBody": "The Acme anvil fell on me. Terrible.",
                "reviewRating": {"@type": "Rating", "ratingValue": "1", "bestRating": "5"},
            },
            {
                "@type": "Review",
                "@id": "https://shop.test/anvil#review-2",
                "author": {"@type": "Person", "name": "Road Runner"},
                "datePublished": "2024-03-02",
                "reviewBody": "Acme works great for me.",
                "reviewRating": {"@type": "Rating", "ratingValue": "5", "bestRating": "5"},
            },
        ],
    }
    script = json.dumps(doc)
    assert 10_000_000 < len(script) < 32 * 1024 * 1024
    return f'<html><head><script type="application/ld+json">{script}</script></head></html>'


GRAPH_PAGE = """<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "Review", "@id": "https://blog.test/acme#review",
   "author": {"@id": "https://blog.test/#/schema/person/7"},
   "itemReviewed": {"@id": "https://blog.test/#product"},
   "reviewRating": {"@id": "https://blog.test/acme#rating"},
   "datePublished": "2024-05-01", "reviewBody": "Acme support never answered my emails."},
  {"@type": "Person", "@id": "https://blog.test/#/schema/person/7", "name": "Dana Blogger"},
  {"@type": "Rating", "@id": "https://blog.test/acme#rating", "ratingValue": 2, "bestRating": 5},
  {"@type": "Product", "@id": "https://blog.test/#product", "name": "Acme Cloud",
   "review": {"@id": "https://blog.test/acme#review"}}
]}
</script></head><body>A blog post</body></html>"""

BROKEN_PAGE = """<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Product", "name": "Acme", "review": [
  {"@type": "Review", "reviewBody": "cut off here
</script></head><body>Reviews</body></html>"""


def test_rdfa_large_jsonld_graph_references_and_broken_jsonld() -> None:
    routes: dict[str, Route] = {
        "/rdfa": Reply.fixture(RDFA),
        "/large": Reply(_large_jsonld_page()),
        "/graph": Reply(GRAPH_PAGE),
        "/broken": Reply(BROKEN_PAGE),
    }
    with LocalServer(routes) as server:
        rdfa, large, graph, broken = crawl(
            [
                {**source(server.url(f"/{name}")), "name": name}
                for name in ("rdfa", "large", "graph", "broken")
            ],
            {"GRAPEVINE_BRANDS": BRANDS},
        )
    # RDFa: full-IRI keys, @value literals and @id links to the rating, author and product
    items = {i["author"]: i for i in rdfa["items"]}
    assert set(items) == {"Ellie", "Lucas", "Zoe Marchetti"}, rdfa
    ellie = items["Ellie"]
    assert ellie["title"] == "Not a happy camper"
    assert ellie["rating"] == 1.0 and ellie["published_at"] == datetime(2011, 4, 1, tzinfo=UTC)
    assert ellie["text"] == "The lamp burned out and now I have to replace it."
    assert ellie["metrics"] == {"item_reviewed": 'Kenmore White 17" Microwave'}
    assert not ellie["external_id"].split("#")[-1].startswith("_:")  # no blank node id
    zoe = items["Zoe Marchetti"]
    assert zoe["text"] == "The restaurant has great ambiance." and zoe["rating"] == 5.0
    assert zoe["metrics"] == {"item_reviewed": "Fine Dining Establishment"}
    assert zoe["external_id"] == server.url("/rdfa") + "#review-ambiance"
    assert rdfa["status"] == "ok", rdfa["error"]

    # JSON-LD larger than extruct/lxml's 10 MB text node: read by us
    assert large["status"] == "ok", large["error"]
    assert {i["author"]: i["rating"] for i in large["items"]} == {
        "Wile E.": 1.0,
        "Road Runner": 5.0,
    }
    assert {i["metrics"]["item_reviewed"] for i in large["items"]} == {"Acme Anvil"}

    # JSON-LD @graph with @id references (the way SEO plugins write it)
    (dana,) = graph["items"]
    assert dana["author"] == "Dana Blogger" and dana["rating"] == 2.0
    assert dana["metrics"] == {"item_reviewed": "Acme Cloud"}
    assert dana["external_id"] == "https://blog.test/acme#review"

    # unreadable JSON-LD is said so, not "no reviews"
    assert broken["status"] == "failed"
    assert "the page's JSON-LD is invalid" in broken["error"]
    assert "no schema.org reviews" not in broken["error"]
