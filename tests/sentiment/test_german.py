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


def test_the_german_training_round_trips_with_a_fixed_seed(tmp_path) -> None:
    """train.py --lang de's pipeline on a sample: the same seed, the same weights; the JSON
    artefact predicts as the weights in memory, character n-grams included."""
    import json
    import sys
    from pathlib import Path

    pytest.importorskip("sklearn")
    bench = Path(__file__).resolve().parents[2] / "benchmarks" / "sentiment"
    sys.path.insert(0, str(bench))
    try:
        import german
        import train
    finally:
        sys.path.remove(str(bench))
    from sentiment.learned import LearnedModel
    from sentiment.packs import PACKS_DIR, read_pack

    texts = [
        ("Zug fällt schon wieder aus, keine Durchsage", 1.0),
        ("Verspätung von 40 Minuten und niemand informiert", 1.0),
        ("Die Klimaanlage ist kaputt, unerträglich heiß", 1.0),
        ("Ticket doppelt abgebucht, keine Antwort vom Service", 1.0),
        ("Danke für die pünktliche Fahrt, super Personal", 0.0),
        ("Neue ICE-Strecke eröffnet", 0.0),
        ("Wie buche ich eine Sitzplatzreservierung?", 0.0),
        ("Sehr freundlicher Zugbegleiter heute", 0.0),
    ]
    complaints = [train.Example(t, y, "sample", "sample.tsv") for t, y in texts]
    sentiments = [train.Example(t, -0.6 if y else 0.6, "sample", "sample.tsv") for t, y in texts]
    pack = read_pack(PACKS_DIR / "de", model=False)
    features = train.Features(pack=pack)
    params = {**german.PARAMS, "min_df": 1}

    def fit() -> dict:
        return train.fit(
            complaints, sentiments, features, params=params, name="s", analyzer=german.ANALYZER
        )

    fitted = fit()
    assert fit() == fitted and fitted["analyzer"] == german.ANALYZER
    assert any(term.startswith("~") for term in fitted["vocabulary"])
    path = tmp_path / "s.json"
    path.write_text(json.dumps(fitted, ensure_ascii=False), encoding="utf-8")
    loaded = LearnedModel.load(path)
    in_memory = LearnedModel(fitted)
    rules = Analyzer(pack=pack, learned=False, detect_language=False)
    for text, _ in texts:
        f = rules.features(text)
        assert loaded.predict(text, f) == in_memory.predict(text, f)
