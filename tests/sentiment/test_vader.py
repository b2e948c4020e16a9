"""The one-pass VADER gives vaderSentiment's compound score, and a score per sentence."""

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from sentiment.vader import VaderScorer

SENTENCES = [
    "VADER is smart, handsome, and funny.",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "At least it isn't a horrible book.",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "The book was only kind of good.",
    "Not such a badass after all.",
    "Without a doubt, an excellent idea.",
    "Sentiment analysis has never been this good!",
    "No complaints, no problems, no worries.",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "Make sure you :) or :D today!",
    "Is it good??? Or is it bad???",
    "I love it. I hate the box though. Meh.\nStill, great coffee!",
    "",
]


@pytest.mark.parametrize("text", SENTENCES)
def test_same_compound_as_the_library(text: str) -> None:
    expected = SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    assert round(VaderScorer().scan(text).compound(), 4) == expected


def test_sentences_are_scored_on_their_own() -> None:
    scored = VaderScorer().scan("I love the beans. The grinder is awful! Delivery was fine")
    assert len(scored.sentences) == 3
    first, second, third = scored.sentence_compounds()
    assert first > 0.5 and second < -0.5 and third > 0


def test_extra_lexicon() -> None:
    assert VaderScorer({"bland": -1.5}).scan("bland").compound() < 0
    assert VaderScorer().scan("bland").compound() == 0
