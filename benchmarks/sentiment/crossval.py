"""Leave-one-domain-out figures of the learned layer, beside VADER and the rules alone.

    .venv/bin/python benchmarks/sentiment/crossval.py [--quick]

For each domain of the training data (the complaint domains services, software,
electronics, food and airline; the sentiment domains ICWSM tweets, movies, NYT, airline,
restaurants, laptops, Amazon, Alexa) the learned layer is refit by ``train.fit`` on every
other domain — with every training text whose normalised text occurs in the held-out domain
removed, so no scored text was trained on — and scores the domain left out through the
product's own ``Analyzer.analyze``. The random replies of complaints_dev.csv (none a
complaint) are spread over the four tweet folds, as in ``tune.py``.

``evaluate.py`` prints these tables with the others; this script alone is quicker for
picking the hyper-parameters (``train.PARAMS``).
"""

import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import train  # noqa: E402
from datasets import pearson, prf  # noqa: E402

from sentiment.analyzer import Analyzer  # noqa: E402
from sentiment.learned import LearnedModel  # noqa: E402

TWEET_DOMAINS = ["electronics", "food", "services", "software"]


def _vader() -> Callable[[str], float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return lambda text: analyzer.polarity_scores(text)["compound"]


def _fold(example: train.Example) -> str:
    if example.domain == "random_reply":
        return TWEET_DOMAINS[zlib.crc32(example.text.encode()) % len(TWEET_DOMAINS)]
    return example.domain


def _without(examples: Sequence[train.Example], held: set[str]) -> list[train.Example]:
    return [e for e in examples if train.normalised(e.text) not in held]


def held_out(
    complaints: list[train.Example],
    sentiments: list[train.Example],
    features: train.Features,
    *,
    params: dict[str, Any] | None = None,
    models: list[Any] | None = None,
) -> tuple[dict[int, Any], dict[int, Any]]:
    """The learned layer's analysis of every text, each by a model that did not see its
    domain: ``({complaint index: Analysis}, {sentiment index: Analysis})``."""
    out_c: dict[int, Any] = {}
    out_s: dict[int, Any] = {}
    folds = sorted({_fold(e) for e in complaints} | {e.domain for e in sentiments})
    for fold in folds:
        test_c = [i for i, e in enumerate(complaints) if _fold(e) == fold]
        test_s = [i for i, e in enumerate(sentiments) if e.domain == fold]
        held = {train.normalised(complaints[i].text) for i in test_c}
        held |= {train.normalised(sentiments[i].text) for i in test_s}
        model = train.fit(
            _without([e for e in complaints if _fold(e) != fold], held),
            _without([e for e in sentiments if e.domain != fold], held),
            features,
            params=params,
        )
        analyzer = Analyzer(model=LearnedModel(model), detect_language=False)
        for i in test_c:
            out_c[i] = analyzer.analyze(complaints[i].text)
        for i in test_s:
            out_s[i] = analyzer.analyze(sentiments[i].text)
        if models is not None:
            models.append((analyzer, test_c, test_s))
    return out_c, out_s


def complaint_rows(complaints: list[train.Example], learned: dict[int, Any]) -> list[str]:
    vader, rules = _vader(), Analyzer(learned=False, detect_language=False)
    predictions = {
        "VADER (compound <= -0.05)": [vader(e.text) <= -0.05 for e in complaints],
        "rules alone (grapevine-0.3; tuned on complaints_dev)": [
            rules.analyze(e.text).complaint for e in complaints
        ],
        "learned, domain left out": [learned[i].complaint for i in range(len(complaints))],
    }
    actual = [e.target == 1.0 for e in complaints]
    rows = ["| analyser | domain | precision | recall | F1 |", "| --- | --- | --- | --- | --- |"]
    groups = [
        ("tweets about companies (complaints_dev, all)", lambda e: e.file == "complaints_dev.csv"),
        *((d, lambda e, d=d: e.domain == d) for d in [*TWEET_DOMAINS, "airline"]),
    ]
    for who, predicted in predictions.items():
        for name, member in groups:
            idx = [i for i, e in enumerate(complaints) if member(e)]
            p, r, f = prf([predicted[i] for i in idx], [actual[i] for i in idx])
            rows.append(f"| {who} | {name} | {p:.3f} | {r:.3f} | {f:.3f} |")
        idx = [i for i, e in enumerate(complaints) if e.domain == "random_reply"]
        rows.append(
            f"| {who} | random_reply (none are complaints) "
            f"| flagged {sum(predicted[i] for i in idx)} of {len(idx)} | | |"
        )
    return rows


def sentiment_rows(sentiments: list[train.Example], learned: dict[int, Any]) -> list[str]:
    vader, rules = _vader(), Analyzer(learned=False, detect_language=False)
    scores = {
        "VADER": [vader(e.text) for e in sentiments],
        "rules alone": [rules.analyze(e.text).sentiment for e in sentiments],
        "learned, domain left out": [learned[i].sentiment for i in range(len(sentiments))],
    }
    rows = [
        "| domain | texts | analyser | Pearson r | neg. recall | neg. precision | neg. F1 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for domain in sorted({e.domain for e in sentiments}):
        idx = [i for i, e in enumerate(sentiments) if e.domain == domain]
        truth = [sentiments[i].target for i in idx]
        for who, predicted in scores.items():
            mine = [predicted[i] for i in idx]
            p, r, f = prf([x <= -0.05 for x in mine], [t <= -0.05 for t in truth])
            rows.append(
                f"| {domain} | {len(idx):,} | {who} | {pearson(mine, truth):.3f} "
                f"| {r:.3f} | {p:.3f} | {f:.3f} |"
            )
    return rows


def sentence_rows(sentiments: list[train.Example], learned: dict[int, Any]) -> list[str]:
    """Negative review sentences against positive ones (neutral left out), the issue's
    measure, on the review sets of the training data (each scored with its domain left out)."""
    vader, rules = _vader(), Analyzer(learned=False, detect_language=False)
    review = {"restaurants", "laptops", "amazon", "alexa", "movies"}
    idx = [i for i, e in enumerate(sentiments) if e.domain in review and abs(e.target) > 0.05]
    scores = {
        "VADER": lambda i: vader(sentiments[i].text),
        "rules alone": lambda i: rules.analyze(sentiments[i].text).sentiment,
        "learned, domain left out": lambda i: learned[i].sentiment,
    }
    rows = [
        "| domain | sentences | analyser | neg. recall | neg. precision | neg. F1 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for domain in sorted(review):
        mine = [i for i in idx if sentiments[i].domain == domain]
        for who, score in scores.items():
            p, r, f = prf(
                [score(i) <= -0.05 for i in mine], [sentiments[i].target < 0 for i in mine]
            )
            rows.append(f"| {domain} | {len(mine):,} | {who} | {r:.3f} | {p:.3f} | {f:.3f} |")
    return rows


def main() -> None:
    complaints = train.complaint_examples(train.DEFAULT_DATA, train.DEFAULT_TRAIN, set())
    sentiments = train.sentiment_examples(train.DEFAULT_DATA, train.DEFAULT_TRAIN, set())
    learned_c, learned_s = held_out(complaints, sentiments, train.Features())
    print("### Complaints, leave one domain out\n")
    print("\n".join(complaint_rows(complaints, learned_c)))
    print("\n### Sentiment, leave one domain out\n")
    print("\n".join(sentiment_rows(sentiments, learned_s)))
    print("\n### Negative review sentences (positive vs negative), leave one domain out\n")
    print("\n".join(sentence_rows(sentiments, learned_s)))


if __name__ == "__main__":
    main()
