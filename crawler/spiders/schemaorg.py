"""Any page with schema.org ``Review`` markup, in JSON-LD, microdata or RDFa (extruct).

Options: ``urls`` (first pages) and ``next_selector`` (a CSS selector for the next page's
link when the site has no ``rel=next``). Reviews on a product's own page are about the
source's brand, so they are not matched against brand terms unless ``match_terms`` is set.

JSON-LD is read here, not by extruct: extruct parses with lxml's default limits, which drop a
text node over 10 MB, so a page with a large JSON-LD block (thousands of reviews in one
script) came out as "no reviews". Our parser lifts that limit (``huge_tree``); the page is
already bounded by ``DOWNLOAD_MAXSIZE``. A JSON-LD block that is still unreadable (invalid,
nested too deeply) is reported as such when the page yields no review, never as "no reviews";
one broken block beside readable reviews only counts
``grapevine/structured_data_unreadable`` (sites
often carry an unrelated broken block, and the reviews were read).

RDFa comes out of extruct as expanded JSON-LD: full-IRI keys (``https://schema.org/author``
or ``http://``), ``{"@value": ...}`` literals (with the markup's line breaks and indentation,
collapsed here as a browser shows them) and one flat node per thing, linked by ``@id``.
:func:`resolve` turns that (and JSON-LD ``@graph`` nodes linked by ``@id``) into the nested
short-key form the rest of the spider reads: references are replaced by the node they name
(each node built once; a reference back into its own chain stays a reference), and only nodes
no other node refers to are roots, so a Review under a Product knows what it reviews. Blank
node ids (``_:N…``, new on every parse) are never used as a review's id or link.
"""

import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import extruct
import jstyleson
import lxml.html
import scrapy
from scrapy.http import Response

from crawler.spiders.base import SourceSpider

SYNTAXES = ["json-ld", "microdata", "rdfa"]
#: extruct syntaxes and a byte string their markup cannot do without (cheap pre-check)
EXTRUCT_SYNTAXES = {"microdata": b"itemscope", "rdfa": b"typeof"}
SCHEMA_PREFIXES = ("https://schema.org/", "http://schema.org/")
_JSONLD_SCRIPTS = '//script[starts-with(normalize-space(@type), "application/ld+json")]'


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type") or []
    values = value if isinstance(value, list) else [value]
    return [str(v).rstrip("/").rsplit("/", 1)[-1] for v in values]


def _short(key: str) -> str:
    for prefix in SCHEMA_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def json_ld(response: Response) -> tuple[list[Any], list[str]]:
    """(every JSON-LD node on the page, why the blocks that could not be read failed)."""
    if b"ld+json" not in response.body:
        return [], []
    encoding = getattr(response, "encoding", None) or "utf-8"
    parser = lxml.html.HTMLParser(encoding=encoding, huge_tree=True)
    try:
        tree = lxml.html.document_fromstring(response.body, parser=parser)
    except (ValueError, lxml.etree.ParserError) as exc:
        return [], [f"unparsable HTML ({exc.__class__.__name__})"]
    nodes: list[Any] = []
    failures: list[str] = []
    for script in tree.xpath(_JSONLD_SCRIPTS):
        text = script.text_content()
        try:
            try:
                data = json.loads(text, strict=False)
            except ValueError as exc:
                try:  # comments around the JSON, as extruct also allows
                    data = jstyleson.loads(text, strict=False)
                except Exception:
                    raise exc from None
        except json.JSONDecodeError as exc:
            failures.append(f"invalid at line {exc.lineno}, column {exc.colno}: {exc.msg}")
            continue
        except RecursionError:
            failures.append("nested too deeply")
            continue
        except ValueError as exc:
            failures.append(f"invalid ({exc.__class__.__name__})")
            continue
        nodes.extend(data if isinstance(data, list) else [data])
    return nodes, failures


def _collapse_literals(value: Any) -> Any:
    """RDFa literals with HTML's whitespace collapsed (a line break in markup is a space)."""
    if isinstance(value, list):
        return [_collapse_literals(v) for v in value]
    if isinstance(value, dict):
        return {
            k: " ".join(v.split())
            if k == "@value" and isinstance(v, str)
            else _collapse_literals(v)
            for k, v in value.items()
        }
    return value


