"""Tune the complaint weights of ``sentiment/complaint.py`` on complaints_dev.csv, honestly.

The families (the patterns) are written by hand; this fits only one weight per family plus
the bias and the weights of VADER's negativity/positivity: an L2-regularised logistic
regression whose family weights are kept on the side their meaning says (evidence for a
complaint >= 0, thanks/how-to <= 0). It reports leave-one-domain-out F1 (fit on the other
domains, score the held-out one) before printing the weights fitted on everything, to paste
into ``sentiment/complaint.py``.

    .venv/bin/python benchmarks/sentiment/tune.py [DATA_DIR]
"""

import sys
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import DEFAULT_DATA, load_complaints, prf  # noqa: E402

from sentiment.analyzer import Analyzer  # noqa: E402
from sentiment.complaint import FAMILIES, SIGNALS, counted, signals  # noqa: E402

AGAINST = {"thanks or praise", "how-to question"}
NAMES = [f.name for f in FAMILIES]
MINIMUM = {"thanks or praise": 1.2, "positivity": 1.5, "how-to question": 0.8}
EXTRA = list(SIGNALS)


def features(texts: list[str]) -> np.ndarray:
    """One row per text: a 0/1 column per family, then VADER's negativity, worst, positivity."""
    analyzer = Analyzer()
    rows = []
    for text in texts:
        reading = analyzer.read(text)
        found = set(counted(reading.families, reading.whole, reading.worst))
        numeric = signals(reading.whole, reading.worst, found)
        rows.append([1.0 if n in found else 0.0 for n in NAMES] + [numeric[n] for n in EXTRA])
    return np.array(rows)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 0.003, steps: int = 20000) -> np.ndarray:
    """Projected gradient descent; returns [bias, weights...] (positivity stored as +)."""
    n, d = x.shape
    w = np.zeros(d + 1)
    xb = np.hstack([np.ones((n, 1)), x])
    sign = np.ones(d + 1)
    for i, name in enumerate(NAMES + EXTRA):
        if name in AGAINST or name == "positivity":
            sign[i + 1] = -1.0
    # the least weight a family must keep, on its side: praise must count against a complaint
    # (the tweets are mostly complaints to companies; brand mentions are not)
    floor = np.zeros(d + 1)
    for i, name in enumerate(NAMES + EXTRA):
        floor[i + 1] = MINIMUM.get(name, 0.0)
    lr = 2.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) / n
        grad[1:] += l2 * w[1:]
        w -= lr * grad
        w[1:] = np.where(sign[1:] * w[1:] < floor[1:], sign[1:] * floor[1:], w[1:])
    # move the bias so that 0.5 is the threshold with the best F1 on the data fitted
    z = xb @ w
    best, shift = -1.0, 0.0
    for t in np.linspace(-2, 2, 81):
        _, _, f1 = prf(list(z + t >= 0), list(y == 1))
        if f1 > best:
            best, shift = f1, t
    w[0] += shift
    return w


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(np.hstack([np.ones((len(x), 1)), x]) @ w)))


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    items = load_complaints(data)
    x = features([c.text for c in items])
    y = np.array([1.0 if c.complaint else 0.0 for c in items])
    domains = sorted({c.domain for c in items} - {"random_reply"})
    # random replies (all non-complaints) are spread over the folds by a stable hash
    fold = [
        c.domain
        if c.domain != "random_reply"
        else domains[zlib.crc32(c.text.encode()) % len(domains)]
        for c in items
    ]
    held = np.zeros(len(items))
    for domain in domains:
        test = np.array([f == domain for f in fold])
        w = fit(x[~test], y[~test])
        held[test] = predict(w, x[test])
    pred = held >= 0.5
    actual = y == 1
    p, r, f = prf(list(pred), list(actual))
    print(f"held-out domains, pooled: precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    for domain in domains:
        idx = [i for i, c in enumerate(items) if c.domain == domain]
        p, r, f = prf([pred[i] for i in idx], [actual[i] for i in idx])
        print(f"  {domain:12} precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    idx = [i for i, c in enumerate(items) if c.domain == "random_reply"]
    print(f"  random_reply false positives {sum(pred[i] for i in idx)}/{len(idx)}")
    w = fit(x, y)
    p, r, f = prf(list(predict(w, x) >= 0.5), list(actual))
    print(f"fitted on all (optimistic): precision {p:.3f} recall {r:.3f} F1 {f:.3f}\n")
    print("WEIGHTS: dict[str, float] = {")
    for i, name in enumerate(NAMES + EXTRA):
        print(f'    "{name}": {w[i + 1]:.2f},')
    print("}")
    print(f"BIAS = {w[0]:.2f}")


if __name__ == "__main__":
    main()
