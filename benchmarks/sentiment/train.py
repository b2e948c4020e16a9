"""Rebuild the shipped learned model (``sentiment/packs/en/lr1.json``) and its model card.

    .venv/bin/python benchmarks/sentiment/train.py [--exclude FILE ...] [--out DIR] [--seed N]

Reads the labelled public sets in ``shared/data/sentiment`` and ``shared/data/train`` (their
READMEs give the sources and licences; the texts never leave the data folders, only the
weights and the vocabulary do), computes the rules' outputs for every text, and fits

* the **complaint** head, a logistic regression, on complaints_dev.csv (complaint 1/0) and
  the airline tweets (a negative tweet with a concrete reason is a complaint; a positive or
  neutral one is not; a negative one whose reason is "Can't Tell" is left out);
* the **sentiment** head, a ridge regression onto the -1..1 scale, on the ICWSM ground truth
  (rating / 4), the airline tweets, the SemEval-2014 sentences (every aspect negative or
  every aspect positive; mixed ones are left out), the Amazon 5-class sample and the Alexa
  reviews (their star ratings).

``--exclude FILE`` leaves a file out by name (repeatable), e.g. to rebuild from the
MIT-licensed sets alone. The fit is deterministic (``--seed``, default 12). Needs
scikit-learn (``pip install -e '.[train]'``); the product does not.

Texts are deduplicated by normalised text (lower case, letters and digits only); the same
text never sits in two sets of a head, so the leave-one-domain-out figures of
``evaluate.py`` never score a text the model trained on.
"""

import argparse
import csv
import json
import re
import sys
import xml.etree.ElementTree as ET  # noqa: S405 - the shipped data files, not untrusted input
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import DEFAULT_DATA, ICWSM_SETS, load_complaints, load_icwsm  # noqa: E402

from sentiment.analyzer import Analyzer  # noqa: E402
from sentiment.learned import FORMAT, MODEL_NAME, SIGNALS, analyzer_for  # noqa: E402
from sentiment.packs import Pack, load_pack  # noqa: E402

DEFAULT_TRAIN = DEFAULT_DATA.parent / "train"
ROOT = Path(__file__).resolve().parents[2]
#: Every file the model may be trained on (``--exclude`` takes these names).
FILES = (
    "complaints_dev.csv",
    *(file for _, file, _ in ICWSM_SETS),
    "airline_tweets.csv",
    "semeval14_restaurants_train.xml",
    "semeval14_laptop_train.xml",
    "amazon_5class_sample.csv",
    "amazon_alexa.tsv",
)
#: The stacked feature columns of the English model, in order.
COLUMNS = [*SIGNALS, *(f"family: {family.name}" for family in load_pack("en").families)]
#: A three-class label on the -1..1 scale (a clear negative tweet is about -0.6 in ICWSM).
CLASS_SCORE = {"negative": -0.6, "neutral": 0.0, "positive": 0.6}
AMAZON_SCORE = {
    "Very Negative": -0.9,
    "Negative": -0.5,
    "Neutral": 0.0,
    "Positive": 0.5,
    "Very Positive": 0.9,
}
#: Hyper-parameters, picked by the leave-one-domain-out figures of evaluate.py.
PARAMS: dict[str, Any] = {
    "min_df": 2,
    "max_features": 40_000,
    "complaint_C": 0.5,
    "complaint_dev_weight": 3.0,
    "complaint_share": None,
    "sentiment_alpha": 1.0,
    "sentiment_deadband": 0.15,
}


@dataclass(frozen=True)
class Example:
    """One labelled text: the head's target (1/0 for complaints, -1..1 for sentiment)."""

    text: str
    target: float
    domain: str
    file: str


