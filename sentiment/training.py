"""Learning from the desk: refit the learned layer on the company's own decisions.

The shipped model was fit on public labelled sets (``benchmarks/sentiment/train.py``). The
desk's decisions — a case dismissed as not a complaint, a case resolved with an action, a
mention marked by hand, a sentiment corrected — are labels on the company's own mentions.
:func:`train_from_desk` refits the model's two heads on them **starting from the shipped
weights and regularised towards them**: each head's change ``δ`` minimises

    weight · Σ loss(label, shipped score + x·δ) + ½‖δ‖²            (complaint: log-loss)
    weight · Σ (label − shipped score − x·δ)² + ‖δ‖²              (sentiment: squared error)

over the TF-IDF n-grams the model knows and the rules' stacked features (complaint), so the
shipped model is the prior that stands for the public data and ``weight`` says how much one
desk decision counts against it. A quarter of the decisions (every fourth by mention id) is
held back: the model before and after is measured on those alone, and the caller switches
only when the refit agrees with more of them. Fewer than ``min_count`` decisions: no refit.

Needs numpy and scipy (``pip install -e '.[train]'``) at training time only; the product
reads the resulting JSON as any other model (:class:`sentiment.learned.LearnedModel`).
"""

import copy
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sentiment.analyzer import Analyzer, label_for
from sentiment.learned import LearnedModel
from sentiment.packs import Pack

#: Every HELD_EVERY-th decision (by mention id) is held back for the before/after measure.
HELD_EVERY = 4
MIN_COUNT = 20
WEIGHT = 3.0


@dataclass(frozen=True, slots=True)
class Label:
    """One desk decision: ``kind`` ``complaint`` (value 1/0) or ``sentiment`` (-1..1)."""

    key: int
    text: str
    kind: str
    value: float
    rating: float | None = None


@dataclass(slots=True)
class DeskTraining:
    """What :func:`train_from_desk` did: the figures before and after, the new artefact."""

    trained_on: int
    held_back: int
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)
    artefact: dict[str, Any] | None = None

    @property
    def better(self) -> bool:
        """Whether the refit agrees with more of the held-back decisions than before."""
        return self.after.get("agreement", 0.0) > self.before.get("agreement", 0.0)


def split(labels: Sequence[Label]) -> tuple[list[Label], list[Label]]:
    """``(train, held back)``: every fourth mention (by key) is held back."""
    keys = sorted({label.key for label in labels})
    held = {key for i, key in enumerate(keys) if i % HELD_EVERY == HELD_EVERY - 1}
    return [x for x in labels if x.key not in held], [x for x in labels if x.key in held]


def measure(analyzer: Analyzer, labels: Sequence[Label]) -> dict[str, float]:
    """How many decisions the analyser agrees with: a complaint called or not as the desk
    did, a sentiment's label as the desk's (``agreement`` over both, and each alone)."""
    agree = {"complaint": 0, "sentiment": 0}
    total = Counter(label.kind for label in labels)
    for label in labels:
        result = analyzer.analyze(label.text, rating=label.rating)
        if label.kind == "complaint":
            agree["complaint"] += result.complaint == (label.value >= 0.5)
        elif result.label == label_for(label.value):
            agree["sentiment"] += 1
    out = {"decisions": float(len(labels))}
    for kind in ("complaint", "sentiment"):
        if total[kind]:
            out[kind] = agree[kind] / total[kind]
    out["agreement"] = sum(agree.values()) / len(labels) if labels else 0.0
    return out


def _rows(
    model: LearnedModel, analyzer: Analyzer, labels: Sequence[Label]
) -> tuple[list[dict[str, float]], list[dict[str, float]], list[float], list[float]]:
    """Per label: its TF-IDF n-grams, its stacked features, the model's complaint logit and
    sentiment (the words alone)."""
    grams_out, feats_out, logits, scores = [], [], [], []
    for label in labels:
        features = analyzer.features(label.text)
        counts = Counter(g for g in model.ngrams(label.text) if g in model.terms)
        values = {
            g: (1.0 + math.log(n)) * model.terms[g][0] if n > 1 else model.terms[g][0]
            for g, n in counts.items()
        }
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        grams_out.append({g: v / norm for g, v in values.items()})
        feats_out.append(features)
        prediction = model.predict(label.text, features, explain=False)
        logits.append(prediction.complaint_logit)
        scores.append(prediction.sentiment)
    return grams_out, feats_out, logits, scores


