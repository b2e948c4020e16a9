"""``grapevine score``: analyse text from stdin (JSONL or CSV) and write the results."""

import csv
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

import click

from sentiment import Analyzer


def _rating(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _jsonl(stream: TextIO) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"not JSON ({exc.msg})"
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield number, None, 'expected an object with a "text" string'
            continue
        yield number, record, ""


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="Input and output format.",
)
@click.option("--text-column", default="text", show_default=True, help="CSV: the text column.")
@click.option("--rating-column", default=None, help="CSV: a star-rating column (1–5).")
def score(fmt: str, text_column: str, rating_column: str | None) -> None:
    """Score text from stdin: sentiment, label, complaint and aspects per line or row.

    JSONL in: {"id": ..., "text": ..., "rating": optional}; out: the id with sentiment
    (-1..1), label, complaint, complaint_score, aspects and cues. CSV keeps every input
    column and adds the results. A bad line is reported on stderr and skipped.

    \b
    Example:
      echo '{"id": 1, "text": "Still waiting for my refund"}' | grapevine score
      grapevine score --format csv --text-column review < reviews.csv > scored.csv
    """
    analyzer = Analyzer()
    out = sys.stdout
    if fmt == "jsonl":
        for number, record, error in _jsonl(sys.stdin):
            if record is None:
                click.echo(f"line {number}: {error}; skipped", err=True)
                continue
            result = analyzer.analyze(record["text"], rating=_rating(record.get("rating")))
            out.write(json.dumps({"id": record.get("id"), **result.as_dict()}) + "\n")
        return
    reader = csv.DictReader(sys.stdin)
    if reader.fieldnames is None or text_column not in reader.fieldnames:
        raise click.BadParameter(
            f"no column {text_column!r} in the CSV header ({', '.join(reader.fieldnames or [])})",
            param_hint="--text-column",
        )
    extra = ["sentiment", "label", "complaint", "complaint_score", "aspects"]
    writer = csv.DictWriter(out, fieldnames=[*reader.fieldnames, *extra])
    writer.writeheader()
    for row in reader:
        rating = _rating(row.get(rating_column)) if rating_column else None
        scored = analyzer.analyze(row.get(text_column) or "", rating=rating).as_dict()
        row.update({k: scored[k] for k in extra[:-1]}, aspects=";".join(scored["aspects"]))
        writer.writerow(row)


COMMANDS = [score]
