"""The analysis of one mention: sentiment, complaint, aspects, and the cues that decided them.

Built on vaderSentiment (through :mod:`sentiment.vader`, VADER's rules in one pass). The steps:

1. **VADER** scores the whole text and each sentence, with VADER's lexicon plus the review words
   of :mod:`sentiment.lexicon` plus the company lexicon (which wins); review phrases
   (:mod:`sentiment.phrases`: "save your money", "we waited forty minutes", "the portions were
   tiny", "we didn't have to wait") are scored as a whole, and the word rules of
   :mod:`sentiment.rules` apply ("too small" criticises, "tastes like" compares, "pretty
   average" is a degree). Phrases, complaint families and aspects are found in one indexed
   pass over the text (:mod:`sentiment.patterns`); a complaint cue inside a phrase of praise
   ("never" in "never let me down") does not count.
2. **A bitter sentence** (compound <= -0.5) in an otherwise milder text pulls the score halfway
   towards it, so one angry sentence in a polite review is not averaged away.
3. **Complaint** (:mod:`sentiment.complaint`): a text that reads as a complaint is negative even
   without negative words — its score is capped at ``-(0.15 + 0.5·(complaint_score - 0.5))``.
   A text with words of praise is pulled towards the cap in proportion to how sure the
   complaint is (fully from complaint_score 0.8), so a weak complaint does not turn "it's
   fantastic" negative.
4. **Star rating**, when the source has one, weighs 60 %: ``0.6·(rating - 3)/2 + 0.4·score``;
   a 1–2 star review is at most -0.3 and a 4–5 star one at least 0.05 unless it is a complaint.
   The rating is evidence for the complaint score too.
5. **Aspects** (:mod:`sentiment.aspects`) say which part of the promise it is about.

**The learned layer** (:mod:`sentiment.learned`, the default; ``Analyzer(learned=False)`` is
the rules alone, ``grapevine-0.3``) replaces step 3's complaint score and the score of steps
1–2: two linear models over the text's word n-grams, stacked on what the rules said (their
score, VADER's compound and worst sentence, the complaint score and families). Its complaint
probability gets the same rating evidence as the rules; it calls a complaint only where the
rules find grounds for one (a complaint family besides the amplifiers, negative words, or
1–2 stars), so "Coffee prices rise again" stays no complaint. Its score is the rules' score
moved by the n-grams when they disagree by more than a dead band. Steps 3 (the cap) and 4
(the rating) then apply as above, and its cues ("learned complaint: 'still waiting' +0.41,
rule: waiting +0.88") come first, before the rules' own.

Every step that changed the outcome leaves a cue a person can read.

**Language first** (:mod:`sentiment.language`): every step above knows English only, so a text
in another language is never scored as English. Its analysis says ``language`` (ISO 639-1),
``scored=False``, no sentiment, label, complaint or aspects, and one cue ("not scored: German
(no language pack)"); it needs attention when rated 1–2 stars, and — with
``unscored_languages="triage"``, the default — always, so a person reads what the analyser
cannot ("skip": by the rating alone). A text too short to tell counts as English.
"""

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sentiment import language as languages
from sentiment import packs, rules
from sentiment.aspects import AspectTagger
from sentiment.complaint import ComplaintDetector
from sentiment.complaint import grounded as complaint_grounded
from sentiment.learned import MODEL_NAME, LearnedModel, stacked, tokens
from sentiment.packs import ComplaintWeights, Pack, load_pack
from sentiment.patterns import PatternSet
from sentiment.vader import Scored, VaderScorer

