"""Aspects: which part of the promise a mention is about (delivery, billing, support, ...).

Keyword lists a person can read (the language pack's ``aspects.toml``) and extend through
``[analysis] aspects`` in the config.
Matching is on whole words, in any case (a trailing ``*`` matches any ending). "billing"
covers charges and refunds, "price" covers value for money.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sentiment.patterns import PatternSet, Starts


def __getattr__(name: str) -> Any:
    """``DEFAULT_ASPECTS``: the English pack's aspects and keywords, read on first use."""
    if name == "DEFAULT_ASPECTS":
        from sentiment.packs import load_pack

        return {aspect: list(words) for aspect, words in load_pack("en").aspects.items()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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

    def __init__(
        self,
        aspects: Mapping[str, Iterable[str]] | None = None,
        *,
        defaults: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """``defaults``: the pack's aspects (the English pack's when not given)."""
        if defaults is None:
            from sentiment.packs import load_pack

            defaults = load_pack("en").aspects
        merged = {name: list(words) for name, words in defaults.items()}
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
