"""The analysis finds unhappy customers that VADER alone misses."""

import pytest

from sentiment import Analyzer, analyze


@pytest.mark.parametrize(
    "text",
    [
        "Still waiting for my refund, 3 weeks now",
        "My parcel never arrived",
        "Would not go back.",
    ],
)
def test_complaints_without_negative_words(text: str) -> None:
    result = analyze(text)
    assert result.complaint and result.label == "negative" and result.needs_attention
    assert any(c.startswith("complaint cue") for c in result.cues)


def test_a_low_rating_is_negative_whatever_the_words() -> None:
    assert analyze("Great, just great.", rating=1).label == "negative"
    assert analyze("Lovely coffee, friendly staff", rating=5).label == "positive"


def test_one_bitter_sentence_is_not_averaged_away() -> None:
    text = (
        "The packaging was nice and the website is pretty. The coffee arrived on time. "
        "But the grinder is absolutely terrible and a total waste of money."
    )
    assert analyze(text).label == "negative"


def test_company_lexicon() -> None:
    plain = Analyzer().analyze("The Killer blend")
    tuned = Analyzer(lexicon={"killer": 0.0}).analyze("The Killer blend")
    assert plain.sentiment < 0 and tuned.sentiment == 0


def test_aspects_are_tagged_with_the_word_that_decided() -> None:
    result = analyze("I was charged twice and the delivery was late")
    assert {"billing", "delivery"} <= set(result.aspects)
    assert "billing: 'charged'" in result.cues
