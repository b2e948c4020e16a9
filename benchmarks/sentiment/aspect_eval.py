"""Per-aspect precision and recall of the aspect tags, on public data with aspect labels.

    .venv/bin/python benchmarks/sentiment/aspect_eval.py [TRAIN_DIR]

(also printed by ``evaluate.py``). Three labelled sets in ``shared/data/train`` (see its
README), each label mapped to the aspect of ours that means the same, where one does:

* ``airline_tweets.csv``: the negative tweets with a concrete ``negativereason`` — "Customer
  Service Issue" is *customer service*, "Flight Attendant Complaints" *staff*, "Flight
  Booking Problems" *app/website* (bookings are mostly made online; a loose match), "Bad
  Flight" and "Damaged Luggage" *product quality*. "Late Flight", "Cancelled Flight", "Lost
  Luggage", "longlines" have no aspect of ours: those tweets count as negatives for every
  aspect (a tag on one is a false positive).
* ``semeval14_restaurants_train.xml``: the sentence's aspect categories — "price" is
  *price*, "service" is *staff* or *customer service* (either tag counts), "food" is
  *product quality* (a loose match: our keywords look for faults, the category is any
  mention of the food).
* ``germeval2017_dev.tsv`` (German pack): "Service_und_Kundenbetreuung" is *customer
  service*, "DB_App_und_Website" *app/website*, "Ticketkauf" (buying tickets) *billing* or
  *price*.

The aspect tagger is the same for the rules and the learned layer (the learned layer does not
tag aspects), so there is one row per aspect. Tags come from ``Analyzer.analyze``, the
product's path, with each set's language pack.
"""

import csv
import sys
import xml.etree.ElementTree as ET  # noqa: S405 - the shipped data files, not untrusted input
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import DEFAULT_DATA, prf  # noqa: E402

from sentiment import Analyzer  # noqa: E402
from sentiment.packs import load_pack  # noqa: E402

DEFAULT_TRAIN = DEFAULT_DATA.parent / "train"
#: ``(set, label, our aspects)``: a text with the label should carry one of the aspects.
MAPPING = (
    ("airline", "Customer Service Issue", ("customer service",)),
    ("airline", "Flight Attendant Complaints", ("staff",)),
    ("airline", "Flight Booking Problems", ("app/website",)),
    ("airline", "Bad Flight", ("product quality",)),
    ("airline", "Damaged Luggage", ("product quality",)),
    ("restaurants", "price", ("price",)),
    ("restaurants", "service", ("staff", "customer service")),
    ("restaurants", "food", ("product quality",)),
    ("germeval", "Service_und_Kundenbetreuung", ("customer service",)),
    ("germeval", "DB_App_und_Website", ("app/website",)),
    ("germeval", "Ticketkauf", ("billing", "price")),
)
Labelled = list[tuple[str, set[str]]]


def airline(train: Path) -> Labelled:
    with open(train / "airline_tweets.csv", encoding="utf-8", newline="") as handle:
        return [
            (row["text"], {row["negativereason"]})
            for row in csv.DictReader(handle)
            if row["airline_sentiment"] == "negative"
            and row["negativereason"] not in ("", "Can't Tell")
        ]


def restaurants(train: Path) -> Labelled:
    root = ET.parse(train / "semeval14_restaurants_train.xml").getroot()  # noqa: S314
    return [
        (
            sentence.findtext("text") or "",
            {node.get("category") or "" for node in sentence.iter("aspectCategory")},
        )
        for sentence in root.iter("sentence")
    ]


def germeval(train: Path) -> Labelled:
    out = []
    with open(train / "germeval2017_dev.tsv", encoding="utf-8") as handle:
        for line in handle:
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= 4 and fields[1].strip():
                labels = {a.split("#")[0] for a in fields[4].split()} if len(fields) > 4 else set()
                out.append((fields[1], labels))
    return out


SETS: dict[str, tuple[str, str, Callable[[Path], Labelled]]] = {
    "airline": ("airline tweets (negative, with a reason)", "en", airline),
    "restaurants": ("SemEval-2014 restaurant sentences", "en", restaurants),
    "germeval": ("GermEval 2017 (German)", "de", germeval),
}


def rows(train: Path = DEFAULT_TRAIN) -> Iterable[str]:
    """The Markdown table: one row per set and aspect."""
    yield "| set | label | our aspect | texts with the label | precision | recall | F1 |"
    yield "| --- | --- | --- | --- | --- | --- | --- |"
    for key, (title, lang, load) in SETS.items():
        data = load(train)
        analyzer = Analyzer(learned=False, pack=load_pack(lang), detect_language=False)
        tagged = [set(analyzer.analyze(text).aspects) for text, _ in data]
        for set_key, label, ours in MAPPING:
            if set_key != key:
                continue
            actual = [label in labels for _, labels in data]
            predicted = [bool(tags.intersection(ours)) for tags in tagged]
            p, r, f = prf(predicted, actual)
            yield (
                f"| {title} | {label} | {' or '.join(ours)} | {sum(actual):,} of {len(data):,} "
                f"| {p:.3f} | {r:.3f} | {f:.3f} |"
            )


def main() -> None:
    train = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TRAIN
    print("\n".join(rows(train)))


if __name__ == "__main__":
    main()
