"""The learned layer: two linear models over word n-grams stacked on the rules' outputs.

The rules (:mod:`sentiment.analyzer`'s VADER, phrases, word rules and complaint families) are
precise but only grow by writing more of them. Over them sit two linear models, trained by
``benchmarks/sentiment/train.py`` on public labelled sets (the model card,
``sentiment/packs/en/README.md``, says which); the artefact sits in the language pack
(:mod:`sentiment.packs`) and is loaded with it:

* **complaint**: a logistic regression giving the complaint probability;
* **sentiment**: a ridge regression moving the rules' -1..1 score.

Both read the same n-grams: the TF-IDF weights of the text's word unigrams and bigrams
(sublinear term frequency, L2-normalised, as scikit-learn's ``TfidfVectorizer``). The
complaint head also reads the *stacked* features of :func:`stacked`, what the rules said:
their sentiment, VADER's compound (and its positive part) for the text and its worst
sentence, the rules' complaint score (and its logit) and each complaint family that counted;
the sentiment head starts from the rules' sentiment. So the rules stay as features and as the
explanation, and the n-grams learn what the rules do not know ("no one has called me back",
"the worst airline").

After the heads, :class:`sentiment.analyzer.Analyzer` adds the rating evidence, calls a
complaint only where the rules find grounds for one, and caps a complaint's score as the
rules do.

Decisions:

* **Word n-grams only.** Character 3–5-grams were measured
  (``benchmarks/sentiment/char_ngrams.py``): extracting them costs five times the word
  n-grams (35 against 7 µs a text, a quarter of the whole analysis, before the look-ups) for
  complaint F1 +0.005 on the tweets about companies and -0.023 on the airline tweets, left
  out in turn. They do not pay.
* **The sentiment head learns what to add to the rules' score** (a ridge regression on the
  residual, over the n-grams), and that only counts beyond a dead band: fitted on the rules'
  features too, it learned to shrink the rules' score and its n-grams overrode the phrases
  the rules read right ("battery lasts all day", "it hasn't crashed once").
* **Inference is plain Python** over the stored weights: a dict lookup per n-gram and one dot
  product, no numpy or scikit-learn at run time (they are needed to train only), so the
  analyser stays light to import and fork.
* **The artefact is JSON**, loaded with :func:`json.load` (no pickle: loading a model file
  runs no code), once per process (:func:`default_model` is cached; ``grapevine score`` forks
  its workers after loading it, the analysis worker keeps its analysers).
* **Rating and source type** are not learned: none of the labelled complaint data has a star
  rating or a source type, so a weight for them would be a guess. The rating stays hand-set
  evidence, as in the rules (``RATING_EVIDENCE`` added to the complaint logit, then the 60 %
  weight on the score); the source type is accepted and not used.
"""

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The shipped model's name; ``analyser_version`` is ``grapevine-0.4+<name>``.
MODEL_NAME = "lr1"
#: Where the English pack keeps the shipped model (``sentiment/packs/en/``).
MODEL_DIR = Path(__file__).resolve().parent / "packs" / "en"
#: The artefact format this code reads.
FORMAT = 1
#: A contribution smaller than this (to the logit or the score) is not worth a cue.
CUE_MIN = 0.02

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_TOKEN = re.compile(r"[a-z][a-z']*|[0#]|[!?]")


def tokens(text: str) -> list[str]:
    """Lower-case word tokens: links, @handles and numbers each become one placeholder
    (``url``, ``#``, ``0``), so the model learns "@ still waiting", not an airline's name."""
    lowered = text.lower().replace("\u2019", "'")
    lowered = _URL.sub(" url ", lowered)
    lowered = _HANDLE.sub(" # ", lowered)
    lowered = _NUMBER.sub(" 0 ", lowered)
    return _TOKEN.findall(lowered)