#: The analyser version of the default (learned) analyser, stored with each mention.
VERSION = f"grapevine-0.4+{MODEL_NAME}"
#: The rules alone (``Analyzer(learned=False)``): unchanged since grapevine-0.3.
RULES_VERSION = "grapevine-0.3"
NEGATIVE, NEUTRAL, POSITIVE = "negative", "neutral", "positive"
#: VADER's own thresholds for the three classes (Hutto & Gilbert 2014).
THRESHOLD = 0.05
#: A sentence at or below this compound is "bitter".
BITTER = -0.5
#: How far a bitter sentence pulls the whole score towards it.
BITTER_PULL = 0.5
#: The bitter-sentence rule needs this many sentences (with two, VADER's "but" rule and the
#: whole-text score already weigh the bitter one).
BITTER_MIN_SENTENCES = 2
#: From this complaint score on, a complaint is negative whatever its words.
CAP_FROM = 0.5
#: The same for the learned layer, whose sentiment head reads the complaint evidence already.
LEARNED_CAP_FROM = 0.5
#: The learned layer calls a complaint only where the rules find grounds for one (a complaint
#: family besides the amplifiers, negative words, or a 1–2 star rating); elsewhere its
#: complaint score stays below the line.
LEARNED_NEEDS_GROUNDS = True
UNGROUNDED_MAX = 0.45
#: A complaint caps the score at -(COMPLAINT_FLOOR + COMPLAINT_SLOPE·(complaint_score - 0.5)).
COMPLAINT_FLOOR = 0.15
COMPLAINT_SLOPE = 0.5
#: A text with words of praise is pulled to the cap in proportion to how sure the complaint
#: is: fully from complaint_score 0.5 + SURE_SPAN on.
SURE_SPAN = 0.3
#: The weight of a star rating against the words.
RATING_WEIGHT = 0.6

#: A text too short to tell is taken for this language (the brand's default).
DEFAULT_LANGUAGE = "en"
#: What becomes of a mention in a language without a pack: a person reads it ("triage") or
#: only its rating decides ("skip"); ``[analysis] unscored_languages``.
UNSCORED_POLICIES = ("triage", "skip")

_PHRASE = "grapevinephrase"


def scored_languages() -> frozenset[str]:
    """The languages the analysis can score: those with a language pack."""
    return frozenset(packs.available())


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the sentiment stage says about one text.

    ``sentiment`` and ``label`` are None when the text is not scored (``scored=False``: a
    language without a pack, :attr:`language` says which).
    """

    sentiment: float | None
    label: str | None
    complaint: bool
    complaint_score: float
    aspects: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    version: str = VERSION
    rating: float | None = field(default=None, compare=False)
    language: str | None = DEFAULT_LANGUAGE
    scored: bool = True
    #: an unscored mention needs attention whatever its rating ("triage")
    triage_unscored: bool = field(default=True, compare=False)

    @property
    def needs_attention(self) -> bool:
        """A complaint, a negative mention or a 1–2 star rating: someone should look at it;
        a mention not scored, too, under the "triage" policy."""
        return (
            self.complaint
            or self.label == NEGATIVE
            or (self.rating is not None and self.rating <= 2)
            or (not self.scored and self.triage_unscored)
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``grapevine score`` output, storage columns)."""
        return {
            "language": self.language,
            "scored": self.scored,
            "sentiment": None if self.sentiment is None else round(self.sentiment, 4),
            "label": self.label,
            "complaint": self.complaint,
            "complaint_score": round(self.complaint_score, 4),
            "aspects": list(self.aspects),
            "cues": list(self.cues),
            "version": self.version,
        }


@dataclass(slots=True)
class Reading:
    """VADER's reading of a text: the scores of the whole and of each sentence."""

    scored: Scored
    whole: float
    sentence_scores: list[float]
    worst: float
    lowered: str
    cues: list[str]
    #: complaint families found: ``{family: the words that matched}``
    families: dict[str, str]
    #: aspects found: ``{aspect: the word that matched}``, in text order
    aspects: dict[str, str]


def label_for(score: float) -> str:
    """The three-class label for a compound score."""
    if score <= -THRESHOLD:
        return NEGATIVE
    if score >= THRESHOLD:
        return POSITIVE
    return NEUTRAL


def _split_lexicon(
    lexicon: Mapping[str, float] | None,
) -> tuple[dict[str, float], list[tuple[re.Pattern[str], str, str]]]:
    """Single words go to VADER as they are; a phrase ("Dark Horse") becomes one placeholder
    word with the phrase's valence, substituted before scoring."""
    words: dict[str, float] = {}
    phrases: list[tuple[re.Pattern[str], str, str]] = []
    for entry, valence in (lexicon or {}).items():
        entry = entry.strip()
        if not entry:
            continue
        if len(entry.split()) == 1:
            words[entry.lower()] = float(valence)
        else:
            token = f"{_PHRASE}{len(phrases)}"
            words[token] = float(valence)
            pattern = re.compile(r"\b" + r"\s+".join(map(re.escape, entry.split())) + r"\b", re.I)
            phrases.append((pattern, token, entry))
    return words, phrases


