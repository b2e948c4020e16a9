"""The prefix index finds exactly what searching every pattern finds."""

import re

import pytest

from sentiment.complaint import FAMILIES
from sentiment.patterns import PatternSet, prefixes, word_starts
from sentiment.phrases import REVIEW_PHRASES

TEXTS = [
    "still waiting on hold for 2 hours, no reply from anyone",
    "why can't i log in? #fail",
    "order #123456 never arrived; where's my parcel?",
    "cancelled my plan and got charged again, want a refund",
    "thank you, the coffee is lovely",
    "it stopped working after 3 days. not what i paid for",
    "(stay away) from this - 24/7 outages",
]


def brute_force(groups: list[tuple[str, tuple[str, ...]]], text: str) -> set[str]:
    found = set()
    for name, alternatives in groups:
        for source in alternatives:
            if re.search(rf"(?<!\w)(?:{source})(?!\w)", text):
                found.add(name)
    return found


@pytest.mark.parametrize("text", TEXTS)
def test_index_agrees_with_a_full_search(text: str) -> None:
    groups = [(f.name, f.patterns) for f in FAMILIES]
    assert set(PatternSet(groups).find(text)) == brute_force(groups, text)


REVIEWS = [
    "we waited forty minutes for a table and the portions were tiny",
    "it's okay i guess, but my old one was better",
    "never had a single issue, the battery lasts all day",
    "the plot holes are enormous and the pacing is all over the place",
    "they forgot our drinks; i'd buy it again though. what a joke",
]


@pytest.mark.parametrize("text", REVIEWS)
def test_index_agrees_with_a_full_search_for_review_phrases(text: str) -> None:
    groups = [(name, patterns) for name, _, patterns in REVIEW_PHRASES]
    assert set(PatternSet(groups).find(text)) == brute_force(groups, text)


def test_alternatives_of_a_group_tried_together_still_give_every_group() -> None:
    patterns = PatternSet([("x", ("not bad", "not good at all")), ("y", ("not good",))])
    hits = {patterns.names[group] for _, _, group in patterns.matches("not good at all")}
    assert hits == {"x", "y"}


def test_prefixes_of_a_pattern() -> None:
    assert prefixes(r"still (?:\w+ )?waiting") == {"sti"}
    assert prefixes(r"(?:no|not) reply") == {"no", "not"}
    assert prefixes(r"can'?t") == {"can"}
    assert prefixes(r"\w+ing") is None  # cannot be worked out: always searched


def test_spans_and_word_starts() -> None:
    patterns = PatternSet([("a", ("stay away", "away")), ("b", ("save your money",))])
    text = "save your money and stay away"
    assert patterns.spans(text) == [("b", 0, 15), ("a", 20, 29)]
    assert word_starts("the theory")["the"] == [0, 4]
