"""Loaders and metrics for the labelled evaluation sets in ``shared/data/sentiment``.

Evaluation only: nothing here is imported by the product, and the texts never leave the data
folder. See that folder's README.md for the formats.
"""

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: (name, file, encoding) of the ICWSM 2014 sets (Hutto & Gilbert), ratings -4..+4.
ICWSM_SETS = [
    ("tweets", "tweets_GroundTruth.txt", "latin-1"),
    ("movie snippets", "movieReviewSnippets_GroundTruth.txt", "utf-8"),
    ("NYT editorials", "nytEditorialSnippets_GroundTruth.txt", "latin-1"),
]
THRESHOLD = 0.05
#: ``shared/data/sentiment`` beside the repository (or beside a folder of worktrees above it).
DEFAULT_DATA = next(
    (
        parent / "shared" / "data" / "sentiment"
        for parent in Path(__file__).resolve().parents[3:]
        if (parent / "shared" / "data" / "sentiment").is_dir()
    ),
    Path(__file__).resolve().parents[3] / "shared" / "data" / "sentiment",
)
#: The self-written review sentences (``reviews/README.md``): development and held-out.
REVIEWS = Path(__file__).resolve().parent / "reviews"
REVIEW_SETS = [
    ("dev (self-written, tuned on)", "dev.tsv"),
    ("held-out 1 (self-written)", "heldout.tsv"),
    ("held-out 2 (self-written)", "heldout2.tsv"),
    ("held-out 3 (self-written, ordinary mix)", "heldout3.tsv"),
]


@dataclass(frozen=True)
class Rated:
    """One ICWSM snippet: its text and the mean human rating on VADER's -1..1 scale."""

    text: str
    score: float


@dataclass(frozen=True)
class Complaint:
    """One tweet of the complaints data."""

    text: str
    complaint: bool
    domain: str


@dataclass(frozen=True)
class Sentence:
    """One self-written review sentence: positive or negative, and its kind of review."""

    text: str
    negative: bool
    domain: str


def load_reviews(path: Path) -> list[Sentence]:
    """``label<TAB>domain<TAB>text`` lines; ``#`` lines are comments."""
    out = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or parts[0] not in ("negative", "positive"):
                raise ValueError(f"{path}: line {number}: expected label<TAB>domain<TAB>text")
            out.append(Sentence(parts[2], parts[0] == "negative", parts[1]))
    return out


def load_icwsm(data: Path, file: str, encoding: str) -> list[Rated]:
    """``id<TAB>rating<TAB>text`` lines; the rating divided by 4."""
    out = []
    with open(data / file, encoding=encoding, errors="replace", newline="") as handle:
        for line in handle:
            parts = line.rstrip("\r\n").split("\t", 2)
            if len(parts) == 3:
                out.append(Rated(parts[2], float(parts[1]) / 4.0))
    return out


def load_complaints(data: Path) -> list[Complaint]:
    """``complaints_dev.csv``: id, text, complaint (1/0), domain."""
    with open(data / "complaints_dev.csv", encoding="utf-8", newline="") as handle:
        return [
            Complaint(row["text"], row["complaint"] == "1", row["domain"])
            for row in csv.DictReader(handle)
        ]


def label(score: float) -> str:
    """VADER's three classes on the compound scale."""
    if score <= -THRESHOLD:
        return "negative"
    if score >= THRESHOLD:
        return "positive"
    return "neutral"


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pearson's correlation coefficient."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else 0.0


def prf(predicted: Sequence[bool], actual: Sequence[bool]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class."""
    tp = sum(1 for p, a in zip(predicted, actual, strict=True) if p and a)
    fp = sum(1 for p, a in zip(predicted, actual, strict=True) if p and not a)
    fn = sum(1 for p, a in zip(predicted, actual, strict=True) if not p and a)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def three_class_f1(predicted: Sequence[str], actual: Sequence[str]) -> tuple[float, float]:
    """Weighted and macro F1 over negative / neutral / positive."""
    weighted = macro = 0.0
    classes = ("negative", "neutral", "positive")
    for cls in classes:
        _, _, f1 = prf([p == cls for p in predicted], [a == cls for a in actual])
        support = sum(1 for a in actual if a == cls)
        weighted += f1 * support / len(actual)
        macro += f1 / len(classes)
    return weighted, macro
