"""The German pack: a German mention is scored with it (language ``de``), not as English and
not left unscored; its model reads German words whole and their character n-grams."""

import pytest

from sentiment import Analyzer, analyze
from sentiment.packs import available, load_pack


def test_the_german_pack_is_data_with_its_own_model() -> None:
    pack = load_pack("de")
    assert load_pack("de") is pack and "de" in available()
    assert not pack.vader and "nicht" in pack.negations
    assert pack.lexicon["verspätung"] < 0 < pack.lexicon["pünktlich"]
    assert pack.model is not None and pack.model.name == "de-lr1"
    assert pack.model.ngrams("Zugausfall") != ["zugausfall"]  # character n-grams too
    assert pack.rules is None  # the English word rules ("too", "pretty") are not German


@pytest.mark.parametrize(
    "text",
    [
        "Die Lieferung kam zwei Wochen zu spät und der Kundendienst antwortet nicht.",
        "Schlechte Qualität, das Gerät war nach drei Tagen kaputt. Totale Enttäuschung.",
    ],
)
def test_a_german_one_star_review_is_negative_with_language_de(text: str) -> None:
    for rating in (1, None):
        result = analyze(text, rating=rating)
        assert result.language == "de" and result.scored, result
        assert result.label == "negative" and result.sentiment is not None
        assert result.sentiment < -0.1, result.cues
        assert result.version == "grapevine-0.4+de-lr1"
    assert result.complaint, result.cues


def test_german_praise_is_not_negative_and_aspects_are_german_words() -> None:
    result = analyze("Super Kundenservice, schnelle Lieferung, sehr zufrieden!")
    assert result.language == "de" and result.label == "positive" and not result.complaint
    assert {"delivery", "customer service"} <= set(result.aspects)
    billing = analyze("Die Rechnung wurde doppelt abgebucht und niemand meldet sich.")
    assert "billing" in billing.aspects and billing.complaint


def test_english_is_still_english_next_to_german() -> None:
    analyzer = Analyzer()
    german = analyzer.analyze("Der Zug ist schon wieder ausgefallen, unglaublich.")
    english = analyzer.analyze("Still waiting for my refund, three weeks now.")
    assert german.language == "de" and german.version.endswith("+de-lr1")
    assert english.language == "en" and english.version.endswith("+lr1") and english.complaint