def refit(
    data: Mapping[str, Any],
    analyzer: Analyzer,
    labels: Sequence[Label],
    *,
    name: str,
    weight: float = WEIGHT,
) -> dict[str, Any]:
    """A copy of the artefact ``data`` with both heads refit on ``labels`` (see the module
    docstring); ``analyzer`` gives the rules' stacked features (the rules alone)."""
    import numpy as np
    from scipy.optimize import minimize
    from scipy.sparse import csr_matrix

    model = LearnedModel(data)
    out = copy.deepcopy(dict(data))
    out["name"] = name
    vocabulary = {term: i for i, term in enumerate(out["vocabulary"])}
    for kind in ("complaint", "sentiment"):
        chosen = [x for x in labels if x.kind == kind]
        if not chosen:
            continue
        grams, feats, logits, scores = _rows(model, analyzer, chosen)
        stacked = sorted({n for f in feats for n in f}) if kind == "complaint" else []
        columns = sorted({g for row in grams for g in row}) + [f"\0{n}" for n in stacked]
        index = {c: j for j, c in enumerate(columns)}
        rows, cols, vals = [], [], []
        for i, (g_row, f_row) in enumerate(zip(grams, feats, strict=True)):
            for g, v in g_row.items():
                rows.append(i)
                cols.append(index[g])
                vals.append(v)
            for n in stacked:
                if f_row.get(n):
                    rows.append(i)
                    cols.append(index[f"\0{n}"])
                    vals.append(f_row[n])
        x = csr_matrix((vals, (rows, cols)), shape=(len(chosen), len(columns)))
        y = np.array([label.value for label in chosen])
        head = out[kind]
        if kind == "complaint":
            z0 = np.array(logits)

            def loss(theta: Any, z0: Any = z0, x: Any = x, y: Any = y) -> tuple[float, Any]:
                delta, bias = theta[:-1], theta[-1]
                z = z0 + x @ delta + bias
                p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
                value = weight * float(np.sum(np.logaddexp(0.0, z) - y * z))
                value += 0.5 * float(delta @ delta + bias * bias)
                grad_z = weight * (p - y)
                return value, np.concatenate([x.T @ grad_z + delta, [grad_z.sum() + bias]])

            found = minimize(loss, np.zeros(len(columns) + 1), jac=True, method="L-BFGS-B")
            delta, bias = found.x[:-1], float(found.x[-1])
        else:
            residual = np.array([label.value for label in chosen]) - np.array(scores)
            # ridge: (weight·XᵀX + I)·δ = weight·Xᵀr
            dense = x.toarray()
            a = weight * dense.T @ dense + np.eye(len(columns))
            delta, bias = np.linalg.solve(a, weight * dense.T @ residual), 0.0
        head["bias"] = round(float(head["bias"]) + bias, 6)
        for column, j in index.items():
            if column.startswith("\0"):
                name_ = column[1:]
                head["features"][name_] = round(head["features"].get(name_, 0.0) + delta[j], 6)
            else:
                i = vocabulary[column]
                head["terms"][i] = round(float(head["terms"][i]) + float(delta[j]), 4)
    return out


def train_from_desk(
    data: Mapping[str, Any],
    labels: Sequence[Label],
    *,
    pack: Pack,
    name: str,
    lexicon: Mapping[str, float] | None = None,
    weight: float = WEIGHT,
    min_count: int = MIN_COUNT,
) -> DeskTraining:
    """Refit the model ``data`` (an artefact) on the desk's ``labels`` minus the held-back
    quarter; measure before and after on the held-back quarter. Raises ValueError with fewer
    than ``min_count`` labels."""
    if len(labels) < min_count:
        raise ValueError(f"{len(labels)} desk decisions; at least {min_count} are needed")
    train, held = split(labels)
    rules = Analyzer(learned=False, pack=pack, lexicon=lexicon, detect_language=False)
    before = Analyzer(model=LearnedModel(data), pack=pack, lexicon=lexicon, detect_language=False)
    artefact = refit(data, rules, train, name=name, weight=weight)
    after = Analyzer(
        model=LearnedModel(artefact), pack=pack, lexicon=lexicon, detect_language=False
    )
    return DeskTraining(
        trained_on=len(train),
        held_back=len(held),
        before=measure(before, held),
        after=measure(after, held),
        artefact=artefact,
    )
