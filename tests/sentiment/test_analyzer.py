"""The analysis finds unhappy customers that VADER alone misses, and says why."""

import pytest

from sentiment import Analyzer, analyze


@pytest.mark.parametrize(
    "text",
    [
        "Still waiting for my refund, 3 weeks now",
        "My parcel never arrived",
        "Would not go back.",
        "Took an hour to get our food",
    ],
)
def test_complaints_without_negative_words(text: str) -> None:
    result = analyze(text)
    assert result.complaint and result.label == "negative" and result.needs_attention
    assert any(c.startswith("complaint cue") for c in result.cues)


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("I have been on hold for forty minutes to change my address", "waiting"),
        ("The replacement kettle has not arrived, where is my order?", "not arrived"),
        ("Emailed support about my account twice and no reply at all", "no reply"),
        ("You charged me twice for one subscription this month", "charged"),
        ("I want my money back for the box I returned", "refund"),
        ("The new firmware update and now my speaker won't connect", "broken"),
        ("Cancelled my plan in May and you are still taking payments", "cancel or leave"),
        ("Was told a technician would come on Monday, nobody came", "negated expectation"),
        ("Third time my order shows up with the lid cracked", "repeated"),
        ("Why can't I log in to my account since the update?", "problem question"),
    ],
)
def test_each_complaint_family(text: str, family: str) -> None:
    result = analyze(text)
    assert result.complaint, result.cues
    assert any(c.startswith(f"complaint cue: {family} (") for c in result.cues), result.cues


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for the quick delivery, the beans are lovely",
        "How do I change the grind size on my subscription?",
        "Had a split bag, customer care replaced it the same day. Great service.",
        "No complaints, works great.",
    ],
)
def test_praise_and_plain_questions_are_not_complaints(text: str) -> None:
    result = analyze(text)
    assert not result.complaint and result.label != "negative", result.cues


def test_a_star_rating_weighs_heavily() -> None:
    low = analyze("Great, just great. Lovely packaging.", rating=1)
    assert low.label == "negative" and low.needs_attention
    assert "rated 1 of 5 (weighs 60%)" in low.cues
    high = analyze("The grinder is a bit loud, but it works well.", rating=5)
    assert high.label == "positive" and not high.complaint and not high.needs_attention
    # the same words, rated 2 and 4, land on either side
    words = "Okay coffee, the delivery was slow."
    assert analyze(words, rating=2).sentiment < 0 < analyze(words, rating=4).sentiment


def test_one_bitter_sentence_is_not_averaged_away() -> None:
    text = (
        "The packaging was nice and the website is pretty. The coffee arrived on time. "
        "But the grinder is absolutely terrible and a total waste of money."
    )
    result = analyze(text)
    assert result.label == "negative"
    assert any(c.startswith("sentence 3 of 3 is bitter") for c in result.cues)


def test_company_lexicon_words_and_phrases() -> None:
    plain = Analyzer().analyze("The Killer blend arrived")
    tuned = Analyzer(lexicon={"killer": 0.0}).analyze("The Killer blend arrived")
    assert plain.sentiment < 0 and tuned.sentiment == 0
    assert "company lexicon: 'killer' (+0)" in tuned.cues
    named = Analyzer(lexicon={"Dead Good": 0.0, "gutted": -3.0})
    product = named.analyze("Tried the Dead Good roast today")
    assert product.label == "neutral" and "company lexicon: 'Dead Good' (+0)" in product.cues
    assert named.analyze("Gutted about the roast").sentiment < -0.5


def test_aspects_are_tagged_with_the_word_that_decided() -> None:
    result = analyze("I was charged twice and the delivery was late")
    assert {"billing", "delivery"} <= set(result.aspects)
    assert "billing: 'charged'" in result.cues


def test_aspects_are_configurable() -> None:
    analyzer = Analyzer(aspects={"subscription": ["skip*", "pause"], "staff": []})
    result = analyzer.analyze("I could not skip a month and the barista was rude")
    assert "subscription" in result.aspects and "staff" not in result.aspects
    assert "subscription: 'skip'" in result.cues


def test_cues_name_the_words_and_phrases() -> None:
    result = analyze("Save your money, the support team is useless.")
    assert "phrase: advice against ('save your money', -2.2)" in result.cues
    assert "negative words: 'useless'" in result.cues
    assert result.label == "negative"


def test_batch_and_json_form() -> None:
    analyzer = Analyzer()
    results = analyzer.analyze_many(["Lovely!", "Never arrived."], ratings=[5, None])
    assert [r.label for r in results] == ["positive", "negative"]
    data = results[1].as_dict()
    assert set(data) >= {"sentiment", "label", "complaint", "complaint_score", "aspects", "cues"}
    assert data["version"] == results[1].version


def test_empty_and_odd_text() -> None:
    assert analyze("").label == "neutral"
    assert analyze("   \n\n ").sentiment == 0
    assert analyze("😡😡 where is my refund!!!").label == "negative"