def grounded(
    found: Iterable[tuple[str, str]],
    sentiment: float,
    worst: float,
    rating: float | None,
    complaint: ComplaintWeights | None = None,
) -> bool:
    """Whether the rules see grounds for a complaint (:func:`sentiment.complaint.grounded`,
    or a rating of 2 stars or fewer)."""
    if rating is not None and rating <= 2:
        return True
    return complaint_grounded([name for name, _ in found], sentiment, worst, complaint)


def _capped(score: float, complaint_score: float) -> tuple[float, str]:
    """Step 3: a complaint is negative whatever its words (a weak one only pulls the score
    down); the new score and the cue that says so ("" when nothing changed)."""
    if complaint_score < CAP_FROM:
        return score, ""
    cap = -(COMPLAINT_FLOOR + COMPLAINT_SLOPE * (complaint_score - 0.5))
    if score <= cap:
        return score, ""
    # words of praise hold out against a weak complaint, not against a sure one
    pull = 1.0 if score < THRESHOLD else min(1.0, (complaint_score - 0.5) / SURE_SPAN)
    score += pull * (cap - score)
    if pull == 1.0:
        return score, f"a complaint ({complaint_score:.2f}) is negative whatever its words"
    return score, f"a complaint ({complaint_score:.2f}) pulls the score down"


def _key_words(scored: Scored, sign: int, limit: int = 3) -> list[str]:
    """The strongest words of one sign (not those a phrase took over), strongest first."""
    skip = scored.phrased
    ranked = sorted(
        (sign * v, i) for i, v in enumerate(scored.valences) if v and (v > 0) == (sign > 0)
    )
    seen: list[str] = []
    for _, i in reversed(ranked):
        word = scored.lowers[i]
        if i not in skip and word not in seen and not word.startswith(_PHRASE):
            seen.append(word)
            if len(seen) == limit:
                break
    return seen


