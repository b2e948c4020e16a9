"""The learned layer: the shipped model finds complaints and praise and says why; training on
a small sample round-trips through the JSON artefact to the same predictions."""

import json
import sys
from pathlib import Path

import pytest

from sentiment import VERSION, Analyzer, analyze
from sentiment.learned import LearnedModel, default_model, model_path, ngrams

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "sentiment"


def test_the_shipped_model_is_small_json_and_names_the_version() -> None:
    path = model_path()
    assert path.stat().st_size < 4_000_000
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    assert data["name"] == default_model().name
    assert f"grapevine-0.4+{data['name']}" == VERSION
    assert analyze("fine").version == VERSION
    assert Analyzer(learned=False).analyze("fine").version == "grapevine-0.3"
    assert default_model() is default_model()  # loaded once per process
    assert (path.parent / "README.md").read_text(encoding="utf-8").count("complaints_dev.csv")


@pytest.mark.parametrize(
    "text",
    [
        "still waiting for my refund, 3 weeks now",
        "Been on hold for an hour and nobody has called me back about my cancelled flight",
        "Charged twice for the same order and support won't answer",
    ],
)
def test_known_complaints_are_complaints(text: str) -> None:
    result = analyze(text)
    assert result.complaint and result.complaint_score >= 0.5, result.cues
    assert result.label == "negative" and result.needs_attention


@pytest.mark.parametrize(
    "text",
    [
        "Absolutely love this coffee, the best I have had in years!",
        "The staff were lovely and the food was excellent. Highly recommend.",
    ],
)
def test_clear_praise_is_positive(text: str) -> None:
    result = analyze(text)
    assert result.label == "positive" and not result.complaint, result.cues
    assert result.sentiment > 0.3


def test_cues_name_ngrams_that_occur_in_the_text() -> None:
    text = "still waiting for my refund, 3 weeks now"
    result = analyze(text)
    learned = [c for c in result.cues if c.startswith("learned ")]
    assert learned and learned[0].startswith("learned complaint: "), result.cues
    grams = {g.replace("0", "<number>") for g in ngrams(text)}
    named = [part.split("'")[1] for cue in learned for part in cue.split(", ") if "'" in part]
    assert named and all(gram in grams for gram in named), (named, grams)
    # the rules stay as the explanation
    assert any(c.startswith("complaint cue: waiting (") for c in result.cues)


def test_the_company_lexicon_wins_over_the_ngrams() -> None:
    tuned = Analyzer(lexicon={"killer": 0.0}).analyze("The Killer blend arrived")
    assert tuned.sentiment == 0 and not any("'killer" in c for c in tuned.cues if "learned" in c)


def test_a_star_rating_still_weighs() -> None:
    assert analyze("It arrived.", rating=1).label == "negative"
    assert analyze("It arrived.", rating=5).label == "positive"


def test_training_on_a_sample_round_trips(tmp_path: Path) -> None:
    """train -> save -> load gives the same predictions as the fitted weights in memory."""
    pytest.importorskip("sklearn")
    sys.path.insert(0, str(BENCH))
    try:
        import train
    finally:
        sys.path.remove(str(BENCH))
    complaints = [
        train.Example(text, target, "sample", "sample.csv")
        for text, target in [
            ("still waiting for my refund", 1.0),
            ("my order never arrived, still waiting", 1.0),
            ("charged twice and no reply from support", 1.0),
            ("the app keeps crashing, fix it", 1.0),
            ("thanks for the quick delivery", 0.0),
            ("love the new blend, great coffee", 0.0),
            ("how do I change my address?", 0.0),
            ("lovely staff and great service", 0.0),
        ]
    ]
    sentiments = [
        train.Example(e.text, -0.6 if e.target else 0.6, "sample", "sample.csv") for e in complaints
    ]
    features = train.Features()
    fitted = train.fit(complaints, sentiments, features, params={"min_df": 1})
    path = tmp_path / "sample.json"
    path.write_text(json.dumps(fitted), encoding="utf-8")
    again = train.fit(complaints, sentiments, features, params={"min_df": 1})
    assert again == fitted  # a fixed seed: the same weights

    in_memory = Analyzer(model=LearnedModel(fitted))
    loaded = Analyzer(model=LearnedModel.load(path))
    probes = ["still waiting for my refund again", "great coffee, thanks", "no reply"]
    for text in probes:
        a, b = in_memory.analyze(text), loaded.analyze(text)
        assert (a.sentiment, a.complaint_score, a.cues) == (b.sentiment, b.complaint_score, b.cues)
    assert loaded.analyze("still waiting for my refund again").complaint
    assert not loaded.analyze("lovely staff, thanks").complaint


def test_a_model_file_of_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": 99}), encoding="utf-8")
    with pytest.raises(ValueError, match="format 99"):
        LearnedModel.load(path)


def test_exclude_leaves_a_file_out() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import train
    finally:
        sys.path.remove(str(BENCH))
    if not (train.DEFAULT_TRAIN / "airline_tweets.csv").is_file():
        pytest.skip("no shared training data here")
    kept = train.complaint_examples(train.DEFAULT_DATA, train.DEFAULT_TRAIN, set())
    left = train.complaint_examples(train.DEFAULT_DATA, train.DEFAULT_TRAIN, {"airline_tweets.csv"})
    assert {e.file for e in kept} == {"complaints_dev.csv", "airline_tweets.csv"}
    assert {e.file for e in left} == {"complaints_dev.csv"}
    with pytest.raises(SystemExit, match="not one of"):
        train.main(["--exclude", "airline.csv", "--out", "/nonexistent"])