def ngrams(text: str) -> list[str]:
    """The unigrams and bigrams of :func:`tokens` (the vectoriser's analyser, train and run)."""
    words = tokens(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


_LETTERS_TOKEN = re.compile(r"[^\W\d_][^\W\d_']*|[0#]|[!?]")


def letter_tokens(text: str) -> list[str]:
    """:func:`tokens` for a language written with letters beyond a-z (German "übermäßig" is
    one word, not "bermig")."""
    lowered = text.lower().replace("\u2019", "'")
    lowered = _URL.sub(" url ", lowered)
    lowered = _HANDLE.sub(" # ", lowered)
    lowered = _NUMBER.sub(" 0 ", lowered)
    return _LETTERS_TOKEN.findall(lowered)


def analyzer_for(spec: Mapping[str, Any] | None) -> Callable[[str], list[str]]:
    """The n-gram analyser an artefact names (``"analyzer": {"words": "letters", "char":
    [3, 5]}``); none named: :func:`ngrams`, the English model's.

    ``char`` adds the character n-grams of each word (``~`` first, ``<`` and ``>`` at the
    word's ends), so a compound ("Zugausfall", "Verspätungsalarm") shares n-grams with its
    parts."""
    if not spec:
        return ngrams
    split = letter_tokens if spec.get("words") == "letters" else tokens
    low, high = (int(n) for n in spec.get("char") or (0, -1))

    def analyse(text: str) -> list[str]:
        words = split(text)
        out = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
        for word in words:
            if len(word) < 2:
                continue
            marked = f"<{word}>"
            for n in range(low, high + 1):
                out += ["~" + marked[i : i + n] for i in range(len(marked) - n + 1)]
        return out

    return analyse


#: The stacked features besides the families, in artefact order.
SIGNALS = (
    "rules sentiment",
    "compound",
    "positivity",
    "worst sentence",
    "rules complaint",
    "rules complaint logit",
)


def stacked(
    *,
    rules_sentiment: float,
    compound: float,
    worst: float,
    complaint_score: float,
    families: Iterable[str],
) -> dict[str, float]:
    """What the rules said about a text, as named features (families prefixed ``family:``)."""
    p = min(max(complaint_score, 1e-6), 1 - 1e-6)
    out = {
        "rules sentiment": rules_sentiment,
        "compound": compound,
        "positivity": max(0.0, compound),
        "worst sentence": worst,
        "rules complaint": complaint_score,
        "rules complaint logit": max(-6.0, min(6.0, math.log(p / (1 - p)))) / 6.0,
    }
    for name in families:
        out[f"family: {name}"] = 1.0
    return out


@dataclass(frozen=True, slots=True)
class Prediction:
    """The learned layer's reading of one text."""

    #: the complaint logit before any rating evidence
    complaint_logit: float
    #: the -1..1 score (clipped)
    sentiment: float
    cues: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Head:
    bias: float
    features: Mapping[str, float]


class LearnedModel:
    """The two linear heads over one vocabulary, loaded from the JSON artefact."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"model format {data.get('format')!r}; this code reads {FORMAT}")
        self.name = str(data["name"])
        vocabulary: Sequence[str] = data["vocabulary"]
        idf: Sequence[float] = data["idf"]
        complaint, sentiment = data["complaint"], data["sentiment"]
        if not (len(vocabulary) == len(idf) == len(complaint["terms"]) == len(sentiment["terms"])):
            raise ValueError("model arrays differ in length")
        #: n-gram -> (idf, complaint weight, sentiment weight)
        self.terms: dict[str, tuple[float, float, float]] = {
            term: (float(i), float(c), float(s))
            for term, i, c, s in zip(
                vocabulary, idf, complaint["terms"], sentiment["terms"], strict=True
            )
        }
        self.complaint = _Head(float(complaint["bias"]), dict(complaint["features"]))
        self.sentiment = _Head(float(sentiment["bias"]), dict(sentiment["features"]))
        #: how far the n-grams must move the rules' score before they change it at all
        self.deadband = float(sentiment.get("deadband", 0.0))
        #: a head fit on the target itself (n-grams and the rules' features), not on what to
        #: add to the rules' score
        self.direct = bool(sentiment.get("direct", False))
        #: the artefact's n-gram analyser (English word n-grams unless it names another)
        self.analyzer_spec: Mapping[str, Any] | None = data.get("analyzer")
        self.ngrams = analyzer_for(self.analyzer_spec)

    @classmethod
    def load(cls, path: Path) -> "LearnedModel":
        with open(path, encoding="utf-8") as handle:
            return cls(json.load(handle))

    def predict(
        self,
        text: str,
        features: Mapping[str, float],
        *,
        explain: bool = True,
        ignore: frozenset[str] = frozenset(),
    ) -> Prediction:
        """Score ``text`` with the stacked ``features`` (:func:`stacked`). N-grams with a word
        of ``ignore`` (the company lexicon's words: the company's say wins) do not count."""
        terms = self.terms
        grams = self.ngrams(text)
        if ignore:
            grams = [gram for gram in grams if not ignore.intersection(gram.split())]
        counts = Counter(filter(terms.__contains__, grams))
        # one pass: the unscaled contributions of each n-gram, scaled by the L2 norm after
        norm = zc_raw = zs_raw = 0.0
        to_complaint: list[tuple[float, str]] = []
        to_sentiment: list[tuple[float, str]] = []
        log = math.log
        add_c, add_s = to_complaint.append, to_sentiment.append
        for gram, count in counts.items():
            idf, wc, ws = terms[gram]
            value = idf if count == 1 else (1.0 + log(count)) * idf
            norm += value * value
            c = value * wc
            v = value * ws
            zc_raw += c
            zs_raw += v
            add_c((c, gram))
            add_s((v, gram))
        scale = 1.0 / math.sqrt(norm) if norm else 0.0
        zc = self.complaint.bias + scale * zc_raw
        zs = self.sentiment.bias + scale * zs_raw
        cw, sw = self.complaint.features, self.sentiment.features
        for name, value in features.items():
            zc += cw.get(name, 0.0) * value
            zs += sw.get(name, 0.0) * value
        # the rules' reading stands unless the n-grams move it by more than the dead band (a
        # direct head: the whole score must clear the dead band)
        rules = (
            0.0
            if self.direct
            else features.get("rules sentiment", 0.0) * sw.get("rules sentiment", 0.0)
        )
        moved = zs - rules
        if abs(moved) <= self.deadband:
            moved = 0.0
        else:
            moved -= self.deadband if moved > 0 else -self.deadband
        sentiment = max(-1.0, min(1.0, rules + moved))
        cues: tuple[str, ...] = ()
        if explain:
            cues = self._cues(to_complaint, to_sentiment, scale, features, zc)
        return Prediction(zc, sentiment, cues)

    def _cues(
        self,
        to_complaint: list[tuple[float, str]],
        to_sentiment: list[tuple[float, str]],
        scale: float,
        features: Mapping[str, float],
        zc: float,
    ) -> tuple[str, ...]:
        """The n-grams and rule features that pushed the complaint decision most its way,
        and the n-grams that moved the sentiment most (contributions to the logit / score)."""
        out = []
        sign = 1.0 if zc >= 0 else -1.0
        limit = CUE_MIN / scale if scale else math.inf
        top = sorted(to_complaint, reverse=sign > 0)[:3]
        parts = [f"'{_shown(g)}' {c * scale:+.2f}" for c, g in top if sign * c >= limit]
        weights = self.complaint.features
        rules = sorted(
            (
                (weights.get(name, 0.0) * value, name[8:])
                for name, value in features.items()
                if name.startswith("family: ")
            ),
            reverse=sign > 0,
        )
        parts += [f"rule: {name} {w:+.2f}" for w, name in rules[:2] if sign * w >= CUE_MIN]
        if parts:
            kind = "complaint" if zc >= 0 else "not a complaint"
            out.append(f"learned {kind}: " + ", ".join(parts))
        ranked = sorted(to_sentiment)
        ends = ranked[:3] + ranked[-3:] if len(ranked) > 6 else ranked
        moves = sorted(ends, key=lambda item: -abs(item[0]))[:3]
        shown = [f"'{_shown(g)}' {v * scale:+.2f}" for v, g in moves if abs(v) >= limit]
        if shown:
            out.append("learned sentiment: " + ", ".join(shown))
        return tuple(out)


_SHOWN = {"0": "<number>", "#": "<@handle>", "url": "<link>"}


def _shown(gram: str) -> str:
    """An n-gram as a person reads it: the placeholders of :func:`tokens` spelled out, a
    character n-gram as ``…ausfall…``."""
    if gram.startswith("~"):
        inner = gram[1:]
        head = inner[1:] if inner.startswith("<") else "…" + inner
        return head[:-1] if head.endswith(">") else head + "…"
    return " ".join(_SHOWN.get(word, word) for word in gram.split())


def model_path(name: str = MODEL_NAME) -> Path:
    """The artefact of a model shipped in the English pack."""
    return MODEL_DIR / f"{name}.json"


@functools.cache
def load_model(path: Path) -> LearnedModel:
    """The model at ``path``, loaded on first use and kept for the life of the process
    (a language pack's model comes from here: :func:`sentiment.packs.load_pack`)."""
    return LearnedModel.load(path.resolve())


def default_model() -> LearnedModel:
    """The English pack's shipped model, loaded once per process (the pack holds the same
    object)."""
    return load_model(model_path())