class Analyzer:
    """Reusable analyser: VADER plus a company lexicon, complaint cues and aspects."""

    def __init__(
        self,
        *,
        lexicon: Mapping[str, float] | None = None,
        aspects: Mapping[str, Iterable[str]] | None = None,
        learned: bool = True,
        model: LearnedModel | None = None,
        detect_language: bool = True,
        unscored_languages: str = "triage",
        pack: Pack | None = None,
        models: Mapping[str, LearnedModel] | None = None,
    ) -> None:
        """``learned=False`` gives the rules alone (:data:`RULES_VERSION`); ``model`` replaces
        the pack's learned model (loaded once with the pack, :func:`sentiment.packs.load_pack`).
        ``pack`` is the language pack (English by default); a text detected in another
        language that has a pack is analysed with that pack (``models``: a model to use in
        place of a pack's own, by language). ``detect_language=False`` scores every text in
        the pack's language (as before language detection); ``unscored_languages`` is one of
        :data:`UNSCORED_POLICIES`."""
        if unscored_languages not in UNSCORED_POLICIES:
            raise ValueError(f"unscored_languages must be one of {UNSCORED_POLICIES}")
        self._pack = pack = pack or load_pack(DEFAULT_LANGUAGE)
        self.language = pack.lang
        self._options: dict[str, Any] = {
            "lexicon": lexicon,
            "learned": learned,
            "unscored_languages": unscored_languages,
            "models": models,
        }
        self._others: dict[str, Analyzer] = {}
        self._detect = detect_language
        self._triage_unscored = unscored_languages == "triage"
        model = model or (models or {}).get(pack.lang) or pack.model
        self._model = model if learned else None
        self.version = f"grapevine-0.4+{self._model.name}" if self._model else RULES_VERSION
        self._constants = pack.complaint
        self._rules = pack.rules
        self._phrase_valence = {name: valence for name, valence, _ in pack.phrases}
        words, self._phrases = _split_lexicon(lexicon)
        #: the company lexicon's words, which the learned n-grams leave to the lexicon
        self._ignore = frozenset(
            word for entry in (lexicon or {}) for word in tokens(entry) if word not in "0#!?"
        )
        self._lexicon = words
        self._vader = VaderScorer(
            {**pack.lexicon, **pack.overrides, **words},
            vader=pack.vader,
            negations=pack.negations,
        )
        self._aspects = AspectTagger(aspects, defaults=pack.aspects)
        self._complaints = ComplaintDetector(pack=pack)
        groups = [
            *((name, patterns) for name, _, patterns in pack.phrases),
            *((family.name, family.patterns) for family in pack.families),
            *self._aspects.groups,
        ]
        self._patterns = PatternSet(groups)
        self._names = [name for name, _ in groups]
        self._phrases_end = len(pack.phrases)
        self._families_end = self._phrases_end + len(pack.families)

    def _substitute_phrases(self, text: str, cues: list[str]) -> str:
        """Replace each company phrase by its placeholder word (scored with its valence)."""
        for pattern, token, entry in self._phrases:
            text, count = pattern.subn(token, text)
            if count:
                cues.append(f"company lexicon: '{entry}' ({self._lexicon[token]:+g})")
        return text

    def read(self, text: str) -> Reading:
        """Step 1: VADER over the whole text and each sentence, phrases and lexicons applied."""
        cues: list[str] = []
        if "\u2019" in text:  # a typographic apostrophe: "don’t" is "don't"
            text = text.replace("\u2019", "'")
        scan_text = self._substitute_phrases(text, cues) if self._phrases else text
        scored = self._vader.scan(scan_text)
        lowered = scored.text.lower()
        # one pass over the text for phrases, complaint families and aspects
        names, phrases_end, families_end = self._names, self._phrases_end, self._families_end
        families: dict[str, str] = {}
        aspects: dict[str, str] = {}
        reached = 0
        praised = 0  # no complaint cue inside praise or a neutral term ("never let me down")
        against, phrase_valence = self._constants.against, self._phrase_valence
        for start, negative_end, group in self._patterns.matches(lowered, every=phrases_end):
            end = -negative_end
            name = names[group]
            if group < phrases_end:
                if start >= reached:
                    valence = phrase_valence[name]
                    given = scored.override(start, end, valence)
                    negated = " negated" if given != valence else ""
                    cues.append(f"phrase: {name}{negated} ('{lowered[start:end]}', {given:+.3g})")
                    reached = end
                    praised = 1 if given >= 0 else 0
            elif group < families_end:
                if name not in families and not (
                    praised and start < reached and name not in against
                ):
                    families[name] = lowered[start:end].strip()
            elif name not in aspects:
                aspects[name] = lowered[start:end].strip()
        if self._rules is not None:
            rules.apply(scored, cues, self._rules)
        whole = scored.compound()
        many = len(scored.sentences) > 1
        sentence_scores = scored.sentence_compounds() if many else [whole]
        if self._lexicon:
            for word in sorted(self._lexicon.keys() & set(scored.lowers)):
                if not word.startswith(_PHRASE):
                    cues.append(f"company lexicon: '{word}' ({self._lexicon[word]:+g})")
        for sign, kind in ((-1, "negative"), (1, "positive")):
            words = _key_words(scored, sign)
            if words:
                cues.append(f"{kind} words: " + ", ".join(f"'{w}'" for w in words))
        return Reading(
            scored,
            whole,
            sentence_scores,
            min(sentence_scores, default=0.0),
            lowered,
            cues,
            families,
            aspects,
        )

    def _bitter(self, reading: Reading) -> float:
        """Step 2: a bitter sentence pulls the score of a milder text towards it."""
        whole, worst, sentence_scores = reading.whole, reading.worst, reading.sentence_scores
        if len(sentence_scores) >= BITTER_MIN_SENTENCES and worst <= BITTER and worst < whole:
            number = sentence_scores.index(worst) + 1
            reading.cues.append(
                f"sentence {number} of {len(sentence_scores)} is bitter ({worst:+.2f}); "
                f"it weighs more than the average"
            )
            return whole + BITTER_PULL * (worst - whole)
        return whole

    def _stacked(self, reading: Reading, score: float) -> tuple[dict[str, float], Any]:
        """The rules' outputs for the learned layer, from the words alone (no rating), and
        the complaint evidence they came from."""
        evidence = self._complaints.score(
            reading.lowered,
            sentiment=reading.whole,
            worst_sentence=reading.worst,
            found=reading.families,
        )
        rules_score, _ = _capped(score, evidence.score)
        features = stacked(
            rules_sentiment=rules_score,
            compound=reading.whole,
            worst=reading.worst,
            complaint_score=evidence.score,
            families=(name for name, _ in evidence.found),
        )
        return features, evidence

    def features(self, text: str) -> dict[str, float]:
        """The stacked features of ``text``, as the learned layer sees them (for training)."""
        reading = self.read(text or "")
        return self._stacked(reading, self._bitter(reading))[0]

    def analyze(
        self, text: str, *, rating: float | None = None, source: str | None = None
    ) -> Analysis:
        """Analyse one text; ``rating`` (1–5) weighs heavily when the source has one.

        ``source`` (the source type) is accepted for the pipeline's interface; the analysis
        is the same for every source.
        """
        text = text or ""
        language = languages.detect(text) if self._detect else self.language
        if language is not None and language != self.language:
            other = self._other(language)
            if other is None:
                return self._unscored(language, rating)
            return other.analyze(text, rating=rating, source=source)
        reading = self.read(text)
        cues = reading.cues
        whole, worst = reading.whole, reading.worst
        score = self._bitter(reading)
        if self._model is None:
            evidence = self._complaints.score(
                reading.lowered,
                sentiment=whole,
                worst_sentence=worst,
                rating=rating,
                found=reading.families,
            )
            complaint_score = evidence.score
            cues.extend(evidence.cues())
        else:
            features, evidence = self._stacked(reading, score)
            prediction = self._model.predict(text, features, ignore=self._ignore)
            z = prediction.complaint_logit
            if rating is not None:
                evidence_weight = self._constants.rating_evidence
                z += evidence_weight * (3.0 - max(1.0, min(5.0, float(rating)))) / 2.0
            complaint_score = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            found = evidence.found
            if LEARNED_NEEDS_GROUNDS and not grounded(found, whole, worst, rating, self._constants):
                # as in the rules: "again", "all day", "my order" alone are no complaint
                complaint_score = min(complaint_score, UNGROUNDED_MAX)
            score = prediction.sentiment
            cues[:0] = prediction.cues  # what drove the decision comes first
            cues.extend(evidence.cues())
        complaint = complaint_score >= 0.5
        if complaint_score >= (CAP_FROM if self._model is None else LEARNED_CAP_FROM):
            score, cue = _capped(score, complaint_score)
            if cue:
                cues.append(cue)
        if rating is not None:
            rating = float(rating)
            stars = (rating - 3.0) / 2.0
            score = RATING_WEIGHT * stars + (1 - RATING_WEIGHT) * score
            if rating <= 2:
                score = min(score, -0.3)
            elif rating >= 4 and not complaint:
                score = max(score, THRESHOLD)
            cues.append(f"rated {rating:g} of 5 (weighs {RATING_WEIGHT:.0%})")
        score = max(-1.0, min(1.0, score))
        label = label_for(score)
        # a word's own sign is a cue only where the text agrees with it: in "their support
        # never replies" (negative) 'support' is no positive word, whatever VADER's list says
        against = {NEGATIVE: "positive words: ", POSITIVE: "negative words: "}.get(label)
        if against:
            cues = [cue for cue in cues if not cue.startswith(against)]
        aspects = list(reading.aspects.items())
        cues.extend(f"{name}: '{word}'" for name, word in aspects)
        return Analysis(
            sentiment=score,
            label=label,
            complaint=complaint,
            complaint_score=complaint_score,
            aspects=tuple(name for name, _ in aspects),
            cues=tuple(cues),
            version=self.version,
            rating=rating,
            language=language or self.language,
        )

    def _other(self, language: str) -> "Analyzer | None":
        """The analyser of another language's pack (built on first use), or None without one."""
        if language in self._others:
            return self._others[language]
        try:
            pack = load_pack(language)
        except KeyError:
            other = None
        else:
            other = Analyzer(pack=pack, detect_language=False, **self._options)
        self._others[language] = other  # type: ignore[assignment]
        return other

    def _unscored(self, language: str, rating: float | None) -> Analysis:
        """A text in a language without a pack: not scored, only its rating counts."""
        cues = [f"not scored: {languages.name(language)} (no language pack)"]
        if rating is not None:
            rating = float(rating)
            cues.append(f"rated {rating:g} of 5")
        return Analysis(
            sentiment=None,
            label=None,
            complaint=False,
            complaint_score=0.0,
            cues=tuple(cues),
            version=self.version,
            rating=rating,
            language=language,
            scored=False,
            triage_unscored=self._triage_unscored,
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
