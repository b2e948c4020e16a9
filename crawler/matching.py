"""Brand matching: does a text talk about our brand or a competitor (and not an exclusion)?

Whole words, case-insensitive; ``@handles`` and domains (``acme.com``, ``www.acme.com/x``)
are recognised as mentions of the brand they belong to.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BrandTerms:
    """A brand (or competitor) and the terms that name it."""

    name: str
    terms: Sequence[str]
    exclusions: Sequence[str] = ()
    is_competitor: bool = False


def _term_pattern(term: str) -> str:
    term = term.strip()
    escaped = re.escape(term)
    if term.startswith("@"):
        return rf"(?<![\w@]){escaped}\b"
    if "." in term and " " not in term:  # a domain: also www.<domain> and <domain>/path
        return rf"(?<![\w.-])(?:www\.)?{escaped}(?![\w-])"
    return rf"(?<![\w@]){escaped}(?!\w)"


def _compile(terms: Iterable[str]) -> re.Pattern[str] | None:
    parts = [_term_pattern(t) for t in terms if t.strip()]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


class BrandMatcher:
    """Find which brand a text mentions: the own brand first, then competitors."""

    def __init__(self, brands: Sequence[BrandTerms]) -> None:
        self._brands = [
            (brand, _compile(brand.terms), _compile(brand.exclusions)) for brand in brands
        ]

    def match(self, *texts: str | None) -> BrandTerms | None:
        """The first brand whose terms appear in ``texts`` once its exclusions are removed."""
        text = "\n".join(t for t in texts if t)
        for brand, terms, exclusions in self._brands:
            if terms is None:
                continue
            candidate = exclusions.sub(" ", text) if exclusions is not None else text
            if terms.search(candidate):
                return brand
        return None

    def get(self, name: str | None) -> BrandTerms | None:
        """The brand called ``name`` (``None`` for the own brand)."""
        for brand, _, _ in self._brands:
            if name is None and not brand.is_competitor:
                return brand
            if brand.name == name:
                return brand
        return None