def normalised(text: str) -> str:
    """The text for overlap checks: lower case, letters and digits, single spaces."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def _dedupe(examples: Iterable[Example]) -> list[Example]:
    seen: set[str] = set()
    out = []
    for example in examples:
        key = normalised(example.text)
        if key and key not in seen:
            seen.add(key)
            out.append(example)
    return out


def _airline(train: Path) -> list[dict[str, str]]:
    with open(train / "airline_tweets.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _semeval(train: Path, file: str) -> Iterable[tuple[str, float]]:
    root = ET.parse(train / file).getroot()  # noqa: S314
    for sentence in root.iter("sentence"):
        text = sentence.findtext("text") or ""
        polarities = {
            node.get("polarity")
            for node in [*sentence.iter("aspectTerm"), *sentence.iter("aspectCategory")]
        } - {"conflict"}
        if polarities == {"negative"}:
            yield text, -0.6
        elif polarities == {"positive"}:
            yield text, 0.6
        elif not polarities or polarities == {"neutral"}:
            yield text, 0.0


def complaint_examples(data: Path, train: Path, exclude: set[str]) -> list[Example]:
    out: list[Example] = []
    if "complaints_dev.csv" not in exclude:
        out += [
            Example(c.text, 1.0 if c.complaint else 0.0, c.domain, "complaints_dev.csv")
            for c in load_complaints(data)
        ]
    if "airline_tweets.csv" not in exclude:
        for row in _airline(train):
            kind, reason = row["airline_sentiment"], row["negativereason"]
            if kind == "negative" and reason in ("", "Can't Tell"):
                continue
            target = 1.0 if kind == "negative" else 0.0
            out.append(Example(row["text"], target, "airline", "airline_tweets.csv"))
    return _dedupe(out)


def sentiment_examples(data: Path, train: Path, exclude: set[str]) -> list[Example]:
    out: list[Example] = []
    domains = {"tweets": "icwsm tweets", "movie snippets": "movies", "NYT editorials": "nyt"}
    for name, file, encoding in ICWSM_SETS:
        if file not in exclude:
            out += [
                Example(x.text, x.score, domains[name], file)
                for x in load_icwsm(data, file, encoding)
            ]
    if "airline_tweets.csv" not in exclude:
        out += [
            Example(r["text"], CLASS_SCORE[r["airline_sentiment"]], "airline", "airline_tweets.csv")
            for r in _airline(train)
        ]
    for file, domain in (
        ("semeval14_restaurants_train.xml", "restaurants"),
        ("semeval14_laptop_train.xml", "laptops"),
    ):
        if file not in exclude:
            out += [Example(t, s, domain, file) for t, s in _semeval(train, file)]
    if "amazon_5class_sample.csv" not in exclude:
        with open(train / "amazon_5class_sample.csv", encoding="utf-8", newline="") as handle:
            out += [
                Example(r["input"], AMAZON_SCORE[r["target"]], "amazon", "amazon_5class_sample.csv")
                for r in csv.DictReader(handle)
                if r["target"] in AMAZON_SCORE
            ]
    if "amazon_alexa.tsv" not in exclude:
        with open(train / "amazon_alexa.tsv", encoding="utf-8", newline="") as handle:
            out += [
                Example(
                    r["verified_reviews"],
                    (int(r["rating"]) - 3) / 2 * 0.9,
                    "alexa",
                    "amazon_alexa.tsv",
                )
                for r in csv.DictReader(handle, delimiter="\t")
                if r["verified_reviews"].strip()
            ]
    return _dedupe(out)


def columns(pack: Pack | None = None) -> list[str]:
    """The stacked feature columns of a pack's model (the English pack's by default)."""
    families = (pack or load_pack("en")).families
    return [*SIGNALS, *(f"family: {family.name}" for family in families)]


class Features:
    """The rules' stacked features of each text, computed once (the rules alone), with the
    language pack's rules (English by default)."""

    def __init__(self, pack: Pack | None = None) -> None:
        self.analyzer = Analyzer(learned=False, pack=pack, detect_language=False)
        self.columns = columns(pack)
        self.cache: dict[str, list[float]] = {}

    def rows(self, texts: Sequence[str]) -> list[list[float]]:
        out = []
        names = self.columns
        for text in texts:
            row = self.cache.get(text)
            if row is None:
                found = self.analyzer.features(text)
                row = self.cache[text] = [found.get(name, 0.0) for name in names]
            out.append(row)
        return out