def resolve(nodes: list[Any]) -> list[Any]:
    """Nested, short-key schema.org nodes from extruct's output (see the module docstring)."""
    index: dict[str, dict[str, Any]] = {}

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            ref = value.get("@id")
            if isinstance(ref, str) and len(value) > 1:
                index.setdefault(ref, value)
            for child in value.values():
                collect(child)
        elif isinstance(value, list):
            for child in value:
                collect(child)

    collect(nodes)
    built: dict[str, Any] = {}
    building: set[str] = set()
    referenced: set[str] = set()

    def build(value: Any) -> Any:
        if isinstance(value, list):
            return [build(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "@value" in value and set(value) <= {"@value", "@language", "@type", "@direction"}:
            return value["@value"]
        ref = value.get("@id")
        if isinstance(ref, str) and len(value) == 1:
            if ref not in index or ref in building:
                return ref  # a link, or a reference back into its own chain
            referenced.add(ref)
            if ref not in built:
                building.add(ref)
                built[ref] = _build_node(index[ref])
                building.discard(ref)
            return built[ref]
        if isinstance(ref, str) and ref in index and index[ref] is value:
            if ref in built:
                return built[ref]
            building.add(ref)
            node = _build_node(value)
            building.discard(ref)
            return built.setdefault(ref, node)
        return _build_node(value)

    def _build_node(node: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, child in node.items():
            name = _short(key)
            if name == "@type":
                types = child if isinstance(child, list) else [child]
                out[name] = [_short(str(t)) for t in types]
            else:
                out[name] = build(child)
        return out

    roots = [build(node) for node in nodes]
    return [
        root
        for node, root in zip(nodes, roots, strict=True)
        if not (isinstance(node, dict) and node.get("@id") in referenced)
    ]


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
    data: Any, about: str | None = None, seen: set[int] | None = None
) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Every Review node in the resolved output (each once), with the name of what it reviews."""
    seen = set() if seen is None else seen
    if isinstance(data, list):
        for node in data:
            yield from find_reviews(node, about, seen)
    elif isinstance(data, dict):
        if id(data) in seen:
            return
        seen.add(id(data))
        types = _types(data)
        name = _text(data.get("name")) if "Review" not in types else None
        if "Review" in types:
            reviewed = _own_id(data.get("itemReviewed"))  # a blank id: a cycle back to it
            yield data, reviewed or about
        for key, value in data.items():
            if key in ("itemReviewed",) or key.startswith("@") and key != "@graph":
                continue
            yield from find_reviews(value, name or about, seen)


def _has_aggregate_only(data: Any, seen: set[int] | None = None) -> bool:
    """Whether the output has an ``AggregateRating`` (and, by the caller, no Review)."""
    seen = set() if seen is None else seen
    if id(data) in seen:
        return False
    seen.add(id(data))
    if isinstance(data, list):
        return any(_has_aggregate_only(node, seen) for node in data)
    if isinstance(data, dict):
        if "AggregateRating" in _types(data) or "aggregateRating" in data:
            return True
        return any(
            _has_aggregate_only(v, seen) for v in data.values() if isinstance(v, dict | list)
        )
    return False


def _own_id(value: Any) -> str | None:
    """A node id worth keeping: not a blank node (``_:N…`` changes on every parse)."""
    text = _text(value)
    return None if text is None or text.startswith("_:") else text


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
        nodes, failures = json_ld(response)
        failures = [f"the page's JSON-LD is {why}" for why in failures]
        for syntax, marker in EXTRUCT_SYNTAXES.items():
            if marker not in response.body:
                continue
            try:
                data = extruct.extract(
                    response.text,
                    base_url=response.url,
                    syntaxes=[syntax],
                    uniform=True,
                    errors="strict",
                )
            except Exception as exc:  # extruct raises many kinds on broken markup
                failures.append(f"the page's {syntax} is unreadable ({exc.__class__.__name__})")
                continue
            found = data.get(syntax, [])
            nodes.extend(_collapse_literals(found) if syntax == "rdfa" else found)
        nodes = resolve(nodes)
        reviews = list(find_reviews(nodes))
        if failures and reviews:
            self.stat_inc("grapevine/structured_data_unreadable", len(failures))
        if not reviews and _has_aggregate_only(nodes):
            self.empty_result()  # rated, but no individual review on the page
            return
        if not reviews:
            for failure in failures:
                self.report_problem(response, failure)
            if not failures:
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
        url = _text(review.get("url")) or _own_id(review.get("@id")) or response.url
        key = _own_id(review.get("@id")) or _text(review.get("url"))
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
            raw={
                k: v
                for k, v in review.items()
                if not isinstance(v, dict | list) and not (k == "@id" and not _own_id(v))
            },
        )
