"""Language is detected, never assumed: a text in a language without a pack is not scored as
English (nor with another pack), and English is scored exactly as before detection."""

import pytest

from sentiment import Analyzer
from sentiment.language import detect

GERMAN = "Die Lieferung kam nach drei Wochen, der Kundenservice antwortet nicht. Nie wieder!"
SPANISH = "El pedido llegó roto y nadie contesta en atención al cliente. Muy decepcionado."
JAPANESE = "注文した商品が三週間経っても届きません。サポートにも連絡がつきません。"
ENGLISH = [
    "Still waiting for my refund, 3 weeks now",
    "Lovely coffee, thank you!",
    "The portions were tiny and we waited forty minutes.",
    "Why is my order late?",
    "Great!",
    "ok",
    "Damn UPS!",
    "Their support never replies. Save your money.",
    "",
]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.mark.parametrize(
    ("text", "code"), [(GERMAN, "de"), (SPANISH, "es"), (JAPANESE, "ja"), (ENGLISH[0], "en")]
)
def test_the_language_is_detected(text: str, code: str) -> None:
    assert detect(text) == code
    assert detect(text, cheap=False) == code


def test_too_short_to_tell_is_none() -> None:
    assert detect("ok") is None
    assert detect("👍👍👍") is None
    assert detect("Tgif world!") is None  # lingua alone says Swedish


def test_a_spanish_one_star_review_is_not_scored_and_needs_attention(analyzer: Analyzer) -> None:
    """Spanish has no language pack (German has one since: tests/sentiment/test_german.py)."""
    result = analyzer.analyze(SPANISH, rating=1)
    assert (result.language, result.scored) == ("es", False)
    assert result.sentiment is None and result.label is None
    assert result.complaint is False and result.aspects == ()
    assert result.cues[0] == "not scored: Spanish (no language pack)"
    assert result.needs_attention
    assert result.as_dict()["sentiment"] is None and result.as_dict()["scored"] is False


@pytest.mark.parametrize(
    ("text", "code", "name"), [(SPANISH, "es", "Spanish"), (JAPANESE, "ja", "Japanese")]
)
def test_spanish_and_japanese_are_not_scored_either(
    analyzer: Analyzer, text: str, code: str, name: str
) -> None:
    result = analyzer.analyze(text)
    assert (result.language, result.scored, result.label) == (code, False, None)
    assert result.cues == (f"not scored: {name} (no language pack)",)
    assert result.needs_attention  # "triage", the default: a person reads it


def test_skip_lets_the_rating_alone_decide() -> None:
    skip = Analyzer(unscored_languages="skip")
    assert not skip.analyze(SPANISH).needs_attention
    assert not skip.analyze(SPANISH, rating=4).needs_attention
    assert skip.analyze(SPANISH, rating=2).needs_attention
    with pytest.raises(ValueError, match="unscored_languages"):
        Analyzer(unscored_languages="english")


def test_english_is_scored_exactly_as_without_detection(analyzer: Analyzer) -> None:
    plain = Analyzer(detect_language=False)
    for text in ENGLISH:
        for rating in (None, 1, 5):
            detected, before = (
                analyzer.analyze(text, rating=rating),
                plain.analyze(text, rating=rating),
            )
            assert detected == before, text
            assert detected.language == "en" and detected.scored
            assert detected.needs_attention == before.needs_attention


def test_germeval_texts_are_mostly_german() -> None:
    """Detection accuracy on public German customer feedback (a sample; not tuned on)."""
    from pathlib import Path

    path = Path(__file__).parents[3] / "shared" / "data" / "train" / "germeval2017_dev.tsv"
    if not path.is_file():
        pytest.skip("shared/data/train/germeval2017_dev.tsv is not here")
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    texts = [line.split("\t")[1] for line in lines if line.count("\t") >= 1][::5]
    share = sum(detect(text) == "de" for text in texts) / len(texts)
    assert share >= 0.95, share


def test_the_crawl_stores_the_detected_language_unless_the_source_gave_one(
    analyzer: Analyzer,
) -> None:
    from crawler.analysis_worker import analysis_columns, fill_language

    spanish = analyzer.analyze(SPANISH, rating=1)
    rows: list[dict[str, str | None]] = [{"language": None}, {"language": "es-MX"}]
    for row in rows:
        fill_language(row, spanish)
    assert [row["language"] for row in rows] == ["es", "es-MX"]
    columns = analysis_columns(spanish, False)
    assert columns["sentiment"] is None and columns["needs_attention"] is True
    assert analysis_columns(spanish, True)["needs_attention"] is False  # a competitor's