def fit(
    complaints: Sequence[Example],
    sentiments: Sequence[Example],
    features: Features,
    *,
    seed: int = 12,
    params: dict[str, Any] | None = None,
    name: str = MODEL_NAME,
    analyzer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fit both heads; the JSON-ready artefact (see :class:`sentiment.learned.LearnedModel`).
    ``analyzer`` names an n-gram analyser other than the English word n-grams
    (:func:`sentiment.learned.analyzer_for`)."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, Ridge

    p = {**PARAMS, **(params or {})}
    cols = features.columns
    vectorizer = TfidfVectorizer(
        analyzer=analyzer_for(analyzer),
        sublinear_tf=True,
        min_df=p["min_df"],
        max_features=p["max_features"],
        dtype=np.float64,
    )
    vectorizer.fit([e.text for e in complaints] + [e.text for e in sentiments])

    def matrix(examples: Sequence[Example]) -> Any:
        texts = [e.text for e in examples]
        return hstack(
            [vectorizer.transform(texts), csr_matrix(np.array(features.rows(texts)))]
        ).tocsr()

    weight = np.array(
        [
            float(p["complaint_dev_weight"]) if e.file == "complaints_dev.csv" else 1.0
            for e in complaints
        ]
    )
    # support tweets are mostly complaints, brand mentions are not: the complaints weigh
    # ``complaint_share`` of the total, whatever their share of the training texts
    positive = np.array([e.target == 1.0 for e in complaints])
    share = p["complaint_share"]
    if share is not None:
        total = weight.sum()
        weight[positive] *= share / (weight[positive].sum() / total)
        weight[~positive] *= (1 - share) / (weight[~positive].sum() / total)
    classifier = LogisticRegression(C=p["complaint_C"], max_iter=5000, random_state=seed)
    classifier.fit(
        matrix(complaints), np.array([e.target for e in complaints]), sample_weight=weight
    )
    vocabulary = vectorizer.get_feature_names_out()
    n = len(vocabulary)
    wc = classifier.coef_[0]
    if sentiments:
        # the head learns what to add to the rules' score: where the n-grams know nothing,
        # the regularisation leaves the rules' reading (phrases, negations) as it is
        # (n-grams only: the rules' own features would learn to shrink the rules' score)
        texts = [e.text for e in sentiments]
        regressor = Ridge(alpha=p["sentiment_alpha"], random_state=seed)
        if p.get("sentiment_direct"):  # the target itself, from n-grams and the rules' outputs
            # with a fixed share of the rules' score kept (the lexicon's say on new text)
            beta = float(p.get("sentiment_rules_weight") or 0.0)
            rules = np.array([row[cols.index("rules sentiment")] for row in features.rows(texts)])
            targets = np.array([e.target for e in sentiments]) - beta * rules
            x = matrix(sentiments).tolil()
            if beta:  # the rules' score counts beta, not what the fit would make of it
                for column in SIGNALS:  # and not through its proxies (the complaint logit)
                    x[:, n + cols.index(column)] = 0.0
            regressor.fit(x.tocsr(), targets)
            ws = np.array(regressor.coef_, dtype=float)
            ws[n + cols.index("rules sentiment")] += beta
        else:  # what to add to (a share of) the rules' score, from the n-grams alone
            share = float(p.get("sentiment_rules_share") or 1.0)
            rules = np.array([row[cols.index("rules sentiment")] for row in features.rows(texts)])
            targets = np.array([e.target for e in sentiments]) - share * rules
            regressor.fit(vectorizer.transform(texts), targets)
            ws = np.concatenate([regressor.coef_, np.zeros(len(cols))])
            ws[n + cols.index("rules sentiment")] = share
        ws_bias = float(regressor.intercept_)
    else:  # a complaint head only (quick cross-validation of its parameters)
        ws, ws_bias = np.zeros(n + len(cols)), 0.0
    keep = [i for i in range(n) if abs(wc[i]) >= 1e-4 or abs(ws[i]) >= 1e-4]

    def head(coef: Any, bias: float) -> dict[str, Any]:
        return {
            "bias": round(float(bias), 6),
            "terms": [round(float(coef[i]), 4) for i in keep],
            "features": {name: round(float(coef[n + j]), 6) for j, name in enumerate(cols)},
        }

    return {
        "format": FORMAT,
        "name": name,
        **({"analyzer": analyzer} if analyzer else {}),
        "vocabulary": [str(vocabulary[i]) for i in keep],
        "idf": [round(float(vectorizer.idf_[i]), 4) for i in keep],
        "complaint": head(wc, classifier.intercept_[0]),
        "sentiment": {
            **head(ws, ws_bias),
            "deadband": p["sentiment_deadband"],
            **({"direct": True} if p.get("sentiment_direct") else {}),
        },
    }


def _counts(examples: Sequence[Example]) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in examples:
        out[e.file] = out.get(e.file, 0) + 1
    return out


def write_card(
    out: Path,
    model: dict[str, Any],
    complaints: Sequence[Example],
    sentiments: Sequence[Example],
    exclude: set[str],
    seed: int,
) -> None:
    size = (out / f"{MODEL_NAME}.json").stat().st_size
    lines = [
        f"# Model card: `{MODEL_NAME}` (analyser version `grapevine-0.4+{MODEL_NAME}`)",
        "",
        "The learned layer of `sentiment/learned.py`: a logistic regression (complaint) and a "
        "ridge regression (sentiment, -1..1) over TF-IDF word unigrams and bigrams stacked on "
        "the rules' outputs. Rebuilt by `benchmarks/sentiment/train.py` "
        f"(seed {seed}{', excluded: ' + ', '.join(sorted(exclude)) if exclude else ''}); "
        "measured by `benchmarks/sentiment/evaluate.py` (see benchmarks/sentiment/README.md).",
        "",
        f"Artefact: `{MODEL_NAME}.json`, {size / 1e6:.1f} MB, "
        f"{len(model['vocabulary']):,} n-grams, {len(COLUMNS)} rule features. Parameters: "
        + ", ".join(f"{k} {v}" for k, v in PARAMS.items())
        + ".",
        "",
        "Trained on (texts after de-duplication by normalised text; licences as stated in "
        "the data folders' READMEs; none of the texts ship, only weights and n-grams):",
        "",
        "| file | complaint head | sentiment head |",
        "| --- | --- | --- |",
    ]
    c, s = _counts(complaints), _counts(sentiments)
    for file in sorted(c.keys() | s.keys()):
        lines.append(f"| {file} | {c.get(file, 0):,} | {s.get(file, 0):,} |")
    lines += [
        "",
        "Licences: complaints_dev.csv (research data, ACL 2019), the ICWSM 2014 sets (MIT), "
        "amazon_5class_sample.csv (MIT); airline_tweets.csv (commonly CC BY-NC-SA 4.0), the "
        "SemEval-2014 sentences (research) and amazon_alexa.tsv (none stated). The complaint "
        "head needs complaints_dev.csv or airline_tweets.csv; the strictest rebuild keeps the "
        "MIT-licensed sets and complaints_dev.csv: `train.py --exclude airline_tweets.csv "
        "--exclude semeval14_restaurants_train.xml --exclude semeval14_laptop_train.xml "
        "--exclude amazon_alexa.tsv`.",
        "",
        "Not learned: the star rating (no labelled complaint has one; it stays hand-set "
        "evidence) and the source type. English only.",
        "",
    ]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--train", type=Path, default=DEFAULT_TRAIN)
    parser.add_argument("--exclude", action="append", default=[], metavar="FILE")
    parser.add_argument("--out", type=Path, default=ROOT / "sentiment" / "packs" / "en")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--lang", default="en", choices=("en", "de"))
    args = parser.parse_args(argv)
    if args.lang == "de":
        return train_german(args.train, args.seed)
    exclude = set(args.exclude)
    unknown = exclude - set(FILES)
    if unknown:
        sys.exit(f"error: --exclude {', '.join(sorted(unknown))}: not one of {', '.join(FILES)}")
    complaints = complaint_examples(args.data, args.train, exclude)
    sentiments = sentiment_examples(args.data, args.train, exclude)
    if not complaints or not sentiments:
        sys.exit("error: nothing left to train a head on (see --exclude)")
    model = fit(complaints, sentiments, Features(), seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / f"{MODEL_NAME}.json", "w", encoding="utf-8") as handle:
        json.dump(model, handle, separators=(",", ":"))
        handle.write("\n")
    write_card(args.out, model, complaints, sentiments, exclude, args.seed)
    print(
        f"wrote {args.out / (MODEL_NAME + '.json')}: {len(model['vocabulary']):,} n-grams; "
        f"{len(complaints):,} complaint and {len(sentiments):,} sentiment texts"
    )


def train_german(train: Path, seed: int) -> None:
    """``--lang de``: the German pack's model from GermEval 2017 (see german.py)."""
    import german

    from sentiment.packs import PACKS_DIR, read_pack

    out = PACKS_DIR / "de"
    complaints, sentiments = german.examples(train)
    features = Features(pack=read_pack(out, model=False))
    model = fit(
        complaints,
        sentiments,
        features,
        seed=seed,
        params=german.PARAMS,
        name=german.MODEL_NAME,
        analyzer=german.ANALYZER,
    )
    path = out / f"{german.MODEL_NAME}.json"
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(model, handle, separators=(",", ":"), ensure_ascii=False)
        handle.write("\n")
    german.write_card(out, model, complaints, sentiments, seed)
    print(
        f"wrote {path}: {len(model['vocabulary']):,} n-grams; "
        f"{len(complaints):,} complaint and {len(sentiments):,} sentiment texts"
    )


if __name__ == "__main__":
    main()
