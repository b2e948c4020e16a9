"""VADER in one pass: the library's lexicon and rules, per word, with sentence boundaries kept.

``vaderSentiment`` scores a whole text at once and re-lowercases the text for every rule it
checks, which is quadratic in the length of a review. :class:`VaderScorer` applies the same
rules (lexicon, boosters, negation, "no", "least", idioms, ALL-CAPS, "but", punctuation) from
the library's own constants, lowercasing once, and keeps each word's valence and the sentence
it belongs to. From that one pass come both VADER's compound score for the whole text (equal to
``SentimentIntensityAnalyzer.polarity_scores(text)["compound"]`` up to rounding) and a score
per sentence, without running VADER twice.

The library's lexicon files are read when a scorer is built, never at import.
"""

import math
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field

from vaderSentiment import vaderSentiment as _vs

_NEGATE = frozenset(_vs.NEGATE)
_BOOSTERS: dict[str, float] = dict(_vs.BOOSTER_DICT)
_SPECIAL: dict[str, float] = dict(_vs.SPECIAL_CASES)
_SO_THIS = ("so", "this")
#: VADER's factor for a negated word.
N_SCALAR: float = _vs.N_SCALAR
_PUNCT = string.punctuation
#: A token that ends a sentence: it ends in . ! or ? (perhaps followed by quotes or brackets).
_ENDS_SENTENCE = re.compile(r"[.!?][\"')\]]*$")
_END_CHARS = frozenset(".!?\"')]")


def normalize(score: float, alpha: float = 15.0) -> float:
    """VADER's squashing of a valence sum into -1..1."""
    value = score / math.sqrt(score * score + alpha)
    return max(-1.0, min(1.0, value))


def punctuation_emphasis(text: str) -> float:
    """VADER's emphasis from exclamation marks (up to 4) and repeated question marks."""
    ep = min(text.count("!"), 4) * 0.292
    qm = text.count("?")
    if qm > 3:
        return ep + 0.96
    if qm > 1:
        return ep + qm * 0.18
    return ep


def compound(valences: list[float], punctuation: float) -> float:
    """VADER's compound score from word valences and the punctuation emphasis."""
    total = sum(valences)
    if total > 0:
        total += punctuation
    elif total < 0:
        total -= punctuation
    return normalize(total) if valences else 0.0


def _negated(word: str, negate: frozenset[str] = _NEGATE) -> bool:
    return word in negate or "n't" in word


def but_check(lowers: list[str], valences: list[float]) -> list[float]:
    """VADER's contrast rule: words before the first "but" count half, after it 1.5 times.

    Delegates to the library so the result is VADER's to the last quirk.
    """
    if "but" not in lowers:
        return valences
    return _vs.SentimentIntensityAnalyzer._but_check(lowers, list(valences))


@dataclass(frozen=True, slots=True)
class Scored:
    """One text after VADER's pass: tokens, valences and sentence spans."""

    words: list[str]
    lowers: list[str]
    valences: list[float]
    #: ``(start, end)`` token indices of each sentence.
    sentences: list[tuple[int, int]]
    #: the exclamation/question emphasis of each sentence
    emphasis: list[float]
    text: str
    #: indices of the words a phrase has taken over (see :meth:`override`)
    phrased: set[int] = field(default_factory=set)
    #: the words that negate (VADER's, or a language pack's)
    negate: frozenset[str] = _NEGATE
    #: whether a negation at the end of one sentence negates a phrase in the next (VADER's
    #: English behaviour, kept for the English pack; not for the others)
    negation_crosses_sentences: bool = True

    def override(self, start: int, end: int, valence: float) -> float:
        """Give the words covering characters ``start:end`` of ``text`` one valence (a phrase).

        A negation in the three words before the phrase negates it as VADER negates a word
        ("it's not a waste of money"). Returns the valence given (``0.0`` for no words).
        """
        before = self.text[:start]
        first = len(before.split())
        if before and not before[-1].isspace():
            first -= 1  # the phrase begins inside a token, after punctuation
        last = len(self.text[:end].split())
        if first >= last:
            return 0.0
        negate = self.negate
        begin = max(0, first - 3)
        if not self.negation_crosses_sentences:  # "antwortet nicht. Nie wieder!"
            begin = max([begin, *(start for start, _ in self.sentences if start <= first)])
        if any(_negated(word, negate) for word in self.lowers[begin:first]):
            valence *= N_SCALAR
        self.valences[first] = valence
        for i in range(first + 1, last):
            self.valences[i] = 0.0
        self.phrased.update(range(first, last))
        return valence

    def compound(self) -> float:
        """VADER's compound score for the whole text."""
        vals = but_check(self.lowers, self.valences)
        return compound(vals, punctuation_emphasis(self.text))

    def sentence_compounds(self) -> list[float]:
        """The compound score of each sentence (the "but" rule applied within it)."""
        out = []
        for (start, end), emphasis in zip(self.sentences, self.emphasis, strict=True):
            vals = but_check(self.lowers[start:end], self.valences[start:end])
            out.append(compound(vals, emphasis))
        return out


