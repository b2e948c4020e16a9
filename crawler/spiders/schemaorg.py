"""Any page with schema.org ``Review`` markup, in JSON-LD, microdata or RDFa (extruct).

Options: ``urls`` (first pages) and ``next_selector`` (a CSS selector for the next page's
link when the site has no ``rel=next``). Reviews on a product's own page are about the
source's brand, so they are not matched against brand terms unless ``match_terms`` is set.
"""

import hashlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import extruct
import scrapy
from scrapy.http import Response

from crawler.spiders.base import SourceSpider

SYNTAXES = ["json-ld", "microdata", "rdfa"]


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type") or []
    values = value if isinstance(value, list) else [value]
    return [str(v).rstrip("/").rsplit("/", 1)[-1] for v in values]


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _text(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("@id")
        value = _first(value)
    return str(value).strip() if value not in (None, "") else None


def find_reviews(
    data: Any, about: str | None = None
) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Every Review node in extruct's output, with the name of the thing it reviews."""
    if isinstance(data, list):
        for node in data:
            yield from find_reviews(node, about)
    elif isinstance(data, dict):
        types = _types(data)
        name = _text(data.get("name")) if "Review" not in types else None
        if "Review" in types:
            reviewed = data.get("itemReviewed")
            yield data, _text(reviewed) if reviewed else about
        for key, value in data.items():
            if key in ("itemReviewed",) or key.startswith("@") and key != "@graph":
                continue
            yield from find_reviews(value, name or about)


def _has_aggregate_only(data: Any) -> bool:
    """Whether extruct's output has an ``AggregateRating`` (and, by the caller, no Review)."""
    if isinstance(data, list):
        return any(_has_aggregate_only(node) for node in data)
    if isinstance(data, dict):
        if "AggregateRating" in _types(data) or "aggregateRating" in data:
            return True
        return any(_has_aggregate_only(v) for v in data.values() if isinstance(v, dict | list))
    return False


class SchemaOrgSpider(SourceSpider):
    """Extract schema.org reviews from pages and follow the pagination."""

    name = "schemaorg"
    list_options = ("urls",)

    async def start(self) -> AsyncIterator[Any]:
        """One request per configured first page."""
        urls = self.options.get("urls") or []
        if not urls:
            self.report_problem(None, "no urls configured")
        for url in urls:
            yield scrapy.Request(url, callback=self.parse, cb_kwargs={"page": 1}, dont_filter=True)

    def parse(self, response: Response, page: int = 1, **kwargs: Any) -> Any:
        """Yield the page's reviews; follow the next page while pages bring new ones."""
        try:
            data = extruct.extract(
                response.text,
                base_url=response.url,
                syntaxes=SYNTAXES,
                uniform=True,
                errors="ignore",
            )
        except Exception as exc:  # extruct raises many kinds on broken markup
            self.report_problem(response, f"unreadable structured data ({exc.__class__.__name__})")
            return
        nodes = [node for syntax in SYNTAXES for node in data.get(syntax, [])]
        reviews = list(find_reviews(nodes))
        if not reviews and _has_aggregate_only(nodes):
            self.empty_result()  # rated, but no individual review on the page
            return
        if not reviews:
            self.report_problem(response, "no schema.org reviews on the page")
            return
        self.saw_entries(len(reviews))
        published = []
        for review, about in reviews:
            item = self.review_item(response, review, about)
            published.append(item.get("published_at"))
            if self.is_new(item.get("published_at"), item.get("edited_at")):
                yield item
        next_url = self.next_page(response)
        if next_url and page < self.max_pages and self.any_new(published):
            yield response.follow(next_url, callback=self.parse, cb_kwargs={"page": page + 1})

    def next_page(self, response: Response) -> str | None:
        """The next page's address: the configured selector, else ``rel=next``."""
        selector = self.options.get("next_selector")
        if selector:
            found = response.css(selector)
            href = found.attrib.get("href") if found else None
            return href or found.css("::attr(href)").get() if found else None
        return response.css("link[rel=next]::attr(href), a[rel=next]::attr(href)").get()

    def review_item(self, response: Response, review: dict[str, Any], about: str | None) -> Any:
        """One item from one Review node."""
        rating = review.get("reviewRating")
        value = best = worst = None
        if isinstance(_first(rating), dict):
            rating = _first(rating)
            value, best, worst = (
                _text(rating.get(k)) for k in ("ratingValue", "bestRating", "worstRating")
            )
        elif rating not in (None, ""):
            value = _text(rating)
        body = _text(review.get("reviewBody")) or _text(review.get("description"))
        author = _text(review.get("author"))
        date = _text(review.get("datePublished")) or _text(review.get("dateCreated"))
        title = _text(review.get("name")) or _text(review.get("headline"))
        url = _text(review.get("url")) or _text(review.get("@id")) or response.url
        key = _text(review.get("@id")) or _text(review.get("url"))
        if not key or key == response.url:
            digest = hashlib.sha1(  # noqa: S324 - an identifier, not security
                "\x1f".join([response.url, author or "", date or "", (body or "")[:200]]).encode()
            ).hexdigest()[:16]
            key = f"{response.url}#{digest}"
        return self.item(
            external_id=key,
            url=url,
            author=author,
            title=title,
            text=body,
            rating=value,
            rating_best=best,
            rating_worst=worst,
            published_at=date,
            edited_at=_text(review.get("dateModified")),
            language=_text(review.get("inLanguage")),
            metrics={"item_reviewed": about} if about else {},
            raw={k: v for k, v in review.items() if not isinstance(v, dict | list)},
        )
