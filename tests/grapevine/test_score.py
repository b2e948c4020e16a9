"""`grapevine score` reads JSONL or CSV on stdin and writes one result per input."""

import csv
import io
import json

from click.testing import CliRunner

from grapevine.cli import cli


def test_jsonl_in_and_out() -> None:
    lines = [
        {"id": 1, "text": "Still waiting for my refund, 3 weeks now"},
        {"id": "b", "text": "Lovely coffee, thank you!", "rating": 5},
    ]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n"
    result = CliRunner().invoke(cli, ["score"], input=stdin)
    assert result.exit_code == 0
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, "b"]
    assert out[0]["complaint"] is True and out[0]["label"] == "negative"
    assert out[1]["label"] == "positive" and out[1]["complaint"] is False
    assert {"sentiment", "label", "complaint", "aspects"} <= set(out[0])
    assert "line 3" in result.stderr


def test_csv_keeps_columns_and_adds_results() -> None:
    stdin = 'review,stars\n"My parcel never arrived",1\nGreat,5\n'
    result = CliRunner().invoke(
        cli,
        ["score", "--format", "csv", "--text-column", "review", "--rating-column", "stars"],
        input=stdin,
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["review"] == "My parcel never arrived" and rows[0]["label"] == "negative"
    assert rows[1]["label"] == "positive"


def test_csv_without_the_column_is_one_clear_error() -> None:
    result = CliRunner().invoke(
        cli, ["score", "--format", "csv", "--text-column", "body"], input="review\nx\n"
    )
    assert result.exit_code == 2 and "no column 'body'" in result.output
