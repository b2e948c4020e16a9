"""Word rules VADER lacks, applied to its valences after the lexicon pass.

* **"too" + a word VADER finds neutral** is a criticism ("too long", "too small", "too many
  steps"): "too" then carries ``too_valence``.
* **"like" as a preposition** is not liking: after a verb of seeming or a comparison ("it
  looked like a video game", "tastes like cardboard", "more like water") it carries nothing.
* **"a joke"** is ridicule ("the service is a joke"; VADER +1.2) and **"a steal"** a bargain
  (VADER -2.2).
* **"nothing short of"** praises the word after it ("nothing short of brilliant"), which VADER
  reads as negated by "nothing".
* **"pretty" as a degree word** ("pretty forgettable", "pretty average") is not the adjective
  "pretty" (VADER +2.2): before an evaluative word it boosts that word, as "quite" would.

Each rule that fires leaves a cue. The words each rule looks for are data, in the language
pack's ``rules.toml`` (:mod:`sentiment.packs`); a pack without one has no word rules.
"""

from typing import Any

from sentiment.packs import WordRules, load_pack
from sentiment.vader import N_SCALAR, Scored

_LAZY = {
    "TOO_VALENCE": "too_valence",
    "TOO_SKIP": "too_skip",
    "LIKE_AFTER": "like_after",
    "PRETTY_DEGREE": "pretty_degree",
    "PRETTY_BOOST": "pretty_boost",
    "IDIOM_NOUNS": "idiom_nouns",
}


def __getattr__(name: str) -> Any:
    """The English pack's word lists (``rules.toml``) under their old names, read on first use."""
    if name in _LAZY:
        return getattr(load_pack("en").rules, _LAZY[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def apply(scored: Scored, cues: list[str], rules: WordRules | None = None) -> None:
    """Apply the word rules to ``scored``'s valences in place; add a cue for each.

    ``rules`` are the pack's word lists (the English pack's by default)."""
    r = rules if rules is not None else load_pack("en").rules
    if r is None:
        return
    lowers = scored.lowers
    if "too" in lowers:
        _too(scored, cues, r)
    if "like" in lowers:
        _like(scored, cues, r)
    if "pretty" in lowers:
        _pretty(scored, cues, r)
    if "short" in lowers:
        _nothing_short_of(scored, cues, r)
    if any(noun in lowers for noun in r.idiom_nouns):
        _idiom_nouns(scored, cues, r)


def _starts(scored: Scored) -> set[int]:
    return {start for start, _ in scored.sentences}


def _too(scored: Scored, cues: list[str], r: WordRules) -> None:
    lowers, valences = scored.lowers, scored.valences
    starts = _starts(scored)
    for i in range(len(lowers) - 1):
        following = lowers[i + 1]
        if (
            lowers[i] == "too"
            and i + 1 not in starts
            and valences[i + 1] == 0
            and i + 1 not in scored.phrased
            and following not in r.too_skip
            and following.isalpha()
        ):
            valences[i] = r.too_valence
            cues.append(f"criticism: 'too {following}' ({r.too_valence:+g})")


def _like(scored: Scored, cues: list[str], r: WordRules) -> None:
    lowers, valences = scored.lowers, scored.valences
    for i in range(1, len(lowers)):
        if lowers[i] == "like" and valences[i] > 0 and lowers[i - 1] in r.like_after:
            valences[i] = 0.0
            cues.append(f"comparison, not liking: '{lowers[i - 1]} like'")


def _pretty(scored: Scored, cues: list[str], r: WordRules) -> None:
    lowers, valences = scored.lowers, scored.valences
    starts = _starts(scored)
    boost = r.pretty_boost
    for i in range(len(lowers) - 1):
        if lowers[i] != "pretty" or i + 1 in starts or i in scored.phrased:
            continue
        following = valences[i + 1]
        if following or lowers[i + 1] in r.pretty_degree:
            valences[i] = 0.0
            if following:
                valences[i + 1] = following + (boost if following > 0 else -boost)
            cues.append(f"degree, not praise: 'pretty {lowers[i + 1]}'")


def _nothing_short_of(scored: Scored, cues: list[str], r: WordRules) -> None:
    lowers, valences = scored.lowers, scored.valences
    boost = r.pretty_boost
    for i in range(3, len(lowers)):
        if valences[i] and lowers[i - 3 : i] == ["nothing", "short", "of"]:
            valences[i] = valences[i] / N_SCALAR  # undo VADER's negation
            valences[i] += boost if valences[i] > 0 else -boost
            cues.append(f"intensifier: 'nothing short of {lowers[i]}'")


def _idiom_nouns(scored: Scored, cues: list[str], r: WordRules) -> None:
    """Nouns whose sense flips after "a" (or "an absolute", "a total", "such a")."""
    lowers, valences = scored.lowers, scored.valences
    for i in range(1, len(lowers)):
        valence = r.idiom_nouns.get(lowers[i])
        if valence is not None and lowers[i - 1] in r.idiom_before and i not in scored.phrased:
            valences[i] = valence
            cues.append(f"idiom: '{lowers[i - 1]} {lowers[i]}' ({valence:+g})")
