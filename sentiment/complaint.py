"""Complaint detection: a mismatch between what was promised and what happened.

A complaint often carries no negative word ("still waiting for my refund, 3 weeks now"), so
besides VADER's negativity this looks for the *language* of complaints, in families a person
can read: waiting and delays, things not arriving, no reply, being charged, broken things,
cancelling and leaving, negated expectations, problem questions ("why can't I…?"), repetition
("again", "still", "third time"). Some families count *against* a complaint: thanks and praise,
and how-to questions that report no problem. Some only strengthen other evidence
(:data:`AMPLIFIERS`: repetition, a length of time, "I"/"you", the customer's own order or
device): alone, with no other family and no negative words, they never make a complaint, so
"Coffee prices rise again" and "Battery lasts all day" are not complaints.

Each family that fires adds its weight to a logistic score::

    z = BIAS + Σ weight of each family that counts
          + w₁·negativity + w₂·worst sentence + w₃·negative about a product − w₄·positivity
          + RATING_EVIDENCE·(3 − stars)/2                  (rated mentions only)
    complaint_score = 1 / (1 + exp(−z))

and a text is a complaint when ``complaint_score >= 0.5``. The weights were tuned by
``benchmarks/sentiment/tune.py`` (a logistic fit over these families, cross-validated by
domain so that it generalises to companies it has not seen); the families themselves are
written by hand and read as sensible on their own.
The families and their weights are data, in the language pack's ``families.toml``
(:mod:`sentiment.packs`).
"""

import functools
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sentiment.packs import ComplaintWeights, Pack, load_pack
from sentiment.patterns import PatternSet, Starts

#: The numeric inputs besides the families, each in 0..1.
SIGNALS = ("negativity", "worst sentence", "negative about a product", "positivity")

#: What the English pack's ``families.toml`` holds, read on first use (module attributes):
#: ``WEIGHTS`` (tuned; ``benchmarks/sentiment/tune.py`` prints them), ``BIAS``,
#: ``AMPLIFIERS`` (families that only strengthen other evidence — alone, with no other
#: family and no negative words, they never make a complaint: "I'd buy it again", "Battery
#: lasts all day"), ``AGAINST`` (families that count against a complaint; they do not ground
#: the amplifiers), ``NEGATIVE_WORDS`` (VADER's negative threshold: a compound at or below
#: minus this is negative words), ``RATING_EVIDENCE`` (a star rating is evidence too, set by
#: hand: 5 stars -2, 4 stars -1, 3 stars 0, 2 stars +1, 1 star +2) and ``FAMILIES``.
_LAZY = {
    "WEIGHTS": lambda c: dict(c.weights),
    "BIAS": lambda c: c.bias,
    "AMPLIFIERS": lambda c: c.amplifiers,
    "AGAINST": lambda c: c.against,
    "NEGATIVE_WORDS": lambda c: c.negative_words,
    "RATING_EVIDENCE": lambda c: c.rating_evidence,
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return _LAZY[name](load_pack("en").complaint)
    if name == "FAMILIES":
        return load_pack("en").families
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _english() -> ComplaintWeights:
    return load_pack("en").complaint


@dataclass(frozen=True, slots=True)
class ComplaintEvidence:
    """What decided a complaint score: each family found, with the words that matched."""

    score: float
    found: tuple[tuple[str, str], ...]

    def cues(self, weights: Mapping[str, float] | None = None) -> list[str]:
        """Human-readable cues, strongest first (``complaint cue: waiting ('on hold')``)."""
        weights = weights if weights is not None else _english().weights
        ranked = sorted(
            (item for item in self.found if weights.get(item[0], 0.0) != 0.0),
            key=lambda item: -abs(weights.get(item[0], 0.0)),
        )
        out = []
        for name, words in ranked:
            kind = "complaint cue" if weights.get(name, 0.0) > 0 else "not a complaint"
            out.append(f"{kind}: {name} ('{words}')")
        return out


def grounded(
    found: Collection[str],
    sentiment: float,
    worst_sentence: float,
    complaint: ComplaintWeights | None = None,
) -> bool:
    """Whether there is evidence besides the amplifiers: a complaint family or negative words
    (``complaint``: the pack's weights and roles, the English pack's by default)."""
    c = complaint or _english()
    if sentiment <= -c.negative_words or worst_sentence <= -c.negative_words:
        return True
    amplifiers, against = c.amplifiers, c.against
    return any(name not in amplifiers and name not in against for name in found)


def counted(
    found: Collection[str],
    sentiment: float,
    worst_sentence: float,
    complaint: ComplaintWeights | None = None,
) -> list[str]:
    """The families that count: all of them, or without the amplifiers when nothing grounds
    them (see ``AMPLIFIERS``)."""
    c = complaint or _english()
    if "sarcasm" in found:  # "thanks for nothing" is not thanks
        found = [name for name in found if name != "thanks or praise"]
    if grounded(found, sentiment, worst_sentence, c):
        return list(found)
    return [name for name in found if name not in c.amplifiers]


def signals(sentiment: float, worst_sentence: float, found: Collection[str]) -> dict[str, float]:
    """The numeric inputs from VADER's compound for the text and for its worst sentence."""
    negativity = max(0.0, -sentiment)
    return {
        "negativity": negativity,
        "worst sentence": max(0.0, -worst_sentence),
        "negative about a product": negativity if "product or service" in found else 0.0,
        "positivity": max(0.0, sentiment),
    }


class ComplaintDetector:
    """Score how much a text reads as a complaint (0..1) and say why."""

    def __init__(
        self,
        weights: Mapping[str, float] | None = None,
        *,
        bias: float | None = None,
        pack: Pack | None = None,
    ) -> None:
        """``pack`` gives the families and weights (the English pack by default); ``weights``
        and ``bias`` replace the pack's."""
        self._pack = pack or load_pack("en")
        self._constants = self._pack.complaint
        self.weights = dict(weights if weights is not None else self._constants.weights)
        self._bias = bias if bias is not None else self._constants.bias

    def find(self, lowered: str, starts: Starts | None = None) -> dict[str, str]:
        """``{family: matched words}`` for every family found in ``lowered`` (lower-case text)."""
        return _patterns(self._pack.lang).find(lowered, starts)

    def score(
        self,
        lowered: str,
        *,
        sentiment: float = 0.0,
        worst_sentence: float = 0.0,
        rating: float | None = None,
        starts: Starts | None = None,
        found: Mapping[str, str] | None = None,
    ) -> ComplaintEvidence:
        """The complaint score of ``lowered`` (the text in lower case), given VADER's compound
        for it and for its worst sentence, and the star rating (1–5) when there is one.
        ``found`` is :meth:`find`'s result when the caller has searched already."""
        if found is None:
            found = _patterns(self._pack.lang).find(lowered, starts)
        weights = self.weights
        z = self._bias
        names = counted(found, sentiment, worst_sentence, self._constants)
        for name in names:
            z += weights.get(name, 0.0)
        for name, value in signals(sentiment, worst_sentence, names).items():
            z += weights.get(name, 0.0) * value
        if rating is not None:
            z += self._constants.rating_evidence * (3.0 - max(1.0, min(5.0, rating))) / 2.0
        # the cues show what counted: an "again" that nothing grounds is not a cue
        shown = tuple((name, found[name]) for name in names)
        return ComplaintEvidence(1.0 / (1.0 + math.exp(-z)), shown)


@functools.cache
def _patterns(lang: str = "en") -> PatternSet:
    """A pack's families as one pattern set, built on first use (not at import)."""
    return PatternSet([(family.name, family.patterns) for family in load_pack(lang).families])
