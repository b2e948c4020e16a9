"""The analysis of one mention: sentiment, complaint, aspects, and the cues that decided them.

Built on vaderSentiment. VADER is constructed lazily (it reads its lexicon file), once per
:class:`Analyzer`, so importing this module reads nothing.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sentiment.aspects import AspectTagger
from sentiment.complaint import ComplaintDetector

VERSION = "grapevine-0.1"
NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
#: VADER's own thresholds for the three classes (Hutto & Gilbert 2014).
THRESHOLD = 0.05

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the sentiment stage says about one text."""

    sentiment: float
    label: str
    complaint: bool
    complaint_score: float
    aspects: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    version: str = VERSION
    rating: float | None = field(default=None, compare=False)

    @property
    def needs_attention(self) -> bool:
        """A complaint, a negative mention or a 1–2 star rating: someone should look at it."""
        return (
            self.complaint
            or self.label == NEGATIVE
            or (self.rating is not None and self.rating <= 2)
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``grapevine score`` output, storage columns)."""
        return {
            "sentiment": round(self.sentiment, 4),
            "label": self.label,
            "complaint": self.complaint,
            "complaint_score": round(self.complaint_score, 4),
            "aspects": list(self.aspects),
            "cues": list(self.cues),
            "version": self.version,
        }


def label_for(score: float) -> str:
    """The three-class label for a compound score."""
    if score <= -THRESHOLD:
        return NEGATIVE
    if score >= THRESHOLD:
        return POSITIVE
    return NEUTRAL


class Analyzer:
    """Reusable analyser: VADER plus a company lexicon, complaint cues and aspects."""

    def __init__(
        self,
        *,
        lexicon: Mapping[str, float] | None = None,
        aspects: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader = SentimentIntensityAnalyzer()
        for word, valence in (lexicon or {}).items():
            self._vader.lexicon[word.lower()] = float(valence)
        self._aspects = AspectTagger(aspects)
        self._complaints = ComplaintDetector()

    def analyze(
        self, text: str, *, rating: float | None = None, source: str | None = None
    ) -> Analysis:
        """Analyse one text; ``rating`` (1–5) weighs heavily when the source has one."""
        text = text or ""
        cues: list[str] = []
        whole = self._vader.polarity_scores(text)["compound"]
        sentences = [s for s in _SENTENCE.split(text) if s.strip()]
        score = whole
        if len(sentences) > 1:
            worst = min(self._vader.polarity_scores(s)["compound"] for s in sentences)
            if worst <= -0.5 and worst < whole:
                score = (whole + worst) / 2
                cues.append(f"one sentence is strongly negative ({worst:+.2f})")
        complaint_score, complaint_cues = self._complaints.score(text)
        cues.extend(complaint_cues)
        if complaint_score >= 0.5 and score > -THRESHOLD:
            score = min(score, -0.1 - 0.4 * (complaint_score - 0.5))
        if rating is not None:
            rating_score = (float(rating) - 3.0) / 2.0
            score = 0.6 * rating_score + 0.4 * score
            cues.append(f"rated {rating:g} of 5")
            if rating <= 2:
                score = min(score, -0.3)
        score = max(-1.0, min(1.0, score))
        aspects = self._aspects.tag(text)
        cues.extend(f"{name}: '{word}'" for name, word in aspects)
        return Analysis(
            sentiment=score,
            label=label_for(score),
            complaint=complaint_score >= 0.5,
            complaint_score=complaint_score,
            aspects=tuple(name for name, _ in aspects),
            cues=tuple(cues),
            rating=rating,
        )

    def analyze_many(
        self, texts: Iterable[str], *, ratings: Sequence[float | None] | None = None
    ) -> list[Analysis]:
        """Analyse several texts (ratings aligned with texts, or none)."""
        texts = list(texts)
        ratings = list(ratings) if ratings is not None else [None] * len(texts)
        return [self.analyze(t, rating=r) for t, r in zip(texts, ratings, strict=True)]


_default: Analyzer | None = None


def analyze(
    text: str,
    *,
    rating: float | None = None,
    source: str | None = None,
    lexicon: Mapping[str, float] | None = None,
) -> Analysis:
    """Analyse one text with the default analyser (or one with the given company lexicon)."""
    global _default
    if lexicon:
        return Analyzer(lexicon=lexicon).analyze(text, rating=rating, source=source)
    if _default is None:
        _default = Analyzer()
    return _default.analyze(text, rating=rating, source=source)
