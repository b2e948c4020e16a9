"""Aspects: which part of the promise a mention is about (delivery, billing, support, ...).

Keyword lists a person can read and extend through ``[analysis] aspects`` in the config.
Matching is on whole words, in any case (a trailing ``*`` matches any ending). "billing"
covers charges and refunds, "price" covers value for money.
"""

import re
from collections.abc import Iterable, Mapping

from sentiment.patterns import PatternSet, Starts

DEFAULT_ASPECTS: dict[str, list[str]] = {
    "delivery": [
        "deliver*",
        "shipping",
        "shipped",
        "shipment",
        "courier",
        "parcel",
        "package",
        "arriv*",
        "dispatch*",
        "tracking",
        "late",
        "lost in the post",
        "postage",
        "ups",
        "dhl",
        "fedex",
        "usps",
    ],
    "billing": [
        "refund*",
        "charg*",
        "billing",
        "billed",
        "invoice*",
        "payment*",
        "paid",
        "overcharg*",
        "money back",
        "subscription",
        "cancel*",
        "credit card",
        "debit*",
        "fee*",
        "chargeback",
    ],
    "customer service": [
        "customer service",
        "support",
        "customer care",
        "helpline",
        "hotline",
        "agent*",
        "no reply",
        "no response",
        "respond*",
        "replied",
        "email*",
        "chat",
        "on hold",
        "call centre",
        "call center",
        "ticket",
        "complaint*",
        "ignored",
    ],
    "product quality": [
        "broken",
        "defect*",
        "faulty",
        "quality",
        "damaged",
        "stopped working",
        "doesn't work",
        "does not work",
        "not working",
        "cheap*",
        "flimsy",
        "leak*",
        "stale",
        "taste*",
        "tasted",
        "fell apart",
        "malfunction*",
        "missing",
    ],
    "price": [
        "price*",
        "pricey",
        "expensive",
        "overpriced",
        "value",
        "cost*",
        "worth",
        "rip off",
        "ripoff",
        "cheaper",
        "afford*",
    ],
    "app/website": [
        "app",
        "website",
        "site",
        "login",
        "log in",
        "password",
        "checkout",
        "crash*",
        "bug*",
        "update",
        "page",
        "error",
        "account",
        "glitch*",
    ],
    "staff": [
        "staff",
        "rude",
        "waiter",
        "waitress",
        "manager",
        "employee*",
        "cashier",
        "driver",
        "barista",
        "server",
        "attitude",
        "unfriendly",
        "friendly",
    ],
}


def keyword_pattern(keyword: str) -> str:
    """The regular expression for one keyword: whole words, ``*`` matching any ending."""
    keyword = " ".join(keyword.strip().lower().split())
    if keyword.endswith("*"):
        return re.escape(keyword[:-1]) + r"\w*"
    return re.escape(keyword)


class AspectTagger:
    """Tag text with the aspects whose keywords it contains.

    ``aspects`` adds aspects or replaces the keywords of a default one; an aspect given an
    empty list is switched off.
    """

    def __init__(self, aspects: Mapping[str, Iterable[str]] | None = None) -> None:
        merged = {name: list(words) for name, words in DEFAULT_ASPECTS.items()}
        for name, words in (aspects or {}).items():
            merged[name] = list(words)
        groups = [
            (name, [keyword_pattern(w) for w in words if w.strip()])
            for name, words in merged.items()
        ]
        #: ``(aspect, patterns)`` in order, for callers that search several sets at once
        self.groups = [(name, alts) for name, alts in groups if alts]
        self._patterns = PatternSet(self.groups)

    @property
    def names(self) -> list[str]:
        """The aspects this tagger knows, in order."""
        return list(self._patterns.names)

    def tag(
        self, text: str, *, lowered: str | None = None, starts: Starts | None = None
    ) -> list[tuple[str, str]]:
        """``(aspect, matched word)`` for each aspect found in ``text``."""
        if lowered is None:
            lowered = text.lower()
        return list(self._patterns.find(lowered, starts).items())
