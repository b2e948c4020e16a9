"""Do character n-grams pay for their cost? Complaint F1 leave one domain out, with and without.

    .venv/bin/python benchmarks/sentiment/char_ngrams.py

Fits the complaint head (``train.fit``'s features: TF-IDF word 1–2-grams stacked on the
rules' outputs) and the same with TF-IDF character 3–5-grams (``char_wb``) added, in
scikit-learn, leaving each complaint domain out, and prints F1 on the held-out tweets about
companies and on the airline tweets; then the CPU time per text of extracting the n-grams in
plain Python, against the whole analysis. No rating, no grounds check: the bare heads.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import crossval  # noqa: E402
import numpy as np  # noqa: E402
import train  # noqa: E402
from datasets import prf  # noqa: E402
from scipy.sparse import csr_matrix, hstack  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from sentiment.analyzer import Analyzer  # noqa: E402
from sentiment.learned import ngrams  # noqa: E402


def char_grams(text: str) -> list[str]:
    """Character 3–5-grams within words, as ``char_wb`` (plain Python, for the timing)."""
    out = []
    for word in text.lower().split():
        padded = f" {word} "
        for n in (3, 4, 5):
            out += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return out


def main() -> None:
    complaints = train.complaint_examples(train.DEFAULT_DATA, train.DEFAULT_TRAIN, set())
    features = train.Features()
    texts = [e.text for e in complaints]
    dense = csr_matrix(np.array(features.rows(texts)))
    y = np.array([e.target for e in complaints])
    folds = np.array([crossval._fold(e) for e in complaints])
    weight = np.array(
        [
            train.PARAMS["complaint_dev_weight"] if e.file == "complaints_dev.csv" else 1.0
            for e in complaints
        ]
    )
    print("| features | tweets about companies F1 | airline F1 |")
    print("| --- | --- | --- |")
    for name, use_char in (("word 1–2-grams + rules", False), ("+ char 3–5-grams", True)):
        predicted = np.zeros(len(texts), dtype=bool)
        for fold in sorted(set(folds)):
            test = folds == fold
            train_idx = np.flatnonzero(~test)
            word = TfidfVectorizer(
                analyzer=ngrams, sublinear_tf=True, min_df=2, max_features=40_000
            )
            word.fit([texts[i] for i in train_idx])
            blocks = [word.transform(texts), dense]
            if use_char:
                char = TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(3, 5),
                    sublinear_tf=True,
                    min_df=3,
                    max_features=60_000,
                )
                char.fit([texts[i] for i in train_idx])
                blocks.insert(1, char.transform(texts))
            x = hstack(blocks).tocsr()
            model = LogisticRegression(
                C=train.PARAMS["complaint_C"], max_iter=5000, random_state=12
            )
            model.fit(x[train_idx], y[train_idx], sample_weight=weight[train_idx])
            predicted[test] = model.predict_proba(x[test])[:, 1] >= 0.5
        dev = np.array([e.file == "complaints_dev.csv" for e in complaints])
        air = folds == "airline"
        f_dev = prf(list(predicted[dev]), list(y[dev] == 1))[2]
        f_air = prf(list(predicted[air]), list(y[air] == 1))[2]
        print(f"| {name} | {f_dev:.3f} | {f_air:.3f} |")
    sample = texts[:3000]
    analyzer = Analyzer()
    print("\n| step, plain Python | µs / text |\n| --- | --- |")
    for name, work in (
        ("word 1–2-grams", ngrams),
        ("char 3–5-grams", char_grams),
        ("the whole analysis (learned)", analyzer.analyze),
    ):
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            for text in sample:
                work(text)
            best = min(best, time.process_time() - start)
        print(f"| {name} | {best / len(sample) * 1e6:.0f} |")


if __name__ == "__main__":
    main()