class VaderScorer:
    """VADER's scoring with a lexicon that may be tuned (company words, review words)."""

    def __init__(
        self,
        extra: Mapping[str, float] | None = None,
        *,
        vader: bool = True,
        negations: frozenset[str] = frozenset(),
    ) -> None:
        """``extra`` words go on top of VADER's lexicon; ``vader=False`` starts from an empty
        lexicon instead (a language pack for another language), whose ``negations`` negate
        (VADER's English ones too, when ``vader``)."""
        base = _vs.SentimentIntensityAnalyzer()
        self.lexicon: dict[str, float] = dict(base.lexicon) if vader else {}
        self.negate = (_NEGATE if vader else frozenset()) | negations
        self.vader = vader
        for word, valence in (extra or {}).items():
            self.lexicon[word.lower()] = float(valence)
        self._emojis: dict[str, str] = dict(base.emojis)

    def _demoji(self, text: str) -> str:
        # VADER replaces each emoji character by its description
        emojis = self._emojis
        if not any(ch in emojis for ch in text):
            return text
        out: list[str] = []
        prev_space = True
        for ch in text:
            description = emojis.get(ch)
            if description is not None:
                if not prev_space:
                    out.append(" ")
                out.append(description)
                prev_space = False
            else:
                out.append(ch)
                prev_space = ch == " "
        return "".join(out)

    def scan(self, text: str) -> Scored:
        """Tokenise as VADER does and give every word its valence; keep sentence spans."""
        if not text.isascii():
            text = self._demoji(text)
        text = text.strip()
        words: list[str] = []
        sentences: list[tuple[int, int]] = []
        emphasis: list[float] = []
        for line in text.splitlines():
            raw = line.split()
            if not raw:
                continue
            base = len(words)
            words.extend([t if len(w := t.strip(_PUNCT)) <= 2 else w for t in raw])
            last = len(raw) - 1
            begin = 0
            marks = False
            for k, token in enumerate(raw):
                if "!" in token or "?" in token:
                    marks = True
                if k == last or (token[-1] in _END_CHARS and _ENDS_SENTENCE.search(token)):
                    sentences.append((base + begin, base + k + 1))
                    emphasis.append(
                        punctuation_emphasis(" ".join(raw[begin : k + 1])) if marks else 0.0
                    )
                    begin = k + 1
                    marks = False
        lowers = [w.lower() for w in words]
        valences = self._valences(words, lowers)
        return Scored(
            words,
            lowers,
            valences,
            sentences,
            emphasis,
            text,
            negate=self.negate,
            negation_crosses_sentences=self.vader,
        )

    def _valences(self, words: list[str], lowers: list[str]) -> list[float]:
        lexicon = self.lexicon
        n = len(words)
        capped = sum(1 for w in words if w.isupper())
        is_cap_diff = 0 < n - capped < n
        out: list[float] = []
        for i, low in enumerate(lowers):
            if low in _BOOSTERS or (low == "kind" and i < n - 1 and lowers[i + 1] == "of"):
                out.append(0.0)
                continue
            base = lexicon.get(low)
            if base is None:
                out.append(0.0)
                continue
            out.append(self._valence(words, lowers, i, base, is_cap_diff))
        return out

    def _valence(
        self, words: list[str], lowers: list[str], i: int, base: float, is_cap_diff: bool
    ) -> float:
        lexicon = self.lexicon
        valence = base
        if lowers[i] == "no" and i != len(words) - 1 and lowers[i + 1] in lexicon:
            valence = 0.0  # "no" negates the next word rather than counting itself
        if (
            (i > 0 and lowers[i - 1] == "no")
            or (i > 1 and lowers[i - 2] == "no")
            or (i > 2 and lowers[i - 3] == "no" and lowers[i - 1] in ("or", "nor"))
        ):
            valence = base * _vs.N_SCALAR
        if is_cap_diff and words[i].isupper():
            valence = valence + _vs.C_INCR if valence > 0 else valence - _vs.C_INCR
        for start_i in range(3):
            j = i - (start_i + 1)
            if j < 0 or lowers[j] in lexicon:
                continue
            s = _vs.scalar_inc_dec(words[j], valence, is_cap_diff)
            if s:
                s *= (1.0, 0.95, 0.9)[start_i]
            valence += s
            valence = self._negation(valence, lowers, start_i, i, self.negate)
            if start_i == 2:
                valence = self._idioms(valence, lowers, i)
        # "least" as negation (but not "at least" / "very least")
        if i > 1 and lowers[i - 1] == "least" and lowers[i - 1] not in lexicon:
            if lowers[i - 2] not in ("at", "very"):
                valence *= _vs.N_SCALAR
        elif i > 0 and lowers[i - 1] == "least" and lowers[i - 1] not in lexicon:
            valence *= _vs.N_SCALAR
        return valence

    @staticmethod
    def _negation(
        valence: float, lowers: list[str], start_i: int, i: int, negate: frozenset[str]
    ) -> float:
        if start_i == 0:
            return valence * _vs.N_SCALAR if _negated(lowers[i - 1], negate) else valence
        if start_i == 1:
            if lowers[i - 2] == "never" and lowers[i - 1] in _SO_THIS:
                return valence * 1.25
            if lowers[i - 2] == "without" and lowers[i - 1] == "doubt":
                return valence
            return valence * _vs.N_SCALAR if _negated(lowers[i - 2], negate) else valence
        if (lowers[i - 3] == "never" and lowers[i - 2] in _SO_THIS) or lowers[i - 1] in _SO_THIS:
            return valence * 1.25
        if lowers[i - 3] == "without" and "doubt" in (lowers[i - 2], lowers[i - 1]):
            return valence
        return valence * _vs.N_SCALAR if _negated(lowers[i - 3], negate) else valence

    @staticmethod
    def _idioms(valence: float, lowers: list[str], i: int) -> float:
        w3, w2, w1, w0 = lowers[i - 3], lowers[i - 2], lowers[i - 1], lowers[i]
        onezero = f"{w1} {w0}"
        twoonezero = f"{w2} {w1} {w0}"
        twoone = f"{w2} {w1}"
        threetwoone = f"{w3} {w2} {w1}"
        threetwo = f"{w3} {w2}"
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in _SPECIAL:
                valence = _SPECIAL[seq]
                break
        n = len(lowers)
        if n - 1 > i:
            zeroone = f"{w0} {lowers[i + 1]}"
            if zeroone in _SPECIAL:
                valence = _SPECIAL[zeroone]
        if n - 1 > i + 1:
            zeroonetwo = f"{w0} {lowers[i + 1]} {lowers[i + 2]}"
            if zeroonetwo in _SPECIAL:
                valence = _SPECIAL[zeroonetwo]
        for ngram in (threetwoone, threetwo, twoone):
            if ngram in _BOOSTERS:
                valence += _BOOSTERS[ngram]
        return valence
