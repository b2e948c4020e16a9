"""Word rules VADER lacks, applied to its valences after the lexicon pass.

* **"too" + a word VADER finds neutral** is a criticism ("too long", "too small", "too many
  steps"): "too" then carries :data:`TOO_VALENCE`.
* **"like" as a preposition** is not liking: after a verb of seeming or a comparison ("it
  looked like a video game", "tastes like cardboard", "more like water") it carries nothing.
* **"a joke"** is ridicule ("the service is a joke"; VADER +1.2) and **"a steal"** a bargain
  (VADER -2.2).
* **"nothing short of"** praises the word after it ("nothing short of brilliant"), which VADER
  reads as negated by "nothing".
* **"pretty" as a degree word** ("pretty forgettable", "pretty average") is not the adjective
  "pretty" (VADER +2.2): before an evaluative word it boosts that word, as "quite" would.

Each rule that fires leaves a cue.
"""

from sentiment.vader import N_SCALAR, Scored

TOO_VALENCE = -1.0
#: Words after which "too" does not criticise (the sentence moves on: "charges my laptop too,
#: which is a bonus"; "me too").
TOO_SKIP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "but",
        "or",
        "so",
        "as",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "than",
        "that",
        "this",
        "these",
        "those",
        "i",
        "me",
        "my",
        "we",
        "our",
        "us",
        "you",
        "your",
        "he",
        "she",
        "it",
        "its",
        "they",
        "them",
        "their",
        "is",
        "was",
        "are",
        "were",
        "be",
        "been",
        "much",
        "which",
        "who",
        "when",
        "if",
        "because",
        "though",
        "although",
        "now",
        "then",
        "again",
        "here",
        "there",
        "please",
        "lol",
        "haha",
        "honestly",
        "sadly",
        "unfortunately",
    ]
)
#: Words after which "like" compares rather than likes.
LIKE_AFTER = frozenset(
    [
        "look",
        "looks",
        "looked",
        "looking",
        "sound",
        "sounds",
        "sounded",
        "sounding",
        "feel",
        "feels",
        "felt",
        "feeling",
        "taste",
        "tastes",
        "tasted",
        "tasting",
        "smell",
        "smells",
        "smelled",
        "smelt",
        "seem",
        "seems",
        "seemed",
        "seeming",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "more",
        "just",
        "exactly",
        "something",
        "anything",
        "act",
        "acts",
        "acted",
        "treated",
        "treat",
        "things",
        "stuff",
    ]
)
#: Words after which "pretty" is a degree ("pretty average"), besides any evaluative word.
PRETTY_DEGREE = frozenset(
    [
        "much",
        "average",
        "standard",
        "basic",
        "ordinary",
        "generic",
        "similar",
        "typical",
        "sure",
        "well",
        "quickly",
        "fast",
        "slow",
        "quick",
        "loud",
        "small",
        "big",
        "long",
        "short",
        "cheap",
        "expensive",
        "simple",
        "easy",
        "hard",
        "thin",
        "thick",
        "heavy",
        "light",
        "low",
        "high",
        "plain",
        "late",
        "early",
        "rough",
    ]
)
#: How much "pretty" boosts the evaluative word after it (VADER's booster increment).
PRETTY_BOOST = 0.293


def apply(scored: Scored, cues: list[str]) -> None:
    """Apply the word rules to ``scored``'s valences in place; add a cue for each."""
    lowers = scored.lowers
    if "too" in lowers:
        _too(scored, cues)
    if "like" in lowers:
        _like(scored, cues)
    if "pretty" in lowers:
        _pretty(scored, cues)
    if "short" in lowers:
        _nothing_short_of(scored, cues)
    if "joke" in lowers or "steal" in lowers:
        _idiom_nouns(scored, cues)


def _starts(scored: Scored) -> set[int]:
    return {start for start, _ in scored.sentences}


def _too(scored: Scored, cues: list[str]) -> None:
    lowers, valences = scored.lowers, scored.valences
    starts = _starts(scored)
    for i in range(len(lowers) - 1):
        following = lowers[i + 1]
        if (
            lowers[i] == "too"
            and i + 1 not in starts
            and valences[i + 1] == 0
            and i + 1 not in scored.phrased
            and following not in TOO_SKIP
            and following.isalpha()
        ):
            valences[i] = TOO_VALENCE
            cues.append(f"criticism: 'too {following}' ({TOO_VALENCE:+g})")


def _like(scored: Scored, cues: list[str]) -> None:
    lowers, valences = scored.lowers, scored.valences
    for i in range(1, len(lowers)):
        if lowers[i] == "like" and valences[i] > 0 and lowers[i - 1] in LIKE_AFTER:
            valences[i] = 0.0
            cues.append(f"comparison, not liking: '{lowers[i - 1]} like'")


def _pretty(scored: Scored, cues: list[str]) -> None:
    lowers, valences = scored.lowers, scored.valences
    starts = _starts(scored)
    for i in range(len(lowers) - 1):
        if lowers[i] != "pretty" or i + 1 in starts or i in scored.phrased:
            continue
        following = valences[i + 1]
        if following or lowers[i + 1] in PRETTY_DEGREE:
            valences[i] = 0.0
            if following:
                valences[i + 1] = following + (PRETTY_BOOST if following > 0 else -PRETTY_BOOST)
            cues.append(f"degree, not praise: 'pretty {lowers[i + 1]}'")


def _nothing_short_of(scored: Scored, cues: list[str]) -> None:
    lowers, valences = scored.lowers, scored.valences
    for i in range(3, len(lowers)):
        if valences[i] and lowers[i - 3 : i] == ["nothing", "short", "of"]:
            valences[i] = valences[i] / N_SCALAR  # undo VADER's negation
            valences[i] += PRETTY_BOOST if valences[i] > 0 else -PRETTY_BOOST
            cues.append(f"intensifier: 'nothing short of {lowers[i]}'")


#: Nouns whose sense flips after "a" (or "an absolute", "a total", "such a"): the valence then.
IDIOM_NOUNS = {"joke": -1.5, "steal": 2.0}
_IDIOM_BEFORE = frozenset(["a", "an", "absolute", "complete", "total", "utter", "real", "such"])


def _idiom_nouns(scored: Scored, cues: list[str]) -> None:
    lowers, valences = scored.lowers, scored.valences
    for i in range(1, len(lowers)):
        valence = IDIOM_NOUNS.get(lowers[i])
        if valence is not None and lowers[i - 1] in _IDIOM_BEFORE and i not in scored.phrased:
            valences[i] = valence
            cues.append(f"idiom: '{lowers[i - 1]} {lowers[i]}' ({valence:+g})")
