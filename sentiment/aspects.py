"""Aspects: which part of the promise a mention is about (delivery, billing, support, ...).

Keyword lists a person can read and extend through ``[analysis] aspects`` in the config.
Matching is on whole words (a trailing ``*`` matches any ending).
"""

import re
from collections.abc import Iterable, Mapping

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


def _pattern(keyword: str) -> str:
    keyword = keyword.strip().lower()
    if keyword.endswith("*"):
        return r"\b" + re.escape(keyword[:-1]) + r"\w*"
    return r"\b" + re.escape(keyword) + r"\b"


class AspectTagger:
    """Tag text with the aspects whose keywords it contains."""

    def __init__(self, aspects: Mapping[str, Iterable[str]] | None = None) -> None:
        merged = {name: list(words) for name, words in DEFAULT_ASPECTS.items()}
        for name, words in (aspects or {}).items():
            merged[name] = list(words)
        self._patterns = {
            name: re.compile("|".join(_pattern(w) for w in words), re.IGNORECASE)
            for name, words in merged.items()
            if words
        }

    @property
    def names(self) -> list[str]:
        """The aspects this tagger knows, in order."""
        return list(self._patterns)

    def tag(self, text: str) -> list[tuple[str, str]]:
        """``(aspect, matched word)`` for each aspect found in ``text``."""
        found = []
        for name, pattern in self._patterns.items():
            match = pattern.search(text)
            if match:
                found.append((name, match.group(0).lower()))
        return found
