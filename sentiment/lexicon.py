"""Words VADER's lexicon lacks that reviews and complaints use, on VADER's -4..4 scale.

VADER was built from social-media text; reviews of products, restaurants, apps and films
judge with words it does not know ("bland", "overpriced", "buggy", "tedious", "sturdy",
"attentive"). These fill the gap; none overrides a word VADER already scores, except the few
of :data:`REVIEW_OVERRIDES` that VADER scores in another sense. Words that are only negative
in some contexts ("cold", "flat", "late", "thin", "tiny", "cheap") are left out: the phrases
(:mod:`sentiment.phrases`) and complaint families catch them in context ("tiny portions",
"cheap plastic"). A company's own lexicon (``[analysis] lexicon``) goes on top and wins.

The words themselves are data: ``[words]`` and ``[overrides]`` of the pack's
``lexicon.toml`` (``sentiment/packs/en/lexicon.toml``), read by :func:`sentiment.packs.load_pack`.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    """``REVIEW_LEXICON`` and ``REVIEW_OVERRIDES``, the English pack's, read on first use."""
    if name in ("REVIEW_LEXICON", "REVIEW_OVERRIDES"):
        from sentiment.packs import load_pack

        pack = load_pack("en")
        return dict(pack.lexicon if name == "REVIEW_LEXICON" else pack.overrides)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
